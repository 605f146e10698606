"""Completing the first run: the settings file, the store, the first accounts, trust, registration.

The wizard (``kiosk.ui.first_run``) only asks; this module, beside the composition root, does.
It writes the settings file (atomically; on Linux as root it is given to the ``kiosk`` group,
mode 0640, so the kiosk account can read and not change it), composes the kiosk from the file
it wrote (so what runs is what the file says), creates the administrator and the supervisor,
audits the device checks that were skipped, imports the CSCA trust store, and registers with
the central server. Run as root on Linux, it finally gives the data, backup and log folders to
the kiosk account, whose key custody refuses a key file owned by anyone else.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from kiosk import app
from kiosk.config import DeviceSettings, Settings, load_settings, system_config_path
from kiosk.devices.card.listing import BackendReaders
from kiosk.domain.errors import DomainError
from kiosk.domain.users import Role
from kiosk.services.devices_status import DeviceStatusService
from kiosk.services.first_run import FirstRunService, MachineSetup, render_settings, settings_from

log = logging.getLogger(__name__)

KIOSK_ACCOUNT = "kiosk"
"""The dedicated account the Debian package creates and the kiosk runs as."""


@dataclass(frozen=True, slots=True)
class SetupOutcome:
    """What the first run did.

    Attributes:
        registration_error: the coded error registration ended with, if it was tried and
            failed (everything else is done; ``kiosk register`` can be run later).
    """

    settings_file: Path
    registered: bool
    registration_error: DomainError | None = None


class MachineSetupBackend:
    """What the first-run wizard may ask of the machine: device checks, readers, completion.

    Args:
        target: where the settings file is written (``--config``, else the system path).
        account: the account that owns the data when completed as root (Linux).
        devices: builds the device checks' service for candidate device settings (the
            configured devices by default; tests give simulated ones).
    """

    def __init__(
        self,
        target: Path | None = None,
        account: str = KIOSK_ACCOUNT,
        devices: Callable[[DeviceSettings], DeviceStatusService] | None = None,
    ) -> None:
        self.target = target or system_config_path()
        self._account = account
        self._devices = devices or _configured_devices

    def device_status(self, devices: DeviceSettings) -> DeviceStatusService:
        """The self-test's device service for the devices the administrator picked."""
        return self._devices(devices)

    def card_reader_names(self) -> list[str]:
        """Every card reader present (PC/SC names, ``nfc:`` paths) to pick from."""
        return [reader.name for backend in _readers() for reader in backend.readers]

    def can_write_settings(self) -> bool:
        """Whether this process may write the settings file (else: run as administrator)."""
        folder = self.target.parent
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        return os.access(folder, os.W_OK)

    def complete(self, setup: MachineSetup) -> SetupOutcome:
        """Write the settings, build the store and do every first-run step, in that order.

        Raises:
            DomainError: a step before registration failed (accounts, trust); the settings
                file written so far stays, and a new run of the wizard starts over.
            ConfigError: the settings cannot be written or read back.
        """
        write_settings_file(render_settings(settings_from(setup)), self.target)
        settings = load_settings(self.target)
        kiosk = app.build(settings)
        services = kiosk.services
        answer = setup.admin
        admin = services.users.add(
            None,
            username=answer.username,
            full_name=answer.full_name,
            service_number=answer.service_number,
            role=Role.ADMIN,
            password=answer.password,
        )
        answer = setup.supervisor
        services.users.add(
            admin,
            username=answer.username,
            full_name=answer.full_name,
            service_number=answer.service_number,
            role=Role.SUPERVISOR,
            password=answer.password,
        )
        FirstRunService(kiosk.context).record_skipped_devices(admin, setup.skipped)
        if setup.trust_file is not None:
            services.trust.import_file(admin, setup.trust_file)
        outcome = SetupOutcome(self.target, registered=False)
        if setup.server_url and setup.invite_code:
            try:
                services.sync.register(admin, setup.server_url, setup.invite_code)
                outcome = replace(outcome, registered=True)
            except DomainError as err:
                log.warning("first run: registration failed (%s); kiosk register later", err.code)
                outcome = replace(outcome, registration_error=err)
        kiosk.operations.engine.dispose()
        self._hand_over(settings)
        log.info("first run complete: settings in %s", self.target)
        return outcome

    def _hand_over(self, settings: Settings) -> None:
        if sys.platform == "win32" or os.geteuid() != 0:
            return
        import pwd  # POSIX only, like the rest of this branch

        try:
            owner = pwd.getpwnam(self._account)
        except KeyError:
            log.warning("first run as root, but no %s account to own the data", self._account)
            return
        for folder in {settings.data_dir, settings.backup_dir, settings.log_dir}:
            # The backup and log folders may not exist yet: made now, so the account owns them.
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            for path in (folder, *folder.rglob("*")):
                os.chown(path, owner.pw_uid, owner.pw_gid, follow_symlinks=False)


def write_settings_file(text: str, target: Path) -> None:
    """Write the settings file atomically: 0640, and group ``kiosk`` when root can give it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=".kiosk-", suffix=".toml", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o640)
        _give_to_kiosk_group(Path(temporary))
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _give_to_kiosk_group(path: Path) -> None:
    if sys.platform == "win32" or os.geteuid() != 0:
        return
    import grp  # POSIX only, like the rest of this branch

    try:
        group = grp.getgrnam(KIOSK_ACCOUNT)
    except KeyError:
        return
    shutil.chown(path, user="root", group=group.gr_name)


def _configured_devices(devices: DeviceSettings) -> DeviceStatusService:
    return app.device_status(Settings(devices=devices))


def _readers() -> tuple[BackendReaders, ...]:
    return app.card_readers()
