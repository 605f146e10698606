"""Command-line command groups.

Each module registers its sub-commands and turns arguments into service calls; the parsing,
error and exit-code contract lives in ``kiosk.cli``.
"""
