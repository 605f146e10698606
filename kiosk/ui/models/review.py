"""What the screens say about a captured application, in plain lines (Qt-free).

The officer's steps, the citizen's confirmation page and the supervisor's review all describe
the same things: who the chip says the citizen is, what the chip checks concluded and why, how
the face compared, what was overridden, how long each stage took. The wording lives here once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from kiosk.domain.application import Application
from kiosk.domain.biometrics import FaceGate, FaceMatch, face_gate
from kiosk.domain.citizen import Citizen, Sex
from kiosk.domain.evidence import ChipEvidence, DocumentEvidence, Evidence, LivenessEvidence
from kiosk.i18n import N_, _
from kiosk.messages import liveness_reason

REASON_TEXTS = {
    "passive_authentication_invalid": N_("chữ ký dữ liệu chip không hợp lệ"),
    "passive_authentication_unverified": N_("chưa có chứng thư CSCA tin cậy"),
    "passive_authentication_not_performed": N_("chưa kiểm tra chữ ký dữ liệu chip"),
    "chip_authentication_invalid": N_("xác thực chip (CA) không đạt"),
    "active_authentication_invalid": N_("xác thực chủ động (AA) không đạt"),
    "suspected_clone": N_("nghi chip bị sao chép"),
    "no_clone_check": N_("chip không hỗ trợ kiểm tra chống sao chép"),
    "clone_check_incomplete": N_("kiểm tra chống sao chép chưa hoàn tất"),
}

SEX_TEXTS = {Sex.MALE: N_("Nam"), Sex.FEMALE: N_("Nữ")}

STAGE_TEXTS = {
    "access": N_("Nhập khóa truy cập"),
    "chip": N_("Đọc chip"),
    "face": N_("Chụp và so khớp khuôn mặt"),
    "documents": N_("Giấy tờ kèm theo"),
    "contact": N_("Liên lạc"),
    "confirm": N_("Công dân xác nhận"),
}

GATE_TEXTS = {
    FaceGate.PASSED: N_("Khuôn mặt khớp với ảnh trong chip."),
    FaceGate.RETRY: N_("Khuôn mặt chưa khớp: mời chụp lại."),
    FaceGate.NEEDS_OVERRIDE: N_("Đã hết 3 lần chụp: cần lãnh đạo cho phép tiếp tục."),
    FaceGate.OVERRIDDEN: N_("Lãnh đạo đã cho phép tiếp tục (lý do: {reason})."),
}


def reason_text(code: str) -> str:
    """A chip check's reason code in plain words (the code itself when it is not known)."""
    source = REASON_TEXTS.get(code.split(":", 1)[0])
    return _(source) if source else code


def day(value: date | None) -> str:
    """A date as Vietnamese write it."""
    return value.strftime("%d/%m/%Y") if value else "—"


def citizen_lines(citizen: Citizen) -> list[str]:
    """The identity the chip holds, one fact a line."""
    expiry = _("Không thời hạn") if citizen.lifetime else day(citizen.date_of_expiry)
    return [
        f"{_('Họ và tên')}: {citizen.full_name}",
        f"{_('Số định danh')}: {citizen.id_number}",
        f"{_('Ngày sinh')}: {day(citizen.date_of_birth)}   {_('Giới tính')}: "
        f"{_(SEX_TEXTS[citizen.sex])}",
        f"{_('Nơi thường trú')}: {citizen.place_of_residence or '—'}",
        f"{_('Ngày cấp')}: {day(citizen.date_of_issue)}   {_('Có giá trị đến')}: {expiry}",
    ]


def match_line(match: FaceMatch) -> str:
    """The face comparison's figures and decision."""
    decision = _("khớp") if match.decision.value == "match" else _("không khớp")
    return _("Khoảng cách {distance:.3f} (ngưỡng {threshold:.3f}): {decision}").format(
        distance=match.distance, threshold=match.threshold, decision=decision
    )


def face_lines(application: Application) -> list[str]:
    """The face attempts, the policy's answer and any override."""
    face = application.face
    gate = face_gate(face)
    reason = face.override.reason if face.override else ""
    lines = [
        _("Số lần chụp: {count}, không đạt: {failed}").format(
            count=len(face.outcomes), failed=face.failures
        ),
        _(GATE_TEXTS[gate]).format(reason=reason),
    ]
    return lines


def chip_lines(chip: ChipEvidence) -> list[str]:
    """Each chip check's verdict and reasons, as stored with the application."""
    checks = (
        (_("Xác thực thụ động (PA)"), chip.passive_authentication),
        (_("Xác thực chip (CA)"), chip.chip_authentication),
        (_("Xác thực chủ động (AA)"), chip.active_authentication),
    )
    lines = [f"{_('Mở chip bằng')}: {chip.access}"]
    for name, check in checks:
        reasons = ", ".join(reason_text(r) for r in check.reasons)
        lines.append(f"{name}: {check.verdict}" + (f" ({reasons})" if reasons else ""))
    return lines


def liveness_line(live: bool, challenge: tuple[str, ...], reasons: tuple[str, ...]) -> str:
    """One liveness check's result, the challenge asked and why it failed."""
    result = _("đạt") if live else _("không đạt")
    why = ", ".join(liveness_reason(code) for code in reasons)
    line = _("Kiểm tra người thật: {result} ({challenge})").format(
        result=result, challenge=", ".join(challenge)
    )
    return f"{line}: {why}" if why else line


def liveness_lines(liveness: LivenessEvidence | None) -> list[str]:
    """The liveness result and the officer's attestation, or that none was recorded."""
    if liveness is None:
        return [_("Kiểm tra người thật: chưa có")]
    attested = _("có") if liveness.attested_by is not None else _("không")
    return [
        liveness_line(liveness.live, liveness.challenge, liveness.reasons),
        _("Cán bộ xác nhận đã chứng kiến: {attested}").format(attested=attested),
    ]


def document_lines(documents: Mapping[str, DocumentEvidence]) -> list[str]:
    """Each scanned card, its fields and its mismatches with the chip."""
    if not documents:
        return [_("Giấy tờ kèm theo: không có")]
    lines = []
    for kind, scan in sorted(documents.items()):
        fields = ", ".join(f"{name}: {value}" for name, value in sorted(scan.fields.items()))
        lines.append(f"{kind.upper()}: {fields}")
        lines.extend(
            _("  Khác với chip: {field} (thẻ: {card}, chip: {chip})").format(
                field=m.field, card=m.on_card, chip=m.on_chip
            )
            for m in scan.mismatches
        )
    return lines


def timing_lines(timings: Mapping[str, float]) -> list[str]:
    """The time spent at each stage, in seconds."""
    return [
        f"{_(STAGE_TEXTS.get(stage, stage))}: {ms / 1000:.1f} s" for stage, ms in timings.items()
    ]


def evidence_lines(application: Application, evidence: Evidence) -> list[str]:
    """Everything captured, for the review and the resumed draft."""
    lines: list[str] = []
    if application.citizen is not None:
        lines.extend(citizen_lines(application.citizen))
    if application.chip_verdict is not None:
        lines.append(f"{_('Kết luận chip')}: {application.chip_verdict.value}")
    if evidence.chip is not None:
        lines.extend(chip_lines(evidence.chip))
    lines.extend(face_lines(application))
    lines.extend(liveness_lines(evidence.liveness))
    lines.extend(document_lines(evidence.documents))
    if application.phone:
        lines.append(
            f"{_('Điện thoại')}: {application.phone}   {_('Thư điện tử')}: "
            f"{application.email or '—'}"
        )
    lines.extend(timing_lines(evidence.timings_ms))
    return lines
