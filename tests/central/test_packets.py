"""Packets: acknowledgement, deduplication, conflict, every refusal code, and the decision."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

import cbor2
import pytest
from jwcrypto import jwk, jws

from central.service import Central, Settings, TestAnchorOutsideDemo
from kiosk.sync import codec, schema
from tests.central.conftest import Server, make_server
from tests.support.kiosk_signer import TestKiosk
from tests.support.sync_packets import demo_record


def _ack_claims(server: Server, token: str) -> dict[str, object]:
    verifier = jws.JWS()
    verifier.deserialize(token)
    key = jwk.JWK(**server.info["signing_key"])
    verifier.verify(key, alg="EdDSA")
    assert verifier.jose_header["typ"] == "kiosk-ack+json"
    assert verifier.jose_header["kid"] == server.central.signing_kid
    claims: dict[str, object] = json.loads(verifier.payload)
    return claims


def _deliver(server: Server, kiosk: TestKiosk, packet: schema.Packet) -> tuple[bytes, object]:
    payload = codec.encode_packet(packet)
    body = kiosk.seal(payload, server.info)
    return payload, server.send(kiosk, body, packet.packet_id)


def _verdicts(server: Server, kiosk: TestKiosk, after: int = 0) -> list[dict[str, object]]:
    response = server.signed(kiosk, "GET", "/v1/verdicts", f"after={after}")
    assert response.status_code == 200
    items: list[dict[str, object]] = response.json()["verdicts"]
    return items


def test_a_packet_is_acknowledged_with_a_signed_receipt(server: Server, kiosk: TestKiosk) -> None:
    packet = server.packet(kiosk)
    payload, response = _deliver(server, kiosk, packet)
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/jose"
    claims = _ack_claims(server, response.text)
    assert claims == {
        "packet_id": packet.packet_id,
        "application_id": packet.application_id,
        "kiosk_id": kiosk.kid,
        "payload_sha256": hashlib.sha256(payload).hexdigest(),
        "received_at": server.clock.now.isoformat(),
        "verdict": "received",
    }


def test_a_genuine_consistent_packet_is_accepted_then_activated(
    server: Server, kiosk: TestKiosk
) -> None:
    packet = server.packet(kiosk)
    _deliver(server, kiosk, packet)
    verdicts = _verdicts(server, kiosk)
    assert [(v["verdict"], v["reason"]) for v in verdicts] == [
        ("received", None),
        ("accepted", None),
        ("activated", None),
    ]
    assert {v["packet_id"] for v in verdicts} == {packet.packet_id}


def test_a_resend_gets_the_byte_identical_acknowledgement(server: Server, kiosk: TestKiosk) -> None:
    packet = server.packet(kiosk)
    body = kiosk.seal(codec.encode_packet(packet), server.info)
    first = server.send(kiosk, body, packet.packet_id)
    server.clock.advance(30)
    again = server.send(kiosk, body, packet.packet_id)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.content == first.content
    assert len(_verdicts(server, kiosk)) == 3


def test_the_same_payload_sealed_again_is_a_resend(server: Server, kiosk: TestKiosk) -> None:
    packet = server.packet(kiosk)
    payload = codec.encode_packet(packet)
    first = server.send(kiosk, kiosk.seal(payload, server.info), packet.packet_id)
    again = server.send(kiosk, kiosk.seal(payload, server.info), packet.packet_id)
    assert again.status_code == 200
    assert again.content == first.content


def test_the_same_id_with_other_content_is_a_conflict(
    server: Server, kiosk: TestKiosk, logfail: object
) -> None:
    logfail.allow("central.intake", "conflicts")  # type: ignore[attr-defined]
    packet = server.packet(kiosk)
    _deliver(server, kiosk, packet)
    changed = dataclasses.replace(packet, contact=schema.Contact(phone="0987654321"))
    _, response = _deliver(server, kiosk, changed)
    assert (response.status_code, response.json()["code"]) == (409, "packet_conflict")
    assert len(_verdicts(server, kiosk)) == 3


def test_another_kiosk_cannot_reuse_a_packet_id(
    server: Server, kiosk: TestKiosk, logfail: object
) -> None:
    logfail.allow("central.intake", "conflicts")  # type: ignore[attr-defined]
    packet = server.packet(kiosk)
    _deliver(server, kiosk, packet)
    other = TestKiosk()
    server.register(other)
    theirs = dataclasses.replace(packet, kiosk_id=other.kid)
    _, response = _deliver(server, other, theirs)
    assert (response.status_code, response.json()["code"]) == (409, "packet_conflict")


def test_a_tampered_packet_is_undecryptable(server: Server, kiosk: TestKiosk) -> None:
    packet = server.packet(kiosk)
    body = bytearray(kiosk.seal(codec.encode_packet(packet), server.info))
    middle = body.rindex(b".") - 10
    body[middle] = ord("A") if body[middle] != ord("A") else ord("B")
    response = server.send(kiosk, bytes(body), packet.packet_id)
    assert (response.status_code, response.json()["code"]) == (400, "packet_undecryptable")
    assert _verdicts(server, kiosk) == []


def test_a_packet_signed_by_another_key_is_refused(server: Server, kiosk: TestKiosk) -> None:
    packet = server.packet(kiosk)
    body = kiosk.seal(codec.encode_packet(packet), server.info, signer=TestKiosk().key)
    response = server.send(kiosk, body, packet.packet_id)
    assert (response.status_code, response.json()["code"]) == (400, "packet_signature_invalid")


def test_a_packet_of_another_kiosk_is_refused(server: Server, kiosk: TestKiosk) -> None:
    other = TestKiosk()
    server.register(other)
    packet = server.packet(other)
    body = other.seal(codec.encode_packet(packet), server.info)
    response = server.send(kiosk, body, packet.packet_id)
    assert (response.status_code, response.json()["code"]) == (422, "packet_kiosk_mismatch")
    mine = dataclasses.replace(packet, kiosk_id=other.kid)
    body = kiosk.seal(codec.encode_packet(mine), server.info)
    response = server.send(kiosk, body, mine.packet_id)
    assert (response.status_code, response.json()["code"]) == (422, "packet_kiosk_mismatch")


def test_the_idempotency_key_must_be_the_packet_id(server: Server, kiosk: TestKiosk) -> None:
    packet = server.packet(kiosk)
    body = kiosk.seal(codec.encode_packet(packet), server.info)
    response = server.send(kiosk, body, "another-id")
    assert (response.status_code, response.json()["code"]) == (422, "packet_id_mismatch")


def _raw_payload(server: Server, kiosk: TestKiosk) -> dict[str, object]:
    return dict(cbor2.loads(codec.encode_packet(server.packet(kiosk))))


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda raw: raw.update(schema_version=99), "schema_version_unknown"),
        (lambda raw: raw.update(fingerprints=b""), "schema_part_unknown"),
        (lambda raw: raw.pop("contact"), "schema_invalid"),
    ],
)
def test_schema_refusals_carry_their_code(
    server: Server, kiosk: TestKiosk, change: object, code: str
) -> None:
    raw = _raw_payload(server, kiosk)
    change(raw)  # type: ignore[operator]
    body = kiosk.seal(cbor2.dumps(raw), server.info)
    response = server.send(kiosk, body, str(raw["packet_id"]))
    assert (response.status_code, response.json()["code"]) == (422, code)


def test_schema_invalid_names_the_field(server: Server, kiosk: TestKiosk) -> None:
    raw = _raw_payload(server, kiosk)
    raw["audit_head"] = {"sequence": "x", "hash": "00"}
    response = server.send(kiosk, kiosk.seal(cbor2.dumps(raw), server.info), str(raw["packet_id"]))
    assert response.json()["detail"] == "schema_invalid: audit_head.sequence not an integer"


def test_a_packet_needs_its_content_type_and_key(server: Server, kiosk: TestKiosk) -> None:
    headers = kiosk.headers("POST", "/v1/packets", body=b"x", idempotency_key="p")
    response = server.client.post("/v1/packets", content=b"x", headers=headers)
    assert (response.status_code, response.json()["code"]) == (400, "request_invalid")
    headers = kiosk.headers("POST", "/v1/packets", body=b"x")
    headers["Content-Type"] = "application/jose"
    response = server.client.post("/v1/packets", content=b"x", headers=headers)
    assert (response.status_code, response.json()["code"]) == (400, "request_invalid")


def test_a_demo_packet_is_refused_outside_demo(
    tmp_path: Path, pki_folder: Path, logfail: object
) -> None:
    logfail.allow("central.intake", "DEMO packet refused")  # type: ignore[attr-defined]
    production = make_server(tmp_path / "prod", pki_folder, demo=False, trust=False)
    try:
        kiosk = TestKiosk()
        production.register(kiosk)
        packet = production.packet(kiosk)
        _, response = _deliver(production, kiosk, packet)
        assert (response.status_code, response.json()["code"]) == (422, "demo_outside_demo")
        _, response = _deliver(production, kiosk, dataclasses.replace(packet, demo=False))
        assert response.status_code == 201
        assert [v["reason"] for v in _verdicts(production, kiosk)] == [None, "chip_unverifiable"]
    finally:
        production.central.close()


def test_the_test_csca_is_refused_outside_demo(tmp_path: Path, pki_folder: Path) -> None:
    with pytest.raises(TestAnchorOutsideDemo):
        make_server(tmp_path / "prod", pki_folder, demo=False)


def test_a_forged_chip_is_declined(server: Server, kiosk: TestKiosk) -> None:
    packet = server.packet(kiosk)
    forged = dataclasses.replace(packet.chip.files, dg13=packet.chip.files.dg13[:-1] + b"X")
    packet = dataclasses.replace(packet, chip=dataclasses.replace(packet.chip, files=forged))
    _deliver(server, kiosk, packet)
    assert [v["verdict"] for v in _verdicts(server, kiosk)] == ["received", "declined"]
    assert _verdicts(server, kiosk)[-1]["reason"] == "chip_not_genuine"


def test_packets_opened_and_decided_in_a_worker_process_are_the_same(
    tmp_path: Path, pki_folder: Path, logfail: object
) -> None:
    # central serve --worker-processes 1: the packet opened and Passive Authentication run in
    # a process of its own, with the key and the trust store loaded there; a refusal raised
    # there reaches the request with its code.
    logfail.allow("central.intake", "conflicts")  # type: ignore[attr-defined]
    server = make_server(tmp_path / "central", pki_folder, processes=1)
    try:
        kiosk = TestKiosk()
        server.register(kiosk)
        genuine = server.packet(kiosk)
        payload, first = _deliver(server, kiosk, genuine)
        again = server.send(kiosk, kiosk.seal(payload, server.info), genuine.packet_id)
        changed = dataclasses.replace(genuine, contact=schema.Contact(phone="0987654321"))
        _, conflict = _deliver(server, kiosk, changed)
        forged = server.packet(kiosk)
        files = dataclasses.replace(forged.chip.files, dg13=forged.chip.files.dg13[:-1] + b"X")
        forged = dataclasses.replace(forged, chip=dataclasses.replace(forged.chip, files=files))
        _deliver(server, kiosk, forged)
        other = server.packet(kiosk)
        signed_by_another = kiosk.seal(
            codec.encode_packet(other), server.info, signer=TestKiosk().key
        )
        refused = server.send(kiosk, signed_by_another, other.packet_id)
        decided = {(v["packet_id"], v["verdict"], v["reason"]) for v in _verdicts(server, kiosk)}
    finally:
        server.central.close()
    assert (again.status_code, again.content) == (200, first.content)
    assert (conflict.status_code, conflict.json()["code"]) == (409, "packet_conflict")
    assert (refused.status_code, refused.json()["code"]) == (400, "packet_signature_invalid")
    assert (genuine.packet_id, "activated", None) in decided
    assert (forged.packet_id, "declined", "chip_not_genuine") in decided
    assert other.packet_id not in {packet_id for packet_id, _, _ in decided}


def test_a_chip_from_an_unknown_signer_is_declined(
    server: Server, kiosk: TestKiosk, tmp_path: Path
) -> None:
    from tests.support.sync_packets import chip_of

    packet = dataclasses.replace(
        server.packet(kiosk), chip=chip_of(demo_record(), tmp_path / "other-pki")
    )
    _deliver(server, kiosk, packet)
    assert _verdicts(server, kiosk)[-1]["reason"] == "chip_unverifiable"


def test_a_citizen_part_that_contradicts_the_chip_is_declined(
    server: Server, kiosk: TestKiosk
) -> None:
    packet = server.packet(kiosk)
    citizen = dataclasses.replace(packet.citizen, full_name="Trần Thị Khác")
    _deliver(server, kiosk, dataclasses.replace(packet, citizen=citizen))
    assert _verdicts(server, kiosk)[-1]["reason"] == "data_inconsistent:full_name"


def test_a_clone_claim_of_the_kiosk_is_declined(server: Server, kiosk: TestKiosk) -> None:
    packet = server.packet(kiosk)
    chip = dataclasses.replace(packet.chip, active_authentication=schema.Check("invalid"))
    _deliver(server, kiosk, dataclasses.replace(packet, chip=chip))
    assert _verdicts(server, kiosk)[-1]["reason"] == "chip_not_genuine"


@pytest.mark.parametrize("version", sorted(schema.KNOWN_VERSIONS))
def test_every_schema_version_is_received(server: Server, kiosk: TestKiosk, version: int) -> None:
    _, response = _deliver(server, kiosk, server.packet(kiosk, version))
    assert response.status_code == 201


def test_an_audit_chain_going_back_flags_the_kiosk(
    server: Server, kiosk: TestKiosk, logfail: object
) -> None:
    logfail.allow("central.intake", "audit chain head")  # type: ignore[attr-defined]
    first = server.packet(kiosk)
    first = dataclasses.replace(first, audit_head=schema.AuditHead(50, "aa" * 32))
    _deliver(server, kiosk, first)
    later = dataclasses.replace(
        server.packet(kiosk),
        created_at=first.created_at.replace(hour=first.created_at.hour + 1),
        audit_head=schema.AuditHead(60, "bb" * 32),
    )
    _deliver(server, kiosk, later)
    assert server.central.registry.kiosks()[0].chain_flag is None
    rolled_back = dataclasses.replace(
        server.packet(kiosk),
        created_at=later.created_at.replace(minute=30),
        audit_head=schema.AuditHead(40, "cc" * 32),
    )
    _deliver(server, kiosk, rolled_back)
    (info,) = server.central.registry.kiosks()
    assert info.chain_flag == "audit_chain_backwards"
    assert (info.audit_sequence, info.audit_hash) == (60, "bb" * 32)


def test_a_packet_survives_a_server_restart(server: Server, kiosk: TestKiosk) -> None:
    packet = server.packet(kiosk)
    body = kiosk.seal(codec.encode_packet(packet), server.info)
    first = server.send(kiosk, body, packet.packet_id)
    server.central.close()
    restarted = Central(Settings(**_settings(server)), clock=server.clock)
    try:
        from fastapi.testclient import TestClient

        from central.api import create_app

        server.client = TestClient(create_app(restarted))
        again = server.send(kiosk, body, packet.packet_id)
    finally:
        restarted.close()
    assert (again.status_code, again.content) == (200, first.content)


def _settings(server: Server) -> dict[str, object]:
    settings = server.central.settings
    return {f.name: getattr(settings, f.name) for f in dataclasses.fields(settings)}


@pytest.mark.parametrize("outcome", ["stored", "resent", "refused"])
def test_a_packet_request_sent_again_is_a_replay(
    server: Server, kiosk: TestKiosk, outcome: str
) -> None:
    # The nonce of a packet request is stored with the packet (one commit), or alone when
    # nothing is stored (a resend, a refusal): either way the same request again is a replay.
    packet = server.packet(kiosk)
    body = kiosk.seal(codec.encode_packet(packet), server.info)
    if outcome == "resent":
        assert server.send(kiosk, body, packet.packet_id).status_code == 201
    if outcome == "refused":
        body = body[:-8] + b"AAAAAAAA"
    headers = kiosk.headers(
        "POST", "/v1/packets", body=body, idempotency_key=packet.packet_id, at=server.clock.now
    )
    headers |= {"Content-Type": "application/jose", "X-Kiosk-Backlog": "7"}
    first = server.client.post("/v1/packets", content=body, headers=headers)
    expected = {"stored": 201, "resent": 200, "refused": 400}[outcome]
    assert first.status_code == expected, first.text
    (listed,) = server.central.registry.kiosks()
    assert (listed.last_contact_at, listed.backlog) == (server.clock.now, 7)
    again = server.client.post("/v1/packets", content=body, headers=headers)
    assert (again.status_code, again.json()["code"]) == (401, "replay")
