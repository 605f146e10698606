"""``kiosk app list|show ID``: applications from the command line (viewing is audited)."""

from __future__ import annotations

import argparse
import uuid

from kiosk.commands.auth import acting_user, add_user_option
from kiosk.commands.base import CommandContext, CommandResult, UsageError
from kiosk.commands.render import application_detail, application_summary
from kiosk.domain.application import ApplicationState
from kiosk.domain.ids import ApplicationId
from kiosk.i18n import _


def register(groups: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``app`` and its sub-commands."""
    app = groups.add_parser("app", help=_("hồ sơ"))
    commands = app.add_subparsers(dest="app_command", required=True)
    listing = commands.add_parser("list", help=_("liệt kê hồ sơ"))
    listing.add_argument(
        "--state", choices=[s.value for s in ApplicationState], help=_("lọc theo trạng thái")
    )
    listing.add_argument("--limit", type=int, default=50, help=_("số hồ sơ tối đa"))
    listing.set_defaults(handler=run_list)
    show = commands.add_parser("show", help=_("xem một hồ sơ"))
    show.add_argument("id")
    show.set_defaults(handler=run_show)
    for command in (listing, show):
        add_user_option(command)
        command.add_argument("--json", action="store_true", help=_("in kết quả dạng JSON"))


def run_list(args: argparse.Namespace, context: CommandContext) -> CommandResult:
    """The most recently changed applications (no personal data in the list)."""
    kiosk = context.kiosk()
    states = [ApplicationState(args.state)] if args.state else None
    found = kiosk.services.records.page(acting_user(args, kiosk), states, limit=args.limit)
    rows = [application_summary(app) for app in found]
    lines = [f"{row['id']}  {row['state']:<10} {row['updated_at']}" for row in rows]
    return CommandResult({"applications": rows}, "\n".join(lines))


def run_show(args: argparse.Namespace, context: CommandContext) -> CommandResult:
    """One application in full; the view is audited."""
    kiosk = context.kiosk()
    try:
        application_id = ApplicationId(uuid.UUID(args.id))
    except ValueError:
        raise UsageError("ID must be an application id (UUID)") from None
    shown = kiosk.services.records.show(acting_user(args, kiosk), application_id)
    detail = application_detail(shown)
    return CommandResult({"application": detail}, "\n".join(f"{k}: {v}" for k, v in detail.items()))
