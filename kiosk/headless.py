"""``kiosk demo --headless``: one whole enrolment through the services, with no screen.

It is the running proof of what has landed. A fresh run folder is kept and reported:
``data_dir/kiosk/`` holds the kiosk's store, backups and logs, ``data_dir/sim/`` the simulated
devices' state (the test PKI), ``data_dir/central/`` the reference server's (once sync lands).
Each stage reports its machine time and outcome; a stage that fails stops the run with its
error code as the outcome, so the report says how far the enrolment got.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk import app
from kiosk.config import PathSettings, Settings
from kiosk.demo_accounts import ADMIN, OFFICER, SUPERVISOR, ensure_demo_accounts
from kiosk.devices.sim import citizens
from kiosk.domain.application import ApplicationState, DeliveryState, ServerVerdict
from kiosk.domain.biometrics import FaceDecision, FaceOutcome
from kiosk.domain.documents import DocumentKind
from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.log import setup_logging
from kiosk.receipts.payload import ReceiptKind
from kiosk.services.chip_evidence import chip_evidence
from kiosk.services.chip_reading import AccessInput
from kiosk.services.consent import consent_record
from kiosk.services.documents import chip_claims
from kiosk.services.enrolment import FaceEvidence

DEMO_PHONE = "0912345678"
DEMO_EMAIL = "congdan.demo@example.vn"


@dataclasses.dataclass
class _Report:
    """The stages so far, in the order they ran."""

    stages: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.process_time()
        wall = time.perf_counter()
        try:
            yield
        except DomainError as err:
            self._add(name, start, wall, err.code.value)
            raise
        self._add(name, start, wall, "ok")

    def _add(self, name: str, cpu: float, wall: float, outcome: str) -> None:
        self.stages.append(
            {
                "name": name,
                "ms": round((time.process_time() - cpu) * 1000, 1),
                "wall_ms": round((time.perf_counter() - wall) * 1000, 1),
                "outcome": outcome,
            }
        )


def run_headless_demo(settings: Settings, data_dir: Path | None = None) -> dict[str, Any]:
    """Run one enrolment on simulated devices in a fresh folder; return the report."""
    run = _run_folder(settings, data_dir)
    kiosk_settings = dataclasses.replace(
        settings,
        demo=True,
        paths=PathSettings(
            data_dir=str(run / "kiosk"),
            log_dir=str(run / "kiosk" / "logs"),
            sim_dir=str(run / "sim"),
        ),
    )
    setup_logging(kiosk_settings.log_dir)
    kiosk = app.build(kiosk_settings)
    ensure_demo_accounts(kiosk)
    officer = kiosk.services.session.assume_demo_user(OFFICER)
    supervisor = kiosk.services.session.assume_demo_user(SUPERVISOR)
    admin = kiosk.services.session.assume_demo_user(ADMIN)
    central = app.start_demo_central(kiosk, run / "central", admin)
    try:
        return _enrol(kiosk, kiosk_settings, officer, supervisor, run)
    finally:
        central.stop()


def _enrol(
    kiosk: app.Kiosk, kiosk_settings: Settings, officer: Any, supervisor: Any, run: Path
) -> dict[str, Any]:
    report = _Report()
    application = kiosk.services.enrolment.open(officer)
    result: dict[str, Any] = {
        "application_id": str(application.id),
        "application_state": application.state.value,
        "delivery_state": None,
        "server_verdict": None,
        "receipt_pdf": None,
        "stages": report.stages,
        "data_dir": str(run),
        "demo": True,
    }
    receipt = run / "receipt.pdf"
    steps = _steps(kiosk, kiosk_settings, officer, supervisor, application.id, receipt)
    try:
        for name, step in steps:
            with report.stage(name):
                result["application_state"] = step()
    except DomainError:
        pass
    result["receipt_pdf"] = str(receipt) if receipt.exists() else None
    delivery = kiosk.services.sync.delivery(supervisor, application.id)
    if delivery is not None:
        result["delivery_state"] = delivery.state.value
        verdict = delivery.server_verdict
        result["server_verdict"] = None if verdict is None else verdict.value
    return result


def _steps(
    kiosk: app.Kiosk,
    settings: Settings,
    officer: Any,
    supervisor: Any,
    application_id: Any,
    receipt: Path,
) -> list[tuple[str, Callable[[], str]]]:
    record = citizens.list_citizens()[0]
    enrolment = kiosk.services.enrolment
    chip: dict[str, Any] = {}

    def read_chip() -> str:
        given = AccessInput(
            id_number=record.citizen.id_number,
            date_of_birth=record.citizen.date_of_birth,
            date_of_expiry=record.citizen.date_of_expiry,
        )
        outcome = app.chip_reading(settings).read(app.simulated_card_reader(settings), given)
        chip["portrait"] = outcome.read.portrait.image
        chip["claims"] = chip_claims(outcome)
        evidence = chip_evidence(outcome.read)
        return enrolment.record_chip(
            officer, application_id, outcome.citizen, outcome.verdict, evidence
        ).state.value

    def capture_face() -> str:
        camera = app.simulated_camera(settings, record)
        taken = app.face_capture(settings).capture(camera, chip["portrait"])
        passed = taken.match.decision is FaceDecision.MATCH
        outcome = FaceOutcome.PASSED if passed else FaceOutcome.MISMATCH
        evidence = FaceEvidence(taken.match, taken.portrait_jpeg, chip["portrait"])
        return enrolment.record_face(officer, application_id, outcome, evidence).state.value

    def check_liveness() -> str:
        # The demo face performs each action as it is cued; the demo officer attests what the
        # check measured (a real officer attests what they saw at the counter).
        service = app.liveness(kiosk)
        result = service.run(app.simulated_camera(settings, record), service.draw())
        return service.record(officer, application_id, result, attested=result.live).state.value

    def scan_documents() -> str:
        # The citizen's specimen GPLX and BHYT from the simulated scanner, cross-checked with
        # the chip read; a card not found, not decoded or disagreeing with the chip stops here.
        for kind in (DocumentKind.GPLX, DocumentKind.BHYT):
            scanner = app.simulated_scanner(settings, record, kind)
            scan = app.document_scanning(scanner).scan(kind, chip=chip["claims"])
            if not scan.found:
                raise DomainError(ErrorCode.CARD_NOT_FOUND, f"demo {kind.value} card not found")
            if scan.fields is None or scan.mismatches:
                raise DomainError(ErrorCode.QR_INVALID, f"demo {kind.value} QR unread or differs")
            enrolment.record_document(officer, application_id, scan.evidence())
        return ApplicationState.DRAFT.value

    def submit() -> str:
        enrolment.record_contact(officer, application_id, DEMO_PHONE, DEMO_EMAIL)
        enrolment.capture(officer, application_id)
        consent = consent_record(officer, kiosk.context.clock.now())
        return enrolment.submit(officer, application_id, consent).state.value

    def approve() -> str:
        return kiosk.services.review.approve(supervisor, application_id).state.value

    def print_receipt() -> str:
        receipts = kiosk.services.receipts
        receipts.save(supervisor, application_id, ReceiptKind.RECEIPT, receipt)
        return ApplicationState.APPROVED.value

    def deliver() -> str:
        # The relay's rounds, in this thread: deliver, then pull the verdict (the demo server
        # decides at once, but a verdict may need a second round).
        deadline = time.monotonic() + SYNC_WAIT_SECONDS
        while time.monotonic() < deadline:
            kiosk.services.sync.run_once()
            line = kiosk.services.sync.delivery(supervisor, application_id)
            if line is not None and line.state is DeliveryState.FAILED:
                code = line.problem.code if line.problem else ErrorCode.SERVER_REFUSED
                raise DomainError(code, "packet refused")
            if line is not None and line.server_verdict in _SETTLED:
                return ApplicationState.APPROVED.value
            time.sleep(0.1)
        raise DomainError(ErrorCode.SERVER_UNREACHABLE, "no verdict in time")

    return [
        ("chip", read_chip),
        ("face", capture_face),
        ("liveness", check_liveness),
        ("documents", scan_documents),
        ("submit", submit),
        ("approve", approve),
        ("receipt", print_receipt),
        ("sync", deliver),
    ]


SYNC_WAIT_SECONDS = 60.0
_SETTLED = (ServerVerdict.ACCEPTED, ServerVerdict.ACTIVATED, ServerVerdict.DECLINED)


def _run_folder(settings: Settings, requested: Path | None) -> Path:
    if requested is not None:
        requested.mkdir(parents=True, exist_ok=True, mode=0o700)
        return requested
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    folder = settings.data_dir / "headless" / stamp
    folder.mkdir(parents=True, mode=0o700)
    return folder
