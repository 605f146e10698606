"""The demo's reference server: a child process the demo kiosk registers with."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.config import ConfigError
from kiosk.domain.users import User
from kiosk.sync.child import CentralChild

if TYPE_CHECKING:
    from kiosk.app.compose import Kiosk


def start_demo_central(
    kiosk: Kiosk, folder: Path, admin: User, server_options: tuple[str, ...] = ()
) -> CentralChild:
    """Start the reference server as a child process and connect this demo kiosk to it.

    ``central serve --demo`` trusts the installation's test CSCA, keeps its keys in ``folder``
    and listens on a free loopback port; the kiosk registers with the invitation it announces,
    or, registered with it before, follows it to its new port. The caller stops it on exit.
    ``server_options``: more ``central serve`` options (the sync benchmark's
    ``--worker-processes``).

    Raises:
        ConfigError: outside demo mode.
        DomainError: the server did not start or refused the registration.
    """
    from kiosk.devices.sim.pki import load_or_create

    if not kiosk.settings.demo:
        raise ConfigError("server", "the reference server runs as a child in demo mode only")
    test_pki = load_or_create(kiosk.settings.sim_dir / "pki")
    child = CentralChild(folder, test_pki.trust_dir, extra=server_options)
    ready = child.start()
    try:
        kiosk.services.sync.connect_demo_server(admin, ready.url, ready.pin, ready.invite)
    except BaseException:
        child.stop()
        raise
    return child
