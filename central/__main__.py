"""``python -m central``: the same as the ``central`` command (how the kiosk starts its child)."""

import sys

from central.cli import main

sys.exit(main())
