"""The environment for system programs the kiosk starts (dpkg for an update, manage-bde).

The frozen app's launcher puts its own library folder first on ``LD_LIBRARY_PATH`` (and cv2
adds its own at import) and keeps the value it found in ``LD_LIBRARY_PATH_ORIG``. A child that
inherits the modified value loads the bundle's copies of libraries it shares with the app
(dpkg's libmd, libselinux, libpcre2, liblzma, libzstd, libz), which only works where they
happen to be the system's own. As PyInstaller's documentation prescribes, a system program gets
the original value back, or none when there was none. Our own program (the bundled central
server, started as ``kiosk --central``) is not a system program: it keeps the app's environment.
This module imports nothing of ours.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

LIBRARY_PATH = "LD_LIBRARY_PATH"
ORIGINAL_SUFFIX = "_ORIG"


def system_environment(
    environ: Mapping[str, str] | None = None, *, frozen: bool | None = None
) -> dict[str, str]:
    """A copy of ``environ`` (the process's by default) fit for a system program.

    Outside a frozen build it is an unchanged copy. ``frozen`` defaults to whether this process
    is PyInstaller's frozen app.
    """
    env = dict(os.environ if environ is None else environ)
    if not (getattr(sys, "frozen", False) if frozen is None else frozen):
        return env
    original = env.pop(LIBRARY_PATH + ORIGINAL_SUFFIX, None)
    if original is None:
        env.pop(LIBRARY_PATH, None)
    else:
        env[LIBRARY_PATH] = original
    return env
