"""``kiosk report daily [--date D] --out FILE``: the day's figures of this station as a PDF.

The date is Vietnam's (Asia/Ho_Chi_Minh), today when omitted; the figures are printed too.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kiosk.commands.auth import acting_user, add_user_option
from kiosk.commands.base import CommandContext, CommandResult
from kiosk.domain.clock import to_local
from kiosk.domain.validators import parse_date
from kiosk.i18n import _


def register(groups: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``report`` and its sub-commands."""
    report = groups.add_parser("report", help=_("báo cáo"))
    commands = report.add_subparsers(dest="report_command", required=True)
    daily = commands.add_parser("daily", help=_("báo cáo trong ngày"))
    daily.add_argument("--date", help=_("ngày báo cáo (mặc định: hôm nay)"))
    daily.add_argument("--out", type=Path, required=True, help=_("tệp PDF kết quả"))
    daily.add_argument("--json", action="store_true", help=_("in kết quả dạng JSON"))
    add_user_option(daily)
    daily.set_defaults(handler=run_daily)


def run_daily(args: argparse.Namespace, context: CommandContext) -> CommandResult:
    """Write the report of the day and print its figures."""
    kiosk = context.kiosk()
    today = to_local(kiosk.context.clock.now()).date()
    day = parse_date(args.date, today=today, field="date") if args.date else today
    service = kiosk.services.receipts
    report = service.save_daily_report(acting_user(args, kiosk), day, args.out)
    data = {**report.to_json(), "file": str(args.out)}
    text = _("Đã lưu báo cáo ngày {day} vào {path}.").format(day=day.isoformat(), path=args.out)
    return CommandResult(data, text)
