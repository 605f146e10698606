"""``kiosk audit verify|export``: checking the audit chain and exporting it for auditors.

``verify`` prints ``{"valid": bool, ...}`` with ``first_bad`` and exits 0 when the chain is
intact, 5 when it is not (design.md); it needs no login.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, time
from pathlib import Path

from kiosk.commands.auth import acting_admin, add_admin_option
from kiosk.commands.base import CommandContext, CommandResult
from kiosk.domain.validators import parse_date
from kiosk.i18n import _

EXIT_INVALID = 5


def register(groups: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``audit`` and its sub-commands."""
    audit = groups.add_parser("audit", help=_("nhật ký kiểm tra"))
    commands = audit.add_subparsers(dest="audit_command", required=True)
    verify = commands.add_parser("verify", help=_("kiểm tra tính toàn vẹn"))
    verify.set_defaults(handler=run_verify)
    export = commands.add_parser("export", help=_("xuất nhật ký có chữ ký số"))
    export.add_argument("--from", dest="start", required=True, help=_("từ ngày"))
    export.add_argument("--to", dest="end", required=True, help=_("đến ngày (tính cả ngày này)"))
    export.add_argument("--out", type=Path, help=_("tệp kết quả"))
    export.set_defaults(handler=run_export)
    add_admin_option(export)
    for command in (verify, export):
        command.add_argument("--json", action="store_true", help=_("in kết quả dạng JSON"))


def run_verify(_args: argparse.Namespace, context: CommandContext) -> CommandResult:
    """Check every entry's hash, link and MAC."""
    report = context.kiosk().services.audit.verify()
    data = {
        "valid": report.valid,
        "entries": report.entries,
        "first_bad": report.first_bad,
        "head": report.head,
    }
    if report.valid:
        text = _("Nhật ký toàn vẹn ({count} mục).").format(count=report.entries)
    else:
        text = _("Nhật ký KHÔNG toàn vẹn từ mục số {first_bad}.").format(first_bad=report.first_bad)
    return CommandResult(data, text, 0 if report.valid else EXIT_INVALID)


def run_export(args: argparse.Namespace, context: CommandContext) -> CommandResult:
    """Write the signed entries of the days from ``--from`` to ``--to`` (both included)."""
    kiosk = context.kiosk()
    today = kiosk.context.clock.now().date()
    first = parse_date(args.start, today=today, field="from")
    last = parse_date(args.end, today=today, field="to")
    start = datetime.combine(first, time.min, UTC)
    end = datetime.combine(last, time.max, UTC)
    target = args.out or Path(f"audit-{first.isoformat()}-{last.isoformat()}.json")
    count = kiosk.services.audit.export(acting_admin(args, kiosk), start, end, target)
    return CommandResult(
        {"entries": count, "file": str(target)},
        _("Đã xuất {count} mục vào {path}.").format(count=count, path=target),
    )
