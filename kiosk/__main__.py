"""``python -m kiosk``: the same entry point as the ``kiosk`` command."""

from kiosk.cli import main

raise SystemExit(main())
