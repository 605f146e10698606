"""``kiosk keys rotate``: replace the master key (every data key re-wrapped, audited)."""

from __future__ import annotations

import argparse

from kiosk.commands.auth import acting_admin, add_admin_option
from kiosk.commands.base import CommandContext, CommandResult
from kiosk.i18n import _


def register(groups: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``keys`` and its sub-commands."""
    keys = groups.add_parser("keys", help=_("khóa mã hóa"))
    commands = keys.add_subparsers(dest="keys_command", required=True)
    rotate = commands.add_parser("rotate", help=_("thay khóa chủ"))
    rotate.set_defaults(handler=run_rotate)
    add_admin_option(rotate)
    rotate.add_argument("--json", action="store_true", help=_("in kết quả dạng JSON"))


def run_rotate(args: argparse.Namespace, context: CommandContext) -> CommandResult:
    """Rotate the master key."""
    kiosk = context.kiosk()
    kiosk.services.maintenance.rotate_keys(acting_admin(args, kiosk))
    key_id = kiosk.keys.ring.key_id.hex()
    return CommandResult(
        {"rotated": True, "key_id": key_id}, _("Đã thay khóa chủ ({key}).").format(key=key_id)
    )
