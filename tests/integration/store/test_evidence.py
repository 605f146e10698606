"""Evidence: each kind round-trips sealed, a re-record replaces, a purge shreds it all."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from kiosk.domain.evidence import (
    CheckRecord,
    ChipEvidence,
    ConsentRecord,
    DocumentEvidence,
    Evidence,
    LivenessEvidence,
    Mismatch,
)
from kiosk.store.engine import checkpoint
from kiosk.store.errors import DataIntegrityError, NotFoundError

SOD = b"\x77\x82\x01\x00SOD-UNIQUE-MARKER" + bytes(range(200))
SCAN = b"\xff\xd8\xff\xe0GPLX-SCAN-MARKER" + bytes(range(256)) * 4


def _chip() -> ChipEvidence:
    return ChipEvidence(
        access="PACE-CAN",
        files={"EF.SOD": SOD, "DG1": b"\x61\x5b", "DG13": "Nguyễn".encode()},
        passive_authentication=CheckRecord("not_verifiable", ("no_trusted_csca",)),
        chip_authentication=CheckRecord("valid"),
        active_authentication=CheckRecord("not_run", ("no_dg15",)),
        chip_verdict=CheckRecord("unverifiable", ("no_trusted_csca",)),
        transcripts={"aa_challenge": b"\x01" * 8},
        warnings=("dg1_dg13_name",),
    )


def _scan(qr: str | None = "HS4010123456789|Nguyễn") -> DocumentEvidence:
    return DocumentEvidence(
        kind="bhyt",
        image=SCAN,
        qr_text=qr,
        fields={"code": "HS4010123456789"},
        mismatches=(Mismatch("date_of_birth", "1990", "1991-05-17"),),
        quality=("glare",),
    )


def test_each_kind_of_evidence_round_trips(store, enrol) -> None:
    app = enrol()
    at = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    liveness = LivenessEvidence(
        ("blink", "left"), True, {"blink": True, "left": True}, (), store.officer.id, at
    )
    consent = ConsentRecord("ab" * 32, at, store.officer.id)
    with store.uow() as uow:
        assert uow.evidence.get(app.id) == Evidence()
        uow.evidence.put_chip(app.id, _chip(), at)
        uow.evidence.put_document(app.id, _scan(), at)
        uow.evidence.put_liveness(app.id, liveness, at)
        uow.evidence.put_consent(app.id, consent, at)
        uow.evidence.put_timing(app.id, "chip", 120.5, at)
        uow.evidence.put_timing(app.id, "chip", 10.0, at)
        uow.evidence.put_timing(app.id, "face", 900.0, at)
        uow.commit()
    with store.uow(read_only=True) as uow:
        kept = uow.evidence.get(app.id)
    assert kept == Evidence(
        chip=_chip(),
        documents={"bhyt": _scan()},
        liveness=liveness,
        consent=consent,
        timings_ms={"chip": 130.5, "face": 900.0},
    )


def test_a_rescan_replaces_and_a_withdrawn_document_is_forgotten(store, enrol) -> None:
    app = enrol()
    at = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    with store.uow() as uow:
        uow.evidence.put_document(app.id, _scan(), at)
        uow.evidence.put_document(app.id, _scan(qr=None), at)
        uow.commit()
    with store.uow() as uow:
        assert uow.evidence.get(app.id).documents == {"bhyt": _scan(qr=None)}
        uow.evidence.remove_document(app.id, "bhyt")
        uow.commit()
    with store.uow(read_only=True) as uow:
        assert uow.evidence.get(app.id).documents == {}


def test_evidence_moved_to_another_application_does_not_open(store, enrol) -> None:
    first, second = enrol(), enrol()
    at = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    with store.uow() as uow:
        uow.evidence.put_chip(first.id, _chip(), at)
        uow.commit()
    with store.engine.begin() as conn:
        conn.execute(
            text("UPDATE evidence SET application_id = :b WHERE application_id = :a"),
            {"a": first.id.bytes, "b": second.id.bytes},
        )
    with store.uow(read_only=True) as uow, pytest.raises(DataIntegrityError):
        uow.evidence.get(second.id)


def test_purge_shreds_the_evidence(store, enrol) -> None:
    app, kept = enrol(), enrol()
    at = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    with store.uow() as uow:
        uow.evidence.put_chip(app.id, _chip(), at)
        uow.evidence.put_document(app.id, _scan(), at)
        uow.evidence.put_chip(kept.id, _chip(), at)
        uow.commit()
    with store.uow() as uow:
        uow.applications.purge(app.id, at)
        uow.commit()
    checkpoint(store.engine)
    with store.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT count(*) FROM evidence WHERE application_id = :a"), {"a": app.id.bytes}
        ).scalar_one()
    assert rows == 0
    with store.uow(read_only=True) as uow:
        assert uow.evidence.get(app.id) == Evidence()
        assert uow.evidence.get(kept.id).chip == _chip()
        with pytest.raises(NotFoundError):
            uow.evidence.put_chip(app.id, _chip(), at)
