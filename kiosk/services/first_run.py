"""First run: the administrator's answers, the machine settings they make, the skips audited.

The wizard (``kiosk.ui.first_run``) collects a ``MachineSetup``; the composition root turns it
into the settings file and a store with the first accounts. This module holds what is plain
data and rules: the answers, the settings they give, the settings file's text, and the audit
of devices the administrator chose to skip after their check failed.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.config import (
    DeviceSettings,
    PathSettings,
    SecuritySettings,
    ServerSettings,
    Settings,
    StationSettings,
)
from kiosk.domain.users import Permission, User, require
from kiosk.services.context import ServiceContext


@dataclass(frozen=True, slots=True)
class AccountAnswer:
    """One of the first two accounts, as typed in the wizard."""

    username: str
    full_name: str
    service_number: str
    password: str


@dataclass(frozen=True, slots=True)
class MachineSetup:
    """Everything the first-run wizard asks.

    Attributes:
        skipped: the keys of the device checks (``card_reader``, ``camera``, ``scanner``,
            ``printer``) that failed and that the administrator chose to skip; each is audited.
        server_url, invite_code: empty when registration is left for ``kiosk register``.
        trust_file: a CSCA certificate or master list to import, or None (chips are then
            ``unverifiable`` until one is imported with ``kiosk trust import``).
    """

    admin: AccountAnswer
    supervisor: AccountAnswer
    station: StationSettings
    devices: DeviceSettings
    data_dir: Path
    backup_dir: Path
    recovery_public_key: Path
    update_public_key: Path | None = None
    server_url: str = ""
    invite_code: str = ""
    trust_file: Path | None = None
    skipped: tuple[str, ...] = ()


def settings_from(setup: MachineSetup) -> Settings:
    """The machine settings the answers give (logs beside the data, not in a home folder)."""
    return Settings(
        station=setup.station,
        paths=PathSettings(
            data_dir=str(setup.data_dir),
            backup_dir=str(setup.backup_dir),
            log_dir=str(setup.data_dir / "logs"),
        ),
        security=SecuritySettings(
            recovery_public_key=str(setup.recovery_public_key),
            update_public_key=str(setup.update_public_key or ""),
        ),
        devices=setup.devices,
        server=ServerSettings(url=setup.server_url),
    )


NOT_IN_FILE = {"demo", "source"}


def render_settings(settings: Settings) -> str:
    """The settings file's TOML text: every table and key written out, so IT staff see them all.

    ``kiosk.config.load_settings`` reads it back to the same settings (a test checks).
    """
    lines = [
        "# Machine settings of the enrolment station, written by the first-run wizard.",
        "# Owned by the administrator and read-only to the kiosk account (docs/install.md).",
    ]
    for table, values in dataclasses.asdict(settings).items():
        if table in NOT_IN_FILE:
            continue
        lines += ["", f"[{table}]"]
        lines += [f"{key} = {_toml_value(value)}" for key, value in values.items()]
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    # A JSON string is a valid TOML basic string (the same escapes, quotes and backslashes).
    return json.dumps(str(value), ensure_ascii=False)


class FirstRunService:
    """Records, in the audit log, the device checks the administrator skipped at first run."""

    def __init__(self, context: ServiceContext) -> None:
        self._context = context

    def record_skipped_devices(self, admin: User, skipped: tuple[str, ...]) -> None:
        """One audit entry per skipped device, by the new administrator."""
        require(admin, Permission.MANAGE_SETTINGS)
        now = self._context.clock.now()
        with self._context.write() as uow:
            for device in skipped:
                details = {"check": "failed", "step": "first_run"}
                uow.audit.record_event(now, str(admin.id), "device_check_skip", device, details)
            uow.commit()
