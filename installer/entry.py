"""Entry point of the frozen build: the same ``main`` as the ``kiosk`` console script.

``kiosk --central ARGS`` runs the reference central server's command line instead (``central
ARGS``): a frozen build has no Python to run ``-m central`` with, so ``kiosk --demo`` starts its
child server as ``[sys.executable, "--central", "serve", ...]`` when ``sys.frozen`` is set.
"""

import multiprocessing
import sys

CENTRAL_FLAG = "--central"

if __name__ == "__main__":
    multiprocessing.freeze_support()
    if len(sys.argv) > 1 and sys.argv[1] == CENTRAL_FLAG:
        from central.cli import main as central_main

        raise SystemExit(central_main(sys.argv[2:]))
    from kiosk.cli import main

    raise SystemExit(main())
