"""Qt-free view-models of the screens: what they show and the use cases they call."""
