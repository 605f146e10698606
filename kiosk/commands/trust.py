"""``kiosk trust import FILE`` and ``kiosk trust list``: the CSCA anchors of Passive Authentication.

``import`` takes a CSCA certificate (PEM or DER), an ICAO master list (with ``--confirm`` giving
the SHA-256 fingerprint of each CSCA that may have issued its signer), or a CRL; an administrator
runs it. ``list`` needs no sign-in: subject, country, validity, days left and source of every
anchor, and each CRL's next update, with warnings 60 days before a CSCA expires and 7 days
before a CRL is due (``crl_stale`` once it is past).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from kiosk.app import local_today
from kiosk.commands.auth import acting_admin, add_admin_option
from kiosk.commands.base import CommandContext, CommandResult
from kiosk.commands.render import plain
from kiosk.i18n import _


def register(groups: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``trust`` and its sub-commands."""
    trust = groups.add_parser("trust", help=_("chứng thư CSCA tin cậy"))
    commands = trust.add_subparsers(dest="trust_command", required=True)
    importing = commands.add_parser("import", help=_("nhập chứng thư CSCA, danh sách chủ, CRL"))
    importing.add_argument("file", type=Path)
    importing.add_argument(
        "--confirm",
        action="append",
        default=[],
        metavar="SHA256",
        help=_("dấu vân tay SHA-256 của CSCA đã đối chiếu (cho danh sách chủ)"),
    )
    add_admin_option(importing)
    importing.set_defaults(handler=run_import)
    listing = commands.add_parser("list", help=_("liệt kê chứng thư tin cậy"))
    listing.set_defaults(handler=run_list)
    for command in (importing, listing):
        command.add_argument("--json", action="store_true", help=_("in kết quả dạng JSON"))


def run_import(args: argparse.Namespace, context: CommandContext) -> CommandResult:
    """Install the file's anchors or CRL."""
    kiosk = context.kiosk()
    imported = kiosk.services.trust.import_file(acting_admin(args, kiosk), args.file, args.confirm)
    data = {"kind": imported.kind, "installed": list(imported.installed)}
    lines = [_("Đã nhập ({kind}):").format(kind=imported.kind), *imported.installed]
    return CommandResult(data, "\n".join(lines))


def run_list(_args: argparse.Namespace, context: CommandContext) -> CommandResult:
    """Every installed anchor and CRL, with warnings."""
    found = context.kiosk().services.trust.report(local_today())
    data: dict[str, Any] = {
        "anchors": plain(found.anchors),
        "revocation_lists": plain(found.revocation_lists),
    }
    lines = [
        f"{a.country or '??'}  {a.not_after} ({a.days_left} d)  {a.subject}  {' '.join(a.warnings)}"
        for a in found.anchors
    ]
    lines += [
        f"CRL {c.country or '??'}  {c.next_update}  {c.issuer}  {' '.join(c.warnings)}"
        for c in found.revocation_lists
    ]
    return CommandResult(data, "\n".join(lines) or _("Chưa có chứng thư CSCA nào."))
