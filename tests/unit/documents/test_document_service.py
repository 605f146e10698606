"""The document scanning service over the files scanner, on the demo citizens' specimen cards."""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.devices.ports import Side
from kiosk.devices.scanner.demo_cards import DemoCard, write_demo_cards
from kiosk.devices.scanner.files import FileScanner
from kiosk.devices.sim import citizens
from kiosk.domain.citizen import Citizen
from kiosk.domain.documents import DocumentKind
from kiosk.domain.errors import Cancelled, DomainError, ErrorCode
from kiosk.domain.progress import Progress
from kiosk.services.documents import DocumentScanService


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Citizen, dict[DocumentKind, DemoCard]]:
    citizen = citizens.list_citizens()[0].citizen
    return citizen, write_demo_cards(tmp_path_factory.mktemp("cards"), citizen)


def _claims(citizen: Citizen, **changes: str) -> dict[str, object]:
    claims: dict[str, object] = {
        "id_number": citizen.id_number,
        "full_name": citizen.full_name,
        "date_of_birth": citizen.date_of_birth.isoformat(),
        "sex": citizen.sex.value,
    }
    return {**claims, **changes}


def test_demo_bhyt_scans_decodes_and_matches_the_chip(
    demo: tuple[Citizen, dict[DocumentKind, DemoCard]],
) -> None:
    citizen, cards = demo
    reports: list[Progress] = []
    service = DocumentScanService(FileScanner(cards[DocumentKind.BHYT].path))
    scan = service.scan(DocumentKind.BHYT, chip=_claims(citizen), progress=reports.append)
    assert scan.found
    assert scan.passed
    assert scan.reasons == ()
    assert scan.qr_text == cards[DocumentKind.BHYT].payload
    assert scan.fields is not None
    assert scan.fields["full_name"] == citizen.full_name
    assert scan.mismatches == ()
    assert scan.flat_png is not None
    assert scan.flat_png.startswith(b"\x89PNG")
    assert [r.done for r in reports] == [0, 1, 2]


def test_a_mismatch_lists_both_values(
    demo: tuple[Citizen, dict[DocumentKind, DemoCard]],
) -> None:
    citizen, cards = demo
    service = DocumentScanService(FileScanner(cards[DocumentKind.BHYT].path))
    scan = service.scan(DocumentKind.BHYT, chip=_claims(citizen, full_name="Lê Văn Khác"))
    assert [(m.field, m.on_card, m.on_chip) for m in scan.mismatches] == [
        ("full_name", citizen.full_name, "Lê Văn Khác")
    ]


def test_demo_gplx_keeps_its_qr_text(
    demo: tuple[Citizen, dict[DocumentKind, DemoCard]],
) -> None:
    _, cards = demo
    scan = DocumentScanService(FileScanner(cards[DocumentKind.GPLX].path)).scan(
        DocumentKind.GPLX, Side.FRONT
    )
    assert scan.passed
    assert scan.qr_text == cards[DocumentKind.GPLX].payload
    assert scan.report["fields"] == {"text": cards[DocumentKind.GPLX].payload}


def test_no_card_in_the_picture_and_no_scanner(tmp_path: Path) -> None:
    empty = tmp_path / "desk.png"
    cv2.imwrite(str(empty), np.full((600, 800, 3), 90, np.uint8))
    scan = DocumentScanService(FileScanner(empty)).scan(DocumentKind.GPLX)
    assert not scan.found
    assert not scan.passed
    assert scan.flat_png is None
    with pytest.raises(DomainError) as caught:
        DocumentScanService(None).scan(DocumentKind.GPLX)
    assert caught.value.code is ErrorCode.CAMERA_UNAVAILABLE
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        DocumentScanService(FileScanner(empty)).scan(DocumentKind.GPLX, cancel=cancel)


def test_demo_cards_are_written_once(tmp_path: Path) -> None:
    citizen = citizens.list_citizens()[1].citizen
    first = write_demo_cards(tmp_path, citizen)
    stamp = first[DocumentKind.GPLX].path.stat().st_mtime_ns
    again = write_demo_cards(tmp_path, citizen)
    assert again[DocumentKind.GPLX].path.stat().st_mtime_ns == stamp
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bhyt-front.jpg", "gplx-front.jpg"]


def test_a_scan_becomes_the_enrolment_evidence(
    demo: tuple[Citizen, dict[DocumentKind, DemoCard]],
) -> None:
    citizen, cards = demo
    service = DocumentScanService(FileScanner(cards[DocumentKind.BHYT].path))
    scan = service.scan(DocumentKind.BHYT, chip=_claims(citizen, sex="M"))
    evidence = scan.evidence()
    assert evidence.kind == "bhyt"
    assert evidence.image.startswith(b"\xff\xd8")
    assert evidence.qr_text == cards[DocumentKind.BHYT].payload
    assert evidence.fields["full_name"] == citizen.full_name
    assert evidence.fields["code.social_insurance_number"] == citizen.id_number[2:12]
    assert [(m.field, m.on_card, m.on_chip) for m in evidence.mismatches] == [("sex", "F", "M")]
    assert evidence.quality == ()
