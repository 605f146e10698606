"""Who runs a command: ``--admin USER`` (or ``--user USER``) and a password, or demo mode.

The password is read from the terminal without echo, or as one line from standard input when
that is not a terminal (scripts, tests). In demo mode the command acts as the demo account.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TYPE_CHECKING

from kiosk.commands.base import UsageError
from kiosk.demo_accounts import ADMIN, SUPERVISOR, ensure_demo_accounts
from kiosk.domain.users import User
from kiosk.i18n import _

if TYPE_CHECKING:
    # Every command group imports this module to register its options, ``kiosk --help`` all
    # of them: the composition root loads when a command composes (``CommandContext.kiosk``).
    from kiosk.app import Kiosk


def add_admin_option(parser: argparse.ArgumentParser) -> None:
    """``--admin USER`` for commands that change data."""
    parser.add_argument("--admin", metavar="USER", help=_("tài khoản quản trị thực hiện lệnh"))


def add_user_option(parser: argparse.ArgumentParser) -> None:
    """``--user USER`` for commands that read citizens' records."""
    parser.add_argument("--user", metavar="USER", help=_("tài khoản thực hiện lệnh"))


def acting_admin(args: argparse.Namespace, kiosk: Kiosk) -> User:
    """The administrator running the command (signed in, or the demo administrator)."""
    return _acting(args.admin, kiosk, ADMIN)


def acting_user(args: argparse.Namespace, kiosk: Kiosk) -> User:
    """The officer or supervisor running the command (signed in, or the demo supervisor)."""
    return _acting(args.user, kiosk, SUPERVISOR)


def _acting(username: str | None, kiosk: Kiosk, demo_username: str) -> User:
    if username is None and kiosk.settings.demo:
        ensure_demo_accounts(kiosk)
        return kiosk.services.session.assume_demo_user(demo_username)
    if username is None:
        raise UsageError("--admin/--user USER is required outside demo mode")
    return kiosk.services.session.login(username, read_password())


def read_password() -> str:
    """The password, without echo on a terminal, else the first line of standard input."""
    if sys.stdin.isatty():
        return getpass.getpass(_("Mật khẩu: "))
    return sys.stdin.readline().rstrip("\r\n")
