"""Hostile requests: any signature headers or packet body get a protocol refusal, not a crash."""

from __future__ import annotations

import base64

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from central import httpsig
from central.errors import ProtocolError
from kiosk.sync import codec
from tests.central.conftest import Server
from tests.support.kiosk_signer import TestKiosk
from tests.support.sync_packets import sample_packet

FEW = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
KIOSK = TestKiosk()
VALID = {k.lower(): v for k, v in KIOSK.headers("GET", "/v1/ping").items()}
NAMES = ("signature-input", "signature", "content-digest", "date", "idempotency-key")


def _parse(headers: dict[str, str], body: bytes = b"") -> None:
    try:
        httpsig.parse("GET", "/v1/ping", "", headers, body)
    except ProtocolError as error:
        refusal = (error.status, error.code)
    else:
        refusal = (401, "signature_invalid")  # well formed: the caller checks the signature
    assert refusal == (401, "signature_invalid")


def test_the_valid_headers_parse() -> None:
    signed = httpsig.parse("GET", "/v1/ping", "", VALID, b"")
    assert signed.keyid == KIOSK.kid
    assert signed.base.endswith(VALID["signature-input"].removeprefix("kiosk=").encode())


@FEW
@given(st.dictionaries(st.sampled_from(NAMES), st.text(max_size=300)))
def test_random_headers(headers: dict[str, str]) -> None:
    _parse(headers)


@FEW
@given(st.sampled_from(NAMES[:4]), st.data())
def test_one_header_mutated(name: str, data: st.DataObject) -> None:
    value = list(VALID[name])
    for _ in range(data.draw(st.integers(1, 3))):
        index = data.draw(st.integers(0, len(value) - 1))
        value[index] = data.draw(st.characters(codec="ascii"))
    _parse({**VALID, name: "".join(value)})


@FEW
@given(st.binary(max_size=64))
def test_a_body_that_does_not_match_its_digest(body: bytes) -> None:
    _parse(VALID, body)


@FEW
@given(body=st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_random_packet_bodies_are_refused_cleanly(
    server: Server, kiosk: TestKiosk, body: bytes
) -> None:
    response = server.send(kiosk, body, "p-1")
    assert response.status_code in {400, 422}
    assert response.json()["code"] in {"packet_undecryptable", "packet_signature_invalid"}


@FEW
@given(data=st.data())
def test_mutated_packets_are_refused_cleanly(
    server: Server, kiosk: TestKiosk, data: st.DataObject
) -> None:
    packet = sample_packet(1, kiosk_id=kiosk.kid)
    body = bytearray(kiosk.seal(codec.encode_packet(packet), server.info))
    index = data.draw(st.integers(0, len(body) - 1))
    body[index] = data.draw(st.sampled_from(base64.urlsafe_b64encode(bytes(range(48)))))
    response = server.send(kiosk, bytes(body), packet.packet_id)
    assert response.status_code in {200, 201, 400, 409, 422}  # a no-op mutation is a (re)send
