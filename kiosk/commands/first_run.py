"""``kiosk`` on a new machine: no settings file and no demo asked, so the first-run wizard opens.

The wizard (``kiosk.ui.first_run``) asks; ``kiosk.machine_setup`` does. The settings file goes
where the kiosk will look for it: ``--config``, else ``KIOSK_CONFIG``, else the system folder.
"""

from __future__ import annotations

import os
from pathlib import Path

from kiosk.config import CONFIG_ENV, Settings, is_demo_requested, system_config_path
from kiosk.log import setup_logging

PACKAGE_DATA = Path("/var/lib/kiosk")
"""The data folder the Debian package creates for the kiosk account (kept by ``dpkg -r``)."""


def settings_target(config: Path | None) -> Path:
    """The settings file the kiosk reads: ``--config``, ``KIOSK_CONFIG`` or the system one."""
    env = os.environ.get(CONFIG_ENV)
    return config or (Path(env) if env else system_config_path())


def needs_first_run(config: Path | None, demo: bool) -> bool:
    """Whether ``kiosk`` should open the wizard: not in demo mode, and no settings file yet."""
    return not is_demo_requested(demo) and not settings_target(config).exists()


def open_first_run(config: Path | None) -> int:
    """Show the wizard; its exit code (0 set up, 1 cancelled)."""
    # Imported here: ``kiosk`` on a configured machine asks ``needs_first_run`` at every start
    # and should not pay for loading the wizard.
    from kiosk.machine_setup import MachineSetupBackend
    from kiosk.ui.first_run.wizard import run_first_run

    defaults = Settings()
    setup_logging(defaults.log_dir)
    data = PACKAGE_DATA / "data" if PACKAGE_DATA.is_dir() else defaults.data_dir
    backup = PACKAGE_DATA / "backups" if PACKAGE_DATA.is_dir() else data / "backups"
    return run_first_run(MachineSetupBackend(settings_target(config)), data, backup)
