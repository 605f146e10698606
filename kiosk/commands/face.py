"""``kiosk face match|check|eval``: the face pipeline on image files, for support and evaluation.

``match`` compares two photos, ``check`` reports every guidance measure of one photo and the
instruction a citizen would get, ``eval`` measures error rates over a labelled folder
(person/image) and the threshold that reaches the target false match rate. No face, two faces,
a corrupt or enormous image: a clear error with exit code 5.

``liveness`` judges a recorded clip against a challenge; ``liveness-set`` writes the synthetic
labelled set from a seed and ``liveness-eval`` reports APCER per attack species and BPCER on
it, labelled as synthetic (docs/liveness.md).
"""

from __future__ import annotations

import argparse
from importlib import resources
from pathlib import Path
from typing import Any

from kiosk.commands.base import CommandContext, CommandResult
from kiosk.commands.render import plain
from kiosk.config import FaceSettings
from kiosk.devices.camera.presentations import write_set
from kiosk.domain.biometrics import FaceDecision, compare_faces
from kiosk.face.detect import face_distance
from kiosk.face.engine import InProcessFace
from kiosk.face.errors import MultipleFaces, NoFace
from kiosk.face.eval import evaluate
from kiosk.face.images import decode_image
from kiosk.face.liveness import evaluation
from kiosk.face.liveness.challenge import Challenge, parse_challenge
from kiosk.face.liveness.clips import judge_clip
from kiosk.face.liveness.verdict import LivenessResult
from kiosk.face.match import encode_single
from kiosk.face.quality import analyse
from kiosk.i18n import _
from kiosk.messages import guidance_text, liveness_reason


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
    for command in (match, check, evaluation, *_register_liveness(commands)):
        command.add_argument("--json", action="store_true", help=_("in kết quả dạng JSON"))


def _register_liveness(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> tuple[argparse.ArgumentParser, ...]:
    liveness = commands.add_parser("liveness", help=_("kiểm tra người thật trên một đoạn video"))
    liveness.add_argument("video", type=Path)
    liveness.add_argument(
        "--challenge", required=True, help=_("các động tác theo thứ tự, ví dụ blink,left")
    )
    liveness.set_defaults(handler=run_liveness, needs_settings=False)
    made = commands.add_parser("liveness-set", help=_("tạo bộ dữ liệu tổng hợp có nhãn"))
    made.add_argument("folder", type=Path)
    made.add_argument("--seed", type=int, required=True, help=_("hạt giống ngẫu nhiên"))
    made.add_argument("--per-species", type=int, default=10, help=_("số đoạn mỗi loại"))
    made.set_defaults(handler=run_liveness_set, needs_settings=False)
    judged = commands.add_parser("liveness-eval", help=_("APCER và BPCER trên bộ dữ liệu có nhãn"))
    judged.add_argument("folder", type=Path)
    judged.set_defaults(handler=run_liveness_eval, needs_settings=False)
    return liveness, made, judged


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


def _liveness_data(result: LivenessResult) -> dict[str, Any]:
    data: dict[str, Any] = plain(result)
    data["challenge"] = [action.value for action in result.challenge]
    for step in data["steps"]:
        step["passed"] = step["failure"] is None
    return data


def run_liveness(args: argparse.Namespace, _context: CommandContext) -> CommandResult:
    """Judge a recorded clip against the challenge, its first frame being the first cue."""
    challenge = parse_challenge(args.challenge)
    result = judge_clip(args.video, challenge, InProcessFace())
    data = _liveness_data(result)
    data["reasons_vi"] = [liveness_reason(code, "vi") for code in result.reasons]
    data["reasons_en"] = [liveness_reason(code, "en") for code in result.reasons]
    verdict = _("người thật") if result.live else _("không đạt")
    return CommandResult(data, "; ".join([verdict, *map(liveness_reason, result.reasons)]))


def run_liveness_set(args: argparse.Namespace, _context: CommandContext) -> CommandResult:
    """Write the synthetic labelled set (every species, ``--per-species`` clips each)."""
    faces = resources.files("kiosk.resources") / "demo" / "faces"
    photos = [Path(str(faces / name)) for name in ("grace_hopper.jpg", "astronaut.png")]
    clips = write_set(args.folder, photos, args.seed, max(1, args.per_species))
    data = {"folder": str(args.folder), "seed": args.seed, "clips": len(clips)}
    text = _("Đã ghi {count} đoạn vào {folder}").format(count=len(clips), folder=args.folder)
    return CommandResult(data, text)


def run_liveness_eval(args: argparse.Namespace, _context: CommandContext) -> CommandResult:
    """APCER per attack species, the worst, and BPCER, with counts, labelled synthetic."""
    engine = InProcessFace()

    def judge(path: Path, challenge: Challenge) -> LivenessResult:
        return judge_clip(path, challenge, engine)

    report = evaluation.evaluate(args.folder, judge)
    data: dict[str, Any] = plain(report)
    lines = [report.label]
    if not report.held_out:
        lines.append(_("Bộ này dùng hạt giống đã dùng để chỉnh ngưỡng: không phải tập kiểm tra."))
    for rate in report.species:
        lines.append(f"APCER {rate.species}: {rate.apcer:.3f} ({rate.accepted}/{rate.attacks})")
    if report.worst_apcer is not None:
        lines.append(f"APCER max ({report.worst_species}): {report.worst_apcer:.3f}")
    if report.bpcer is not None:
        lines.append(f"BPCER: {report.bpcer:.3f} ({report.rejected}/{report.bona_fide})")
    return CommandResult(data, "\n".join(lines))
