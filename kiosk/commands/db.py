"""``kiosk db upgrade|backup|restore``: the database's schema and its encrypted backups."""

from __future__ import annotations

import argparse
from pathlib import Path

from kiosk.commands.auth import acting_admin, add_admin_option
from kiosk.commands.base import CommandContext, CommandResult
from kiosk.i18n import _


def register(groups: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``db`` and its sub-commands."""
    db = groups.add_parser("db", help=_("cơ sở dữ liệu: nâng cấp, sao lưu, khôi phục"))
    commands = db.add_subparsers(dest="db_command", required=True)
    upgrade = commands.add_parser("upgrade", help=_("nâng cấp cấu trúc (sao lưu trước nếu cần)"))
    upgrade.set_defaults(handler=run_upgrade)
    backup = commands.add_parser("backup", help=_("tạo bản sao lưu mã hóa"))
    backup.set_defaults(handler=run_backup)
    add_admin_option(backup)
    restore = commands.add_parser("restore", help=_("khôi phục từ bản sao lưu"))
    restore.add_argument("file", type=Path)
    restore.set_defaults(handler=run_restore)
    add_admin_option(restore)
    for command in (upgrade, backup, restore):
        command.add_argument("--json", action="store_true", help=_("in kết quả dạng JSON"))


def run_upgrade(_args: argparse.Namespace, context: CommandContext) -> CommandResult:
    """Open the store, which upgrades it to the newest schema (after a backup if needed)."""
    context.kiosk()
    return CommandResult({"upgraded": True}, _("Cơ sở dữ liệu đã ở phiên bản mới nhất."))


def run_backup(args: argparse.Namespace, context: CommandContext) -> CommandResult:
    """Take an encrypted backup now."""
    kiosk = context.kiosk()
    path = kiosk.services.maintenance.backup(acting_admin(args, kiosk))
    return CommandResult({"backup": str(path)}, _("Đã sao lưu: {path}").format(path=path))


def run_restore(args: argparse.Namespace, context: CommandContext) -> CommandResult:
    """Replace the database with a verified backup."""
    kiosk = context.kiosk()
    kiosk.services.maintenance.restore(acting_admin(args, kiosk), args.file)
    return CommandResult(
        {"restored": str(args.file)}, _("Đã khôi phục từ {path}").format(path=args.file)
    )
