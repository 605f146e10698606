"""``kiosk user add|list|disable|unlock``: account administration from the command line."""

from __future__ import annotations

import argparse

from kiosk.commands.auth import acting_admin, add_admin_option, read_password
from kiosk.commands.base import CommandContext, CommandResult
from kiosk.commands.render import user_json
from kiosk.domain.users import Role
from kiosk.i18n import _


def register(groups: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``user`` and its sub-commands."""
    user = groups.add_parser("user", help=_("quản lý tài khoản"))
    commands = user.add_subparsers(dest="user_command", required=True)
    add = commands.add_parser("add", help=_("tạo tài khoản (mật khẩu đọc từ bàn phím)"))
    add.add_argument("username")
    add.add_argument("--name", required=True, help=_("họ và tên"))
    add.add_argument("--service-number", required=True, help=_("số hiệu công an"))
    add.add_argument("--role", choices=[r.value for r in Role], required=True, help=_("vai trò"))
    add.set_defaults(handler=run_add)
    listing = commands.add_parser("list", help=_("liệt kê tài khoản"))
    listing.set_defaults(handler=run_list)
    for name, handler, text in (
        ("disable", run_disable, _("vô hiệu hóa tài khoản")),
        ("enable", run_enable, _("cho phép lại tài khoản")),
        ("unlock", run_unlock, _("mở khóa tài khoản")),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument("username")
        command.set_defaults(handler=handler)
    for command in (add, listing, *(commands.choices[n] for n in ("disable", "enable", "unlock"))):
        add_admin_option(command)
        command.add_argument("--json", action="store_true", help=_("in kết quả dạng JSON"))


def run_add(args: argparse.Namespace, context: CommandContext) -> CommandResult:
    """Create an account; the first account of an empty database needs no administrator."""
    kiosk = context.kiosk()
    first = kiosk.services.users.is_empty()
    actor = None if first else acting_admin(args, kiosk)
    password = read_password()
    user = kiosk.services.users.add(
        actor,
        username=args.username,
        full_name=args.name,
        service_number=args.service_number,
        role=Role(args.role),
        password=password,
    )
    return CommandResult(
        {"user": user_json(user)}, _("Đã tạo tài khoản {name}.").format(name=user.username)
    )


def run_list(args: argparse.Namespace, context: CommandContext) -> CommandResult:
    """List every account."""
    kiosk = context.kiosk()
    users = kiosk.services.users.list(acting_admin(args, kiosk))
    lines = [
        f"{u.username:<16} {u.role.value:<11} {'x' if u.disabled else ' '} {u.full_name}"
        for u in users
    ]
    return CommandResult({"users": [user_json(u) for u in users]}, "\n".join(lines))


def run_disable(args: argparse.Namespace, context: CommandContext) -> CommandResult:
    """Disable an account."""
    return _set_disabled(args, context, True)


def run_enable(args: argparse.Namespace, context: CommandContext) -> CommandResult:
    """Re-enable an account."""
    return _set_disabled(args, context, False)


def run_unlock(args: argparse.Namespace, context: CommandContext) -> CommandResult:
    """Lift a lock-out."""
    kiosk = context.kiosk()
    kiosk.services.users.unlock(acting_admin(args, kiosk), args.username)
    return CommandResult(
        {"unlocked": args.username}, _("Đã mở khóa {name}.").format(name=args.username)
    )


def _set_disabled(
    args: argparse.Namespace, context: CommandContext, disabled: bool
) -> CommandResult:
    kiosk = context.kiosk()
    user = kiosk.services.users.set_disabled(acting_admin(args, kiosk), args.username, disabled)
    state = _("đã vô hiệu hóa") if disabled else _("đã cho phép lại")
    return CommandResult({"user": user_json(user)}, f"{user.username}: {state}")
