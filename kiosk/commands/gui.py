"""``kiosk`` and ``kiosk --demo``: open the desktop app.

In demo mode the demo accounts are created on first use and their passwords printed once here,
in the terminal that started the app (design.md, the demo). The devices are composed on the
self-test's first device check, off the GUI thread, so the login screen comes up without them.
"""

from __future__ import annotations

import argparse
import functools

from kiosk.app import device_status
from kiosk.commands.base import CommandContext
from kiosk.demo_accounts import ensure_demo_accounts
from kiosk.i18n import _
from kiosk.ui.application import run
from kiosk.ui.self_test_checks import Equipment


def open_desktop(_args: argparse.Namespace, context: CommandContext) -> int:
    """Compose the kiosk, open the window, and return the app's exit code when it closes."""
    kiosk = context.kiosk()
    if context.settings.demo:
        line = _("Tài khoản trình diễn {user}: mật khẩu {password}")
        for username, password in ensure_demo_accounts(kiosk).items():
            print(line.format(user=username, password=password))  # noqa: T201 - shown once
    background = kiosk.start_background()
    equipment = Equipment(
        devices=functools.cache(lambda: device_status(context.settings)),
        clock_offset=kiosk.services.sync.clock_offset,
        record_result=kiosk.services.sync.record_self_test,
    )
    try:
        return run(context.settings, kiosk.services, equipment)
    finally:
        background.stop()
