"""``kiosk`` and ``kiosk --demo``: open the desktop app.

In demo mode the demo accounts are created on first use and their passwords printed once here,
in the terminal that started the app (design.md, the demo). The devices are composed on the
self-test's first device check, off the GUI thread, so the login screen comes up without them.
In demo mode the reference central server runs as a child process on a loopback port (started
off the GUI thread too, the demo kiosk registered with it) and is stopped when the app closes.
The background threads and the demo's server start once the window is up: nothing on the login
screen waits for them, and on two cores they would compete with its start.
"""

from __future__ import annotations

import argparse
import functools
import logging
import threading

from kiosk.app import BackgroundWork, Kiosk, LazyCounter, device_status, start_demo_central
from kiosk.commands.base import CommandContext
from kiosk.demo_accounts import ADMIN, ensure_demo_accounts
from kiosk.i18n import _
from kiosk.sync.child import CentralChild
from kiosk.ui.application import run
from kiosk.ui.self_test_checks import Equipment


def open_desktop(_args: argparse.Namespace, context: CommandContext) -> int:
    """Compose the kiosk, open the window, and return the app's exit code when it closes."""
    kiosk = context.kiosk()
    if context.settings.demo:
        line = _("Tài khoản trình diễn {user}: mật khẩu {password}")
        for username, password in ensure_demo_accounts(kiosk).items():
            print(line.format(user=username, password=password))  # noqa: T201 - shown once
    central = _DemoCentral(kiosk) if context.settings.demo else None
    background: list[BackgroundWork] = []

    def after_start() -> None:
        background.append(kiosk.start_background())
        if central is not None:
            central.start()

    equipment = Equipment(
        devices=functools.cache(lambda: device_status(context.settings)),
        clock_offset=kiosk.services.sync.clock_offset,
        record_result=kiosk.services.sync.record_self_test,
    )
    counter = LazyCounter(kiosk)
    try:
        return run(
            context.settings, kiosk.services, equipment, started=after_start, counter=counter
        )
    finally:
        counter.close()
        for work in background:
            work.stop()
        if central is not None:
            central.stop()


log = logging.getLogger(__name__)


class _DemoCentral:
    """The demo's reference server, started on a thread of its own (a few seconds of start-up)."""

    def __init__(self, kiosk: Kiosk) -> None:
        self._kiosk = kiosk
        self._children: list[CentralChild] = []
        self._thread = threading.Thread(target=self._start, name="kiosk-demo-central", daemon=True)

    def start(self) -> None:
        """Start the server on its thread."""
        self._thread.start()

    def _start(self) -> None:
        admin = self._kiosk.services.session.assume_demo_user(ADMIN)
        try:
            child = start_demo_central(
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
