"""``kiosk`` and ``kiosk --demo``: open the desktop app.

The window comes up at the login screen first; the kiosk is composed meanwhile on a worker
thread (``kiosk.ui.application.open_shell``), which is where the composition root and the stack
under it (SQLAlchemy, cryptography, requests, Argon2) are imported, not here. In demo mode the
demo accounts are created on first use and their passwords printed once here, in the terminal
that started the app (design.md, the demo). The devices are composed on the self-test's first
device check, off the GUI thread too. In demo mode the reference central server runs as a child
process on a loopback port (started on a thread of its own, the demo kiosk registered with it)
and is stopped when the app closes. The background threads and the demo's server start once the
kiosk is composed: nothing on the login screen waits for them, and on two cores they would
compete with its start.
"""

from __future__ import annotations

import argparse
import functools
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.commands.base import CommandContext, config_error
from kiosk.config import ConfigError
from kiosk.demo_accounts import ADMIN, ensure_demo_accounts
from kiosk.i18n import _
from kiosk.ui.application import Composed, run
from kiosk.ui.self_test_checks import Equipment

if TYPE_CHECKING:
    from kiosk.app import BackgroundWork, Kiosk, LazyCounter
    from kiosk.domain.users import User
    from kiosk.sync.child import CentralChild

log = logging.getLogger(__name__)


def open_desktop(_args: argparse.Namespace, context: CommandContext) -> int:
    """Open the window, compose the kiosk behind it, and return the app's exit code."""
    desktop = _Desktop(context)
    try:
        return run(context.settings, desktop.compose, desktop.start_background)
    finally:
        desktop.stop()


class _Desktop:
    """The desktop app's kiosk: composed on the compose job's thread, stopped when the app ends."""

    def __init__(self, context: CommandContext) -> None:
        self._context = context
        self._kiosk: Kiosk | None = None
        self._counter: LazyCounter | None = None
        self._central: _DemoCentral | None = None
        self._background: list[BackgroundWork] = []

    def compose(self) -> Composed:
        """Compose the kiosk (on a worker thread: the login screen is up meanwhile)."""
        # The composition root, imported here: it loads the whole stack, on this worker thread.
        from kiosk import app

        settings = self._context.settings
        try:
            kiosk = self._kiosk = self._context.kiosk()
        except ConfigError as err:
            raise config_error(err) from err
        if settings.demo:
            line = _("Tài khoản trình diễn {user}: mật khẩu {password}")
            for username, password in ensure_demo_accounts(kiosk).items():
                print(line.format(user=username, password=password))  # noqa: T201 - shown once
            self._central = _DemoCentral(kiosk, app.start_demo_central)
        equipment = Equipment(
            devices=functools.cache(lambda: app.device_status(settings)),
            clock_offset=kiosk.services.sync.clock_offset,
            record_result=kiosk.services.sync.record_self_test,
        )
        self._counter = app.LazyCounter(kiosk)
        return Composed(kiosk.services, equipment, self._counter)

    def start_background(self) -> None:
        """Start the kiosk's background threads and the demo's server (on the GUI thread)."""
        if self._kiosk is not None:
            self._background.append(self._kiosk.start_background())
        if self._central is not None:
            self._central.start()

    def stop(self) -> None:
        """Stop the face worker, the background threads and the demo's server."""
        if self._counter is not None:
            self._counter.close()
        for work in self._background:
            work.stop()
        if self._central is not None:
            self._central.stop()


class _DemoCentral:
    """The demo's reference server, started on a thread of its own (a few seconds of start-up)."""

    def __init__(self, kiosk: Kiosk, start: Callable[[Kiosk, Path, User], CentralChild]) -> None:
        self._kiosk = kiosk
        self._start_central = start
        self._children: list[CentralChild] = []
        self._thread = threading.Thread(target=self._start, name="kiosk-demo-central", daemon=True)

    def start(self) -> None:
        """Start the server on its thread."""
        self._thread.start()

    def _start(self) -> None:
        admin = self._kiosk.services.session.assume_demo_user(ADMIN)
        try:
            child = self._start_central(
                self._kiosk, self._kiosk.settings.data_dir / "central", admin
            )
        except Exception:
            # The job boundary of this thread: the demo goes on offline, packets wait.
            log.exception("the demo's central server could not be started")
            return
        self._children.append(child)
        self._kiosk.relay.wake()

    def stop(self) -> None:
        """Stop the server (waiting for a start still under way)."""
        if self._thread.ident is not None:
            self._thread.join(60)
        for child in self._children:
            child.stop()
