"""``kiosk doc scan``: one photographed or scanned card, found, flattened, checked and decoded.

The JSON says whether a card was found, its corners, the quality measures and the reasons to
retake, the decoded and validated QR fields, and every mismatch with a chip read given by
``--chip`` (the output of ``kiosk card read --json``). A corrupt, empty or enormous file is a
clear error with exit code 5.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from kiosk.commands.base import CommandContext, CommandResult
from kiosk.commands.render import plain
from kiosk.documents.report import scan_report
from kiosk.documents.scan import ScanResult, scan
from kiosk.domain.documents import DocumentKind
from kiosk.domain.validators import ValidationFailed
from kiosk.i18n import _


def register(groups: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``doc`` and its sub-commands."""
    doc = groups.add_parser("doc", help=_("giấy tờ: GPLX, BHYT, CCCD"))
    commands = doc.add_subparsers(dest="doc_command", required=True)
    scan_parser = commands.add_parser("scan", help=_("tìm thẻ trong ảnh, làm phẳng, đọc mã QR"))
    scan_parser.add_argument("image", type=Path)
    scan_parser.add_argument(
        "--kind", choices=[k.value for k in DocumentKind], required=True, help=_("loại thẻ")
    )
    scan_parser.add_argument("--chip", type=Path, help=_("kết quả đọc chip (JSON) để đối chiếu"))
    scan_parser.add_argument("--out", type=Path, help=_("lưu ảnh thẻ đã làm phẳng (PNG)"))
    scan_parser.add_argument("--json", action="store_true", help=_("in kết quả dạng JSON"))
    scan_parser.set_defaults(handler=run_scan, needs_settings=False)


def run_scan(args: argparse.Namespace, _context: CommandContext) -> CommandResult:
    """Scan the image and report what was found."""
    chip = _chip_read(args.chip) if args.chip else None
    result = scan(args.image, DocumentKind(args.kind), chip)
    if args.out is not None:
        args.out.write_bytes(result.png())
    data = scan_report(result)
    return CommandResult(data, _summary(result))


def _chip_read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValidationFailed("chip", "unreadable_json") from err
    if not isinstance(data, dict):
        raise ValidationFailed("chip", "not_an_object")
    return data


def _summary(result: ScanResult) -> str:
    if not result.found:
        return _("Không thấy thẻ trong ảnh.")
    reasons = ", ".join(r.value for r in result.quality.reasons) if result.quality else ""
    lines = [_("Đã tìm thấy thẻ.") + (f" ({reasons})" if reasons else "")]
    if result.qr_text is not None:
        lines.append(_("Mã QR: {text}").format(text=result.qr_text))
    if result.cross_check is not None:
        lines += [f"≠ {plain(m)}" for m in result.cross_check.mismatches]
    return "\n".join(lines)
