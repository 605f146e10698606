"""``kiosk receipt verify|print``: checking a receipt offline, and saving one as PDF.

``verify`` prints ``{"valid": bool, ...}`` and exits 0 when the receipt verifies, 5 when not
(design.md); it needs no login. A ``.pdf`` is checked through the token in its metadata, any
other file as a photo or scan of the printed QR code, ``--text`` as the code's text itself.
"""

from __future__ import annotations

import argparse
import uuid
from pathlib import Path

from kiosk.commands.auth import acting_user, add_user_option
from kiosk.commands.base import CommandContext, CommandResult, UsageError
from kiosk.documents.image import read_bytes
from kiosk.domain.ids import ApplicationId
from kiosk.i18n import _
from kiosk.receipts.payload import ReceiptKind
from kiosk.services.receipts import ReceiptCheck

EXIT_INVALID = 5


def register(groups: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``receipt`` and its sub-commands."""
    receipt = groups.add_parser("receipt", help=_("giấy biên nhận"))
    commands = receipt.add_subparsers(dest="receipt_command", required=True)
    verify = commands.add_parser("verify", help=_("kiểm tra giấy biên nhận"))
    source = verify.add_mutually_exclusive_group(required=True)
    source.add_argument("file", nargs="?", type=Path, help=_("tệp PDF hoặc ảnh chụp giấy"))
    source.add_argument("--text", help=_("nội dung mã QR"))
    verify.set_defaults(handler=run_verify)
    issue = commands.add_parser("print", help=_("lưu giấy biên nhận thành tệp PDF"))
    issue.add_argument("id", help=_("mã hồ sơ"))
    issue.add_argument("--out", type=Path, required=True, help=_("tệp PDF kết quả"))
    issue.add_argument(
        "--slip", action="store_true", help=_("phiếu tiếp nhận (hồ sơ chờ phê duyệt)")
    )
    add_user_option(issue)
    issue.set_defaults(handler=run_print)
    for command in (verify, issue):
        command.add_argument("--json", action="store_true", help=_("in kết quả dạng JSON"))


def run_verify(args: argparse.Namespace, context: CommandContext) -> CommandResult:
    """Check the receipt against the trusted stations' public keys."""
    service = context.kiosk().services.receipts
    if args.text is not None:
        check = service.verify_text(args.text)
    elif args.file.suffix.lower() == ".pdf":
        check = service.verify_pdf(read_bytes(args.file))
    else:
        check = service.verify_image(read_bytes(args.file))
    return _verdict(check)


def run_print(args: argparse.Namespace, context: CommandContext) -> CommandResult:
    """Issue the receipt (or slip) of one application and save it; audited."""
    kiosk = context.kiosk()
    try:
        application_id = ApplicationId(uuid.UUID(args.id))
    except ValueError:
        raise UsageError("ID must be an application id (UUID)") from None
    kind = ReceiptKind.SLIP if args.slip else ReceiptKind.RECEIPT
    service = kiosk.services.receipts
    issued = service.save(acting_user(args, kiosk), application_id, kind, args.out)
    data = {"file": str(args.out), "kind": kind.value, "receipt": issued.reference}
    return CommandResult(data, _("Đã lưu giấy biên nhận vào {path}.").format(path=args.out))


def _verdict(check: ReceiptCheck) -> CommandResult:
    data: dict[str, object] = {"valid": check.valid, "reason": check.reason}
    claims = check.claims
    if claims is None:
        text = _("Giấy biên nhận KHÔNG hợp lệ ({reason}).").format(reason=check.reason)
        return CommandResult(data, text, EXIT_INVALID)
    data.update(
        application_id=str(claims.application_id),
        kind=claims.kind.value,
        issued_at=claims.issued_at.isoformat(),
        station=claims.station,
        digest=claims.digest,
        demo=claims.demo,
    )
    text = _("Giấy biên nhận hợp lệ: hồ sơ {id}, máy {station}, in lúc {at}.").format(
        id=claims.application_id, station=claims.station, at=claims.issued_at.isoformat()
    )
    return CommandResult(data, text)
