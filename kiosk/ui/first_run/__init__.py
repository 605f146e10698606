"""The first-run wizard: setting up a new counter PC (issue 15)."""
