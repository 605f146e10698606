"""Sync packets for tests: a whole packet of any schema version, with real chip files on request.

``sample_packet`` fills every part with plausible values; ``chip_of`` builds the files a
simulated card of a demo citizen holds, signed by the test PKI in a folder, so that the central
server's Passive Authentication has something real to verify.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from pathlib import Path

from kiosk.devices.sim import pki
from kiosk.devices.sim.chip.keys import chip_keys
from kiosk.devices.sim.chip.profile import LDS_VERSION, UNICODE_VERSION, data_groups
from kiosk.devices.sim.citizens import CitizenRecord, list_citizens
from kiosk.emrtd.lds import com, sod
from kiosk.sync import schema

NOW = dt.datetime(2026, 11, 27, 7, 0, tzinfo=dt.UTC)


def demo_record() -> CitizenRecord:
    """The first demo citizen with an expiry date (a simulated card needs one)."""
    return next(r for r in list_citizens() if r.citizen.date_of_expiry is not None)


def citizen_part(record: CitizenRecord) -> schema.Citizen:
    """The packet's citizen part for a demo citizen, as the kiosk copies it from the read."""
    c = record.citizen
    return schema.Citizen(
        id_number=c.id_number,
        full_name=c.full_name,
        date_of_birth=c.date_of_birth,
        sex=c.sex.value,
        nationality=c.nationality,
        ethnicity=c.ethnicity,
        religion=c.religion,
        place_of_origin=c.place_of_origin,
        place_of_residence=c.place_of_residence,
        identifying_features=c.identifying_features,
        date_of_issue=c.date_of_issue,
        date_of_expiry=c.date_of_expiry,
        lifetime=c.lifetime,
        father_name=c.father_name,
        mother_name=c.mother_name,
        spouse_name=c.spouse_name,
        old_id_number=c.old_id_number,
    )


def chip_of(record: CitizenRecord, pki_folder: Path) -> schema.Chip:
    """The chip part of a read of ``record``'s simulated card, signed by the PKI there."""
    groups = data_groups(record, chip_keys(record.citizen.id_number))
    signer = pki.load_or_create(pki_folder)
    security_object = sod.encode(groups, signer.document_signer_key, signer.document_signer)
    tags = tuple(com.DATA_GROUP_TAGS[n] for n in sorted(groups))
    files = schema.ChipFiles(
        com=com.encode(com.COMFile(LDS_VERSION, UNICODE_VERSION, tags)),
        dg1=groups[1],
        dg2=groups[2],
        dg13=groups[13],
        sod=security_object,
        dg14=groups.get(14),
        dg15=groups.get(15),
    )
    return schema.Chip(
        access="PACE-CAN",
        files=files,
        chip_verdict="genuine",
        passive_authentication=schema.Check("valid"),
        chip_authentication=schema.Check("valid"),
        active_authentication=schema.Check("valid"),
        evidence=schema.ChipEvidence(
            active_authentication=schema.ActiveAuthenticationEvidence(b"\x01" * 8, b"\x02" * 64)
        ),
    )


def sample_packet(
    version: int = schema.CURRENT_VERSION,
    *,
    kiosk_id: str = "kiosk-test",
    chip: schema.Chip | None = None,
    citizen: schema.Citizen | None = None,
    demo: bool = True,
) -> schema.Packet:
    """A complete packet of ``version``: each part its version defines is filled in."""
    packet = schema.Packet(
        schema_version=version,
        packet_id=str(uuid.uuid4()),
        application_id=str(uuid.uuid4()),
        kiosk_id=kiosk_id,
        created_at=NOW,
        demo=demo,
        citizen=citizen or citizen_part(demo_record()),
        contact=schema.Contact(phone="0912345678", email="a@example.vn"),
        chip=chip or _placeholder_chip(),
        consent=schema.Consent("ab" * 32, NOW, "officer-1"),
        approval=schema.Approval(
            officer_id="officer-1",
            supervisor_id="supervisor-1",
            submitted_at=NOW,
            approved_at=NOW + dt.timedelta(minutes=3),
            four_eyes_relaxed=False,
            overrides=(schema.Override("face_mismatch", "photo_old", "supervisor-1", NOW),),
        ),
        audit_head=schema.AuditHead(sequence=42, hash="cd" * 32),
    )
    if version >= 2:
        packet = dataclasses.replace(
            packet, face=schema.Face(b"\xff\xd8live\xff\xd9", 0.41, 0.5, "match", 1)
        )
    if version >= 3:
        liveness = schema.Liveness(
            challenge=("blink", "turn_left"),
            live=True,
            checks={"blink": True, "turn_left": 0.93, "note": "Đạt"},
            attested_by="officer-1",
            attested_at=NOW,
        )
        packet = dataclasses.replace(packet, liveness=liveness)
    if version >= 4:
        document = schema.Document(
            kind="bhyt",
            image=b"\xff\xd8card\xff\xd9",
            qr_text="GD4797932023001|Nguyễn Văn A",
            fields={"card_number": "GD4797932023001"},
            mismatches=("full_name",),
        )
        packet = dataclasses.replace(packet, documents=(document,))
    return packet


def _placeholder_chip() -> schema.Chip:
    return schema.Chip(
        access="BAC",
        files=schema.ChipFiles(com=b"com", dg1=b"dg1", dg2=b"dg2", dg13=b"dg13", sod=b"sod"),
        chip_verdict="unverifiable",
        passive_authentication=schema.Check("unverified", ("csca_unknown",)),
        chip_authentication=schema.Check("not_supported"),
        active_authentication=schema.Check("not_performed"),
    )
