"""``kiosk`` and ``kiosk --demo``: open the desktop app.

In demo mode the demo accounts are created on first use and their passwords printed once here,
in the terminal that started the app (design.md, the demo).
"""

from __future__ import annotations

import argparse

from kiosk.app import device_status
from kiosk.commands.base import CommandContext
from kiosk.demo_accounts import ensure_demo_accounts
from kiosk.i18n import _
from kiosk.ui.application import run


def open_desktop(_args: argparse.Namespace, context: CommandContext) -> int:
    """Compose the kiosk, open the window, and return the app's exit code when it closes."""
    kiosk = context.kiosk()
    if context.settings.demo:
        line = _("Tài khoản trình diễn {user}: mật khẩu {password}")
        for username, password in ensure_demo_accounts(kiosk).items():
            print(line.format(user=username, password=password))  # noqa: T201 - shown once
    background = kiosk.start_background()
    try:
        return run(context.settings, kiosk.services, device_status(context.settings))
    finally:
        background.stop()
