"""Scanning one side of a GPLX, BHYT or CCCD card, for the enrolment screens and the demo.

The scanner port gives the whole scene; ``kiosk.documents`` finds the card, flattens it, checks
its quality, decodes and parses its QR code and compares it with the chip read. The service
hands back what a screen shows (the flat card as PNG, the reasons to retake, the fields, the
mismatches) in plain values and domain words, since the UI may not import ``kiosk.documents``.
It stores nothing: keeping a scan as evidence is the enrolment's decision.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kiosk.devices.ports import DocumentScanner, Side
from kiosk.documents.report import scan_report
from kiosk.documents.scan import scan_image
from kiosk.domain.documents import DocumentKind, QualityReason
from kiosk.domain.errors import Cancelled, DomainError, ErrorCode
from kiosk.domain.evidence import DocumentEvidence, Mismatch
from kiosk.domain.progress import Progress, ProgressSink
from kiosk.services.chip_reading import ChipReadOutcome

log = logging.getLogger(__name__)

STEPS = 2
"""Progress units of one scan: the capture, then the analysis (step ``document:scan``)."""


@dataclass(frozen=True, slots=True)
class DocumentScan:
    """One scan's outcome.

    Attributes:
        found: whether a card was in the picture (if not, ``reasons`` is empty and there is
            no flat image: the officer places the card and scans again).
        passed: found, and no quality check failed.
        reasons: the quality checks that failed, to show with the flat image.
        flat_png: the flat, upright card (PNG), or None when no card was found.
        flat_jpeg: the same as JPEG, as the application keeps it.
        qr_text: the QR payload exactly as decoded, or None (evidence).
        fields: the parsed QR fields as JSON values, or None when not decoded or refused.
        qr_problem: ``{"field", "rule"}`` when the decoded text was refused by its layout.
        mismatches: the cross-check's disagreements (empty without a chip read).
        report: everything, as ``kiosk doc scan --json`` prints it.
    """

    kind: DocumentKind
    side: Side
    found: bool
    passed: bool
    reasons: tuple[QualityReason, ...]
    flat_png: bytes | None = field(repr=False)
    flat_jpeg: bytes | None = field(repr=False)
    qr_text: str | None = field(repr=False)
    fields: dict[str, Any] | None = field(repr=False)
    qr_problem: dict[str, Any] | None
    mismatches: tuple[Mismatch, ...] = field(repr=False)
    report: dict[str, Any] = field(repr=False)

    def evidence(self) -> DocumentEvidence:
        """The scan as the enrolment keeps it (``EnrolmentService.record_document``).

        Raises:
            DomainError: CARD_NOT_FOUND when no card was found.
        """
        if self.flat_jpeg is None:
            raise DomainError(ErrorCode.CARD_NOT_FOUND, "no card in the scan")
        return DocumentEvidence(
            kind=self.kind.value,
            image=self.flat_jpeg,
            qr_text=self.qr_text,
            fields=_flat_fields(self.fields or {}),
            mismatches=self.mismatches,
            quality=tuple(reason.value for reason in self.reasons),
        )


class DocumentScanService:
    """Scans cards with the configured document scanner.

    Args:
        scanner: the scanner port (document camera, files, the demo's simulated scanner), or
            None when this kiosk has none.
    """

    def __init__(self, scanner: DocumentScanner | None) -> None:
        self._scanner = scanner

    def scan(
        self,
        kind: DocumentKind,
        side: Side = Side.FRONT,
        *,
        chip: Mapping[str, object] | None = None,
        progress: ProgressSink | None = None,
        cancel: threading.Event | None = None,
    ) -> DocumentScan:
        """Capture ``side`` of a ``kind`` card and analyse it; ``chip`` adds the cross-check.

        ``chip`` is ``chip_claims(outcome)`` of the application's chip read (or the object
        ``kiosk card read --json`` prints).

        Raises:
            DomainError: CAMERA_UNAVAILABLE when there is no scanner.
            kiosk.devices.errors.DeviceError: what the scanner raises (unavailable, timeout).
            Cancelled: ``cancel`` was set.
        """
        if self._scanner is None:
            raise DomainError(ErrorCode.CAMERA_UNAVAILABLE, "no document scanner configured")
        stop = cancel or threading.Event()
        report = progress or (lambda _: None)
        report(Progress("document:scan", 0, STEPS))
        image = self._scanner.capture(side, stop)
        if stop.is_set():
            raise Cancelled
        report(Progress("document:scan", 1, STEPS))
        result = scan_image(image, kind, chip)
        report(Progress("document:scan", STEPS, STEPS))
        quality = result.quality
        reasons = quality.reasons if quality else ()
        log.info(
            "scanned %s %s: found=%s reasons=%s qr=%s",
            kind.value,
            side.value,
            result.found,
            ",".join(reasons) or "none",
            "decoded" if result.qr_text is not None else "none",
        )
        plain = scan_report(result)
        checks = result.cross_check.mismatches if result.cross_check else ()
        return DocumentScan(
            kind=kind,
            side=side,
            found=result.found,
            passed=bool(quality and quality.passed),
            reasons=reasons,
            flat_png=result.png() if result.found else None,
            flat_jpeg=result.jpeg() if result.found else None,
            qr_text=result.qr_text,
            fields=_dict_or_none(plain["fields"]),
            qr_problem=_dict_or_none(plain["qr_problem"]),
            mismatches=tuple(
                Mismatch(c.field, c.document_value or "", c.chip_value or "") for c in checks
            ),
            report=plain,
        )


def chip_claims(chip: ChipReadOutcome) -> dict[str, object]:
    """What the cross-check compares, from a chip read, in ``kiosk card read --json``'s shape."""
    citizen, mrz = chip.citizen, chip.read.mrz
    return {
        "id_number": citizen.id_number,
        "full_name": citizen.full_name,
        "date_of_birth": citizen.date_of_birth.isoformat(),
        "sex": citizen.sex.value,
        "mrz": {"surname": mrz.surname, "given_names": mrz.given_names},
    }


def _dict_or_none(value: object) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


def _flat_fields(fields: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Nested JSON fields as ``name.part`` -> text (absent values left out)."""
    flat: dict[str, str] = {}
    for name, value in fields.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping):
            flat.update(_flat_fields(value, f"{key}."))
        elif isinstance(value, list):
            flat[key] = "|".join(str(item) for item in value)
        elif value is not None:
            flat[key] = str(value)
    return flat
