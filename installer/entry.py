"""Entry point of the frozen build: the same ``main`` as the ``kiosk`` console script."""

import multiprocessing

from kiosk.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    raise SystemExit(main())
