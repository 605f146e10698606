"""The citizen-facing window and the view model that alone feeds it."""
