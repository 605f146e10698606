"""The packet of one approved application, built from what the kiosk stored (pure)."""

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from kiosk.domain.application import Application, ApplicationState
from kiosk.domain.biometrics import FaceAttempts, FaceDecision, FaceMatch, FaceOutcome, FaceOverride
from kiosk.domain.chip import ChipVerdict
from kiosk.domain.citizen import Citizen, Sex
from kiosk.domain.evidence import CheckRecord, ChipEvidence, ConsentRecord, Evidence
from kiosk.domain.ids import ApplicationId, PacketId, UserId
from kiosk.sync import codec, schema
from kiosk.sync.packet import PacketIncomplete, PacketSource, build_packet

AT = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
OFFICER = UserId(uuid.UUID(int=1))
SUPERVISOR = UserId(uuid.UUID(int=2))
FILES = {name: name.encode() * 4 for name in ("EF.COM", "EF.SOD", "DG1", "DG2", "DG13", "DG15")}
CHIP = ChipEvidence(
    access="PACE-CAN",
    files=FILES,
    passive_authentication=CheckRecord("valid"),
    chip_authentication=CheckRecord("not_supported"),
    active_authentication=CheckRecord("valid"),
    chip_verdict=CheckRecord("genuine"),
    transcripts={"aa_challenge": b"c" * 8, "aa_signature": b"s" * 64},
)
CITIZEN = Citizen(
    id_number="001099012345",
    full_name="Nguyễn Văn Demo",
    date_of_birth=date(1990, 1, 2),
    sex=Sex.MALE,
)


def _source(**changes: object) -> PacketSource:
    application = Application(
        id=ApplicationId(uuid.UUID(int=9)),
        created_by=OFFICER,
        created_at=AT,
        updated_at=AT,
        state=ApplicationState.APPROVED,
        citizen=CITIZEN,
        chip_verdict=ChipVerdict.GENUINE,
        face=FaceAttempts(
            (FaceOutcome.MISMATCH,) * 3, FaceOverride(SUPERVISOR, AT, "appearance_changed")
        ),
        phone="0912345678",
        submitted_by=OFFICER,
        reviewed_by=SUPERVISOR,
        demo=True,
    )
    evidence = Evidence(chip=CHIP, consent=ConsentRecord("ab" * 32, AT, OFFICER))
    source = PacketSource(
        application=application,
        evidence=evidence,
        live_portrait=b"\xff\xd8jpeg",
        face_match=FaceMatch(0.52, 0.45, FaceDecision.MISMATCH),
        submitted_at=AT,
        approved_at=AT,
        audit_sequence=12,
        audit_hash=b"\x01" * 32,
    )
    return replace(source, **changes)  # type: ignore[arg-type]


def test_the_packet_round_trips_through_the_schema() -> None:
    packet = build_packet(_source(), PacketId(uuid.UUID(int=5)), "kid", AT)
    decoded = codec.decode_packet(codec.encode_packet(packet))
    assert decoded.application_id == str(uuid.UUID(int=9))
    assert decoded.chip.files.dg15 == FILES["DG15"]
    assert decoded.chip.files.dg14 is None
    assert decoded.chip.evidence is not None
    assert decoded.chip.evidence.active_authentication is not None
    assert decoded.approval.overrides[0].reason_code == "appearance_changed"
    assert decoded.face is not None
    assert decoded.face.attempts == 3
    assert decoded.audit_head == schema.AuditHead(12, "01" * 32)
    assert decoded.demo


@pytest.mark.parametrize(
    ("changes", "part"),
    [
        ({"evidence": Evidence(consent=ConsentRecord("ab" * 32, AT, OFFICER))}, "chip"),
        ({"evidence": Evidence(chip=CHIP)}, "consent"),
        (
            {
                "evidence": Evidence(
                    chip=replace(CHIP, files={"EF.COM": b"x"}),
                    consent=ConsentRecord("ab" * 32, AT, OFFICER),
                )
            },
            "chip.files.sod",
        ),
    ],
)
def test_what_is_missing_is_named(changes: dict[str, object], part: str) -> None:
    with pytest.raises(PacketIncomplete) as missing:
        build_packet(_source(**changes), PacketId(uuid.UUID(int=5)), "kid", AT)
    assert missing.value.part == part


def test_the_face_part_needs_the_portrait_and_the_figures() -> None:
    packet = build_packet(_source(face_match=None), PacketId(uuid.UUID(int=5)), "kid", AT)
    assert packet.face is None
