"""Registration with one-time invitations, and the refusals of request authentication (#11)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from tests.central.conftest import Server
from tests.support.kiosk_signer import TestKiosk


def _register(server: Server, code: str, kiosk: TestKiosk) -> tuple[int, dict[str, object]]:
    response = server.client.post(
        "/v1/kiosks/register",
        json={"code": code, "public_key": kiosk.public_jwk, "kiosk_version": "1", "name": "A"},
    )
    return response.status_code, response.json()


def test_registration_returns_the_kid_and_the_server(server: Server) -> None:
    kiosk = TestKiosk()
    body = server.register(kiosk, unit="C06", counter=3)
    assert body["kiosk_id"] == kiosk.kid
    assert (body["unit"], body["counter"]) == ("C06", 3)
    assert body["server"]["encryption_key"]["kid"] == server.central.encryption_kid
    assert body["server"]["tls_pins"] == list(server.central.keys.tls_pins)
    assert body["configuration"] is None


def test_an_invitation_is_used_once(server: Server) -> None:
    code = server.central.registry.invite("X", 1)
    assert _register(server, code, TestKiosk())[0] == 201
    status, body = _register(server, code, TestKiosk())
    assert (status, body["code"]) == (400, "invite_invalid")


def test_an_expired_or_foreign_invitation_is_refused(server: Server) -> None:
    code = server.central.registry.invite("X", 1)
    server.clock.advance(24 * 3600 + 1)
    assert _register(server, code, TestKiosk())[1]["code"] == "invite_invalid"
    token = server.central.registry.invite("X", 1).split(".")[1]
    assert _register(server, f"KI1.{token}.OTHERPIN", TestKiosk())[1]["code"] == "invite_invalid"


def test_a_key_registers_once(server: Server, kiosk: TestKiosk) -> None:
    status, body = _register(server, server.central.registry.invite("X", 1), kiosk)
    assert (status, body["code"]) == (409, "kiosk_exists")


def test_a_key_that_is_not_ed25519_is_refused(server: Server) -> None:
    code = server.central.registry.invite("X", 1)
    response = server.client.post(
        "/v1/kiosks/register",
        json={"code": code, "public_key": {"kty": "EC"}, "kiosk_version": "1", "name": "A"},
    )
    assert (response.status_code, response.json()["code"]) == (400, "request_invalid")


def test_a_signed_ping_names_the_kiosk_and_records_its_contact(
    server: Server, kiosk: TestKiosk
) -> None:
    response = server.signed(kiosk, "GET", "/v1/ping")
    assert response.status_code == 200
    assert response.json()["kiosk_id"] == kiosk.kid
    assert "date" in response.headers
    (info,) = server.central.registry.kiosks()
    assert (info.version, info.uptime, info.backlog, info.self_test) == ("0.1.0-test", 120, 3, "ok")
    assert info.last_contact_at == server.clock.now


def test_an_unsigned_request_is_refused(server: Server) -> None:
    response = server.client.get("/v1/ping")
    assert (response.status_code, response.json()["code"]) == (401, "signature_invalid")


def test_an_unregistered_kiosk_is_refused(server: Server) -> None:
    response = server.signed(TestKiosk(), "GET", "/v1/ping")
    assert (response.status_code, response.json()["code"]) == (401, "kiosk_unknown")


def test_a_revoked_kiosk_is_refused(server: Server, kiosk: TestKiosk) -> None:
    assert server.central.registry.revoke(kiosk.kid)
    response = server.signed(kiosk, "GET", "/v1/ping")
    assert (response.status_code, response.json()["code"]) == (403, "kiosk_revoked")


def test_another_key_claiming_a_kid_is_refused(server: Server, kiosk: TestKiosk) -> None:
    impostor = TestKiosk()
    response = server.signed(impostor, "GET", "/v1/ping", keyid=kiosk.kid)
    assert (response.status_code, response.json()["code"]) == (401, "signature_invalid")


def test_a_replayed_request_is_refused(server: Server, kiosk: TestKiosk) -> None:
    headers = kiosk.headers("GET", "/v1/ping", at=server.clock.now)
    assert server.client.get("/v1/ping", headers=headers).status_code == 200
    again = server.client.get("/v1/ping", headers=headers)
    assert (again.status_code, again.json()["code"]) == (401, "replay")


@pytest.mark.parametrize("skew", [-301, 301])
def test_a_request_outside_the_clock_window_is_refused(
    server: Server, kiosk: TestKiosk, skew: int
) -> None:
    at = server.clock.now + dt.timedelta(seconds=skew)
    response = server.client.get("/v1/ping", headers=kiosk.headers("GET", "/v1/ping", at=at))
    assert (response.status_code, response.json()["code"]) == (401, "replay")


def test_a_request_within_the_window_passes(server: Server, kiosk: TestKiosk) -> None:
    at = server.clock.now - dt.timedelta(seconds=290)
    response = server.client.get("/v1/ping", headers=kiosk.headers("GET", "/v1/ping", at=at))
    assert response.status_code == 200


def test_the_signature_covers_path_query_and_body(server: Server, kiosk: TestKiosk) -> None:
    headers = kiosk.headers("GET", "/v1/verdicts", "after=0", at=server.clock.now)
    moved = server.client.get("/v1/verdicts?after=5", headers=headers)
    assert (moved.status_code, moved.json()["code"]) == (401, "signature_invalid")
    headers = kiosk.headers("POST", "/v1/packets", body=b"one", idempotency_key="p")
    headers["Content-Type"] = "application/jose"
    changed = server.client.post("/v1/packets", content=b"two", headers=headers)
    assert (changed.status_code, changed.json()["code"]) == (401, "signature_invalid")


def test_the_idempotency_key_must_be_covered(server: Server, kiosk: TestKiosk) -> None:
    headers = kiosk.headers("POST", "/v1/packets", body=b"x", at=server.clock.now)
    headers |= {"Idempotency-Key": "p1", "Content-Type": "application/jose"}
    response = server.client.post("/v1/packets", content=b"x", headers=headers)
    assert (response.status_code, response.json()["code"]) == (401, "signature_invalid")


def test_nonces_survive_a_restart(server: Server, kiosk: TestKiosk) -> None:
    headers = kiosk.headers("GET", "/v1/ping", at=server.clock.now)
    assert server.client.get("/v1/ping", headers=headers).status_code == 200
    from fastapi.testclient import TestClient

    from central.api import create_app
    from central.service import Central

    restarted = Central(dataclasses.replace(server.central.settings), clock=server.clock)
    try:
        again = TestClient(create_app(restarted)).get("/v1/ping", headers=headers)
    finally:
        restarted.close()
    assert again.json()["code"] == "replay"


def test_a_created_time_far_in_the_future_is_a_replay(server: Server, kiosk: TestKiosk) -> None:
    response = server.signed(kiosk, "GET", "/v1/ping", created=10**15 - 1)
    assert (response.status_code, response.json()["code"]) == (401, "replay")
