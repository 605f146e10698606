"""``kiosk face match|check|eval``: the face pipeline on image files, for support and evaluation.

``match`` compares two photos, ``check`` reports every guidance measure of one photo and the
instruction a citizen would get, ``eval`` measures error rates over a labelled folder
(person/image) and the threshold that reaches the target false match rate. No face, two faces,
a corrupt or enormous image: a clear error with exit code 5.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from kiosk.commands.base import CommandContext, CommandResult
from kiosk.commands.render import plain
from kiosk.config import FaceSettings
from kiosk.domain.biometrics import FaceDecision, compare_faces
from kiosk.face.detect import face_distance
from kiosk.face.errors import MultipleFaces, NoFace
from kiosk.face.eval import evaluate
from kiosk.face.images import decode_image
from kiosk.face.match import encode_single
from kiosk.face.quality import analyse
from kiosk.i18n import _
from kiosk.messages import guidance_text


def register(groups: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``face`` and its sub-commands."""
    face = groups.add_parser("face", help=_("khuôn mặt: so khớp, kiểm tra ảnh, đánh giá"))
    commands = face.add_subparsers(dest="face_command", required=True)
    match = commands.add_parser("match", help=_("so khớp hai ảnh khuôn mặt"))
    match.add_argument("image_a", type=Path)
    match.add_argument("image_b", type=Path)
    match.add_argument(
        "--threshold",
        type=float,
        default=FaceSettings().match_threshold,
        help=_("ngưỡng khoảng cách (mặc định: ngưỡng thận trọng, chưa thẩm định)"),
    )
    match.set_defaults(handler=run_match, needs_settings=False)
    check = commands.add_parser("check", help=_("các chỉ số hướng dẫn của một ảnh"))
    check.add_argument("image", type=Path)
    check.set_defaults(handler=run_check, needs_settings=False)
    evaluation = commands.add_parser("eval", help=_("tỉ lệ lỗi trên thư mục ảnh có nhãn"))
    evaluation.add_argument("folder", type=Path)
    evaluation.set_defaults(handler=run_eval, needs_settings=False)
    for command in (match, check, evaluation):
        command.add_argument("--json", action="store_true", help=_("in kết quả dạng JSON"))


def run_match(args: argparse.Namespace, _context: CommandContext) -> CommandResult:
    """Compare the faces of two photos."""
    first = encode_single(decode_image(args.image_a.read_bytes()))
    second = encode_single(decode_image(args.image_b.read_bytes()))
    result = compare_faces(face_distance(first, second), args.threshold)
    data = {
        "distance": round(result.distance, 4),
        "threshold": result.threshold,
        "match": result.decision is FaceDecision.MATCH,
        "decision": result.decision.value,
    }
    text = _("Khoảng cách {distance:.3f} (ngưỡng {threshold}): {decision}").format(
        distance=result.distance, threshold=result.threshold, decision=result.decision.value
    )
    return CommandResult(data, text)


def run_check(args: argparse.Namespace, _context: CommandContext) -> CommandResult:
    """Every guidance measure of one photo and the instruction it would give."""
    guidance = analyse(decode_image(args.image.read_bytes()))
    if guidance.face_count == 0:
        raise NoFace("no face in the image")
    if guidance.face_count > 1:
        raise MultipleFaces("more than one face", count=guidance.face_count)
    code = guidance.instruction.value
    data: dict[str, Any] = {
        "faces": guidance.face_count,
        "instruction": code,
        "instruction_vi": guidance_text(code, "vi"),
        "instruction_en": guidance_text(code, "en"),
        "ready": guidance.is_ready,
        "measures": plain(guidance.measures),
    }
    return CommandResult(data, f"{code}: {guidance_text(code)}")


def run_eval(args: argparse.Namespace, _context: CommandContext) -> CommandResult:
    """FMR and FNMR at each threshold, and the threshold reaching the target FMR."""
    evaluation = evaluate(args.folder)
    data: dict[str, Any] = plain(evaluation)
    lines = [
        f"{r['threshold']:.2f}  FMR {r['fmr']:.4f}  FNMR {r['fnmr']:.4f}" for r in data["rates"]
    ]
    lines.append(_("Ngưỡng đạt FMR mục tiêu: {value}").format(value=evaluation.threshold_at_target))
    lines.append(
        _("{people} người, {images} ảnh ({skipped} bỏ qua), {impostor} cặp khác người").format(
            people=evaluation.people,
            images=evaluation.images,
            skipped=evaluation.skipped,
            impostor=evaluation.impostor_pairs,
        )
    )
    if not evaluation.is_resolved:
        lines.append(_("Quá ít cặp khác người để đo được FMR mục tiêu."))
    return CommandResult(data, "\n".join(lines))
