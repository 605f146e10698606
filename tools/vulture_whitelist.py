"""Names vulture cannot see being used: Qt overrides and slots, entry points, gettext markers."""
