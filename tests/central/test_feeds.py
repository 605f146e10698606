"""The verdict feed (cursor, limit, activation after the delay) and configuration bundles."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from pathlib import Path

import pytest
from jwcrypto import jwk, jws

from central.bundles import BundleError
from central.intake import PENDING
from kiosk.devices.sim import pki
from kiosk.sync import codec, schema
from tests.central.conftest import Server, make_server
from tests.support.kiosk_signer import TestKiosk


def _send(server: Server, kiosk: TestKiosk) -> schema.Packet:
    packet = server.packet(kiosk)
    body = kiosk.seal(codec.encode_packet(packet), server.info)
    assert server.send(kiosk, body, packet.packet_id).status_code == 201
    return packet


def _feed(server: Server, kiosk: TestKiosk, query: str) -> dict[str, object]:
    response = server.signed(kiosk, "GET", "/v1/verdicts", query)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_the_feed_pages_by_cursor(server: Server, kiosk: TestKiosk) -> None:
    first, second = _send(server, kiosk), _send(server, kiosk)
    page = _feed(server, kiosk, "after=0&limit=4")
    verdicts = page["verdicts"]
    assert isinstance(verdicts, list)
    # Both are acknowledged (received) before either is decided (the decision comes after).
    assert [(v["packet_id"], v["verdict"]) for v in verdicts[:2]] == [
        (first.packet_id, "received"),
        (second.packet_id, "received"),
    ]
    assert page["next"] == verdicts[-1]["cursor"]
    rest = _feed(server, kiosk, f"after={page['next']}")
    later = verdicts[2:] + rest["verdicts"]  # type: ignore[operator]
    for packet in (first, second):
        mine = [v["verdict"] for v in later if v["packet_id"] == packet.packet_id]
        assert mine == ["accepted", "activated"]
    empty = _feed(server, kiosk, f"after={rest['next']}")
    assert empty == {"verdicts": [], "next": rest["next"]}


def test_a_decision_pending_at_a_stop_is_made_by_the_thread_after_the_restart(
    tmp_path: Path, pki_folder: Path
) -> None:
    before = make_server(tmp_path / "c", pki_folder)
    kiosk = TestKiosk()
    before.register(kiosk)
    packet = _send(before, kiosk)
    before.central.close()  # acknowledged, stored, not decided yet
    assert _decisions(tmp_path / "c") == {packet.packet_id: PENDING}
    after = make_server(tmp_path / "c", pki_folder)
    decided = threading.Event()
    handler = _Signal(decided, packet.packet_id)  # the thread logs each decision it makes
    logging.getLogger("central.intake").addHandler(handler)
    try:
        after.central.intake.start()
        assert decided.wait(60), "the decision thread did not decide the pending packet"
    finally:
        logging.getLogger("central.intake").removeHandler(handler)
        after.central.close()
    assert _decisions(tmp_path / "c") == {packet.packet_id: "accepted"}


class _Signal(logging.Handler):
    """Sets ``event`` when the intake logs its decision on ``packet_id``."""

    def __init__(self, event: threading.Event, packet_id: str) -> None:
        super().__init__()
        self.event, self.packet_id = event, packet_id

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if self.packet_id in message and "passive authentication" in message:
            self.event.set()


def _decisions(data: Path) -> dict[str, str]:
    database = sqlite3.connect(data / "central.db")
    try:
        return dict(database.execute("SELECT packet_id, decision FROM packets"))
    finally:
        database.close()


def test_a_kiosk_sees_only_its_own_verdicts(server: Server, kiosk: TestKiosk) -> None:
    _send(server, kiosk)
    other = TestKiosk()
    server.register(other)
    assert _feed(server, other, "after=0")["verdicts"] == []


def test_activation_follows_after_the_delay(tmp_path: Path, pki_folder: Path) -> None:
    server = make_server(tmp_path / "c", pki_folder, delay=3600)
    try:
        kiosk = TestKiosk()
        server.register(kiosk)
        _send(server, kiosk)
        page = _feed(server, kiosk, "after=0")
        assert [v["verdict"] for v in page["verdicts"]] == ["received", "accepted"]  # type: ignore[union-attr]
        server.clock.advance(3599)
        assert _feed(server, kiosk, f"after={page['next']}")["verdicts"] == []
        server.clock.advance(2)
        later = _feed(server, kiosk, f"after={page['next']}")["verdicts"]
        assert [v["verdict"] for v in later] == ["activated"]  # type: ignore[union-attr]
    finally:
        server.central.close()


@pytest.mark.parametrize("query", ["after=-1", "limit=0", "limit=501", "after=x"])
def test_bad_feed_parameters_are_request_invalid(
    server: Server, kiosk: TestKiosk, query: str
) -> None:
    response = server.signed(kiosk, "GET", "/v1/verdicts", query)
    assert (response.status_code, response.json()["code"]) == (400, "request_invalid")


def _bundle(server: Server, token: str) -> dict[str, object]:
    verifier = jws.JWS()
    verifier.deserialize(token)
    verifier.verify(jwk.JWK(**server.info["signing_key"]), alg="EdDSA")
    assert verifier.jose_header["typ"] == "kiosk-config+json"
    claims: dict[str, object] = json.loads(verifier.payload)
    return claims


def test_configuration_bundles_are_signed_and_versioned(
    server: Server, kiosk: TestKiosk, pki_folder: Path, tmp_path: Path
) -> None:
    assert server.signed(kiosk, "GET", "/v1/config", "after=0").status_code == 204
    csca = pki.load_or_create(pki_folder).trust_dir / "csca.pem"
    (tmp_path / "csca.pem").write_bytes(csca.read_bytes())
    document = {"thresholds": {"face_distance": 0.5}, "trust_store": ["csca.pem"]}
    keys = server.central.registry.public_keys()
    assert server.central.bundles.publish(document, tmp_path, keys) == 1
    response = server.signed(kiosk, "GET", "/v1/config", "after=0")
    assert response.headers["content-type"] == "application/jose"
    bundle = _bundle(server, response.text)
    assert bundle["version"] == 1
    assert bundle["thresholds"] == {"face_distance": 0.5}
    assert bundle["tls_pins"] == list(server.central.keys.tls_pins)
    assert bundle["kiosk_keys"] == {kiosk.kid: kiosk.public_jwk}
    assert bundle["trust_store"] == [csca.read_text()]
    assert server.signed(kiosk, "GET", "/v1/config", "after=1").status_code == 204
    assert server.central.bundles.publish({}, tmp_path, keys) == 2
    newer = server.signed(kiosk, "GET", "/v1/config", "after=1")
    assert _bundle(server, newer.text)["version"] == 2


@pytest.mark.parametrize(
    "document",
    [{"colour": "red"}, {"thresholds": []}, {"trust_store": ["missing.pem"]}, {"tls_pins": ["a"]}],
)
def test_a_bad_bundle_document_is_refused(
    server: Server, tmp_path: Path, document: dict[str, object]
) -> None:
    with pytest.raises(BundleError):
        server.central.bundles.publish(document, tmp_path, {})
