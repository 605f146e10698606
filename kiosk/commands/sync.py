"""``kiosk sync status|run`` and ``kiosk register --server URL --code CODE``.

``sync status`` needs no sign-in: pending count, oldest age, last error code, and whether the
server answers a signed ping now. ``sync run`` delivers every due packet and pulls verdicts and
configuration once, in this process, then prints the same status. ``register`` is an
administrator's (``--admin USER``, or the demo administrator in demo mode); its invitation code
comes from ``central kiosk invite`` and pins the server's key.
"""

from __future__ import annotations

import argparse
from typing import Any

from kiosk.commands.auth import acting_admin, add_admin_option
from kiosk.commands.base import CommandContext, CommandResult
from kiosk.i18n import _
from kiosk.services.sync_control import SyncStatus


def register(groups: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``sync`` and ``register``."""
    sync = groups.add_parser("sync", help=_("gửi hồ sơ về máy chủ trung tâm"))
    commands = sync.add_subparsers(dest="sync_command", required=True)
    status = commands.add_parser("status", help=_("tình trạng gửi hồ sơ"))
    status.set_defaults(handler=run_status)
    run = commands.add_parser("run", help=_("gửi ngay các hồ sơ đang chờ"))
    run.set_defaults(handler=run_round)
    registering = groups.add_parser("register", help=_("đăng ký máy với máy chủ trung tâm"))
    registering.add_argument("--server", required=True, metavar="URL")
    registering.add_argument("--code", required=True, metavar="CODE", help=_("mã mời của máy chủ"))
    add_admin_option(registering)
    registering.set_defaults(handler=run_register)
    for command in (status, run, registering):
        command.add_argument("--json", action="store_true", help=_("in kết quả dạng JSON"))


def run_status(_args: argparse.Namespace, context: CommandContext) -> CommandResult:
    """Where delivery stands, with a signed ping to say whether the server answers."""
    status = context.kiosk().services.sync.probe()
    return _status_result(status)


def run_round(_args: argparse.Namespace, context: CommandContext) -> CommandResult:
    """Deliver what is due now, pull verdicts and configuration, then report."""
    sync = context.kiosk().services.sync
    sync.release_stale()
    return _status_result(sync.run_once())


def run_register(args: argparse.Namespace, context: CommandContext) -> CommandResult:
    """Register this kiosk with the server the invitation code names."""
    kiosk = context.kiosk()
    done = kiosk.services.sync.register(acting_admin(args, kiosk), args.server, args.code)
    data = {
        "kiosk_id": done.kiosk_id,
        "server_id": done.server_id,
        "unit": done.unit,
        "counter": done.counter,
        "configuration_version": done.configuration_version,
    }
    text = _("Đã đăng ký máy {kiosk} với máy chủ {server} ({unit}, quầy {counter}).").format(
        kiosk=done.kiosk_id, server=done.server_id, unit=done.unit, counter=done.counter
    )
    return CommandResult(data, text)


def status_data(status: SyncStatus) -> dict[str, Any]:
    """The status as the JSON contract of ``kiosk sync status`` (docs/cli.md)."""
    age = status.oldest_age
    offset = status.clock_offset
    return {
        "registered": status.registered,
        "online": bool(status.online),
        "paused": status.paused,
        "halted": status.halted,
        "pending": status.undelivered,
        "oldest_age_seconds": None if age is None else round(age.total_seconds()),
        "failed": status.failed,
        "flagged": status.flagged,
        "conflicts": status.conflicts,
        "held": status.held,
        "backlog_too_old": status.backlog_too_old,
        "last_error_code": status.last_error_code,
        "last_contact_at": _iso(status.last_contact_at),
        "next_attempt_at": _iso(status.next_attempt_at),
        "clock_offset_seconds": None if offset is None else round(offset.total_seconds(), 1),
        "clock_skewed": status.clock_skewed,
    }


def _status_result(status: SyncStatus) -> CommandResult:
    data = status_data(status)
    online = _("trực tuyến") if data["online"] else _("ngoại tuyến")
    lines = [
        _("Máy chủ: {online}; đang chờ gửi: {pending}; gửi lỗi: {failed}").format(
            online=online, pending=data["pending"], failed=data["failed"]
        )
    ]
    if data["oldest_age_seconds"] is not None:
        lines.append(_("Hồ sơ chờ lâu nhất: {s} giây").format(s=data["oldest_age_seconds"]))
    if data["last_error_code"]:
        lines.append(_("Lỗi gần nhất: {code}").format(code=data["last_error_code"]))
    if not data["registered"]:
        lines.append(_("Máy chưa đăng ký với máy chủ trung tâm."))
    return CommandResult(data, "\n".join(lines))


def _iso(value: Any) -> str | None:
    return None if value is None else str(value.isoformat())
