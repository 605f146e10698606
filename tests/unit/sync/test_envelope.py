"""Packets sealed for the server only; acknowledgements and configuration checked strictly."""

import json

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwcrypto import jwe, jwk, jws
from jwcrypto.common import JWException

from kiosk.sync.envelope import (
    ACK_TYPE,
    CONFIG_TYPE,
    PacketSealer,
    check_acknowledgement,
    kiosk_key_id,
    open_acknowledgement,
    open_configuration,
    payload_digest,
)
from kiosk.sync.errors import SignatureInvalid


def _server_signed(key: Ed25519PrivateKey, typ: str, content: dict[str, object]) -> bytes:
    private = jwk.JWK.from_pyca(key)
    token = jws.JWS(json.dumps(content).encode())
    header = {"alg": "EdDSA", "kid": private.thumbprint(), "typ": typ}
    token.add_signature(private, alg="EdDSA", protected=header)
    return str(token.serialize(compact=True)).encode()


def _public(key: Ed25519PrivateKey) -> str:
    return str(jwk.JWK.from_pyca(key.public_key()).export_public())


def _ack(packet_id: str = "p1", digest: str = "d1") -> dict[str, object]:
    return {
        "packet_id": packet_id,
        "application_id": "a1",
        "kiosk_id": "k1",
        "payload_sha256": digest,
        "received_at": "2026-11-27T07:00:00+00:00",
        "verdict": "received",
    }


def test_a_sealed_packet_opens_only_with_the_server_key_and_carries_the_kiosk_signature() -> None:
    kiosk = Ed25519PrivateKey.generate()
    server = ec.generate_private_key(ec.SECP256R1())
    server_public = str(jwk.JWK.from_pyca(server.public_key()).export_public())
    sealer = PacketSealer(kiosk)
    sealed = sealer.seal(b"\xa1\x01\x02cbor", server_public)
    envelope = jwe.JWE()
    envelope.deserialize(sealed.decode(), jwk.JWK.from_pyca(server))
    assert envelope.jose_header["alg"] == "ECDH-ES+A256KW"
    assert envelope.jose_header["enc"] == "A256GCM"
    signed = jws.JWS()
    signed.deserialize(envelope.payload.decode(), jwk.JWK.from_pyca(kiosk.public_key()))
    assert signed.payload == b"\xa1\x01\x02cbor"
    assert signed.jose_header["kid"] == sealer.key_id
    assert sealer.key_id == kiosk_key_id(kiosk.public_key().public_bytes_raw())
    other = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(JWException):
        jwe.JWE().deserialize(sealed.decode(), jwk.JWK.from_pyca(other))


def test_an_acknowledgement_is_verified_and_matched_to_its_packet() -> None:
    server = Ed25519PrivateKey.generate()
    ack = open_acknowledgement(_server_signed(server, ACK_TYPE, _ack()), _public(server))
    check_acknowledgement(ack, "p1", "k1", "d1")
    with pytest.raises(SignatureInvalid):
        check_acknowledgement(ack, "p2", "k1", "d1")
    with pytest.raises(SignatureInvalid):
        check_acknowledgement(ack, "p1", "k1", payload_digest(b"other bytes"))


def test_an_acknowledgement_with_a_bad_signature_is_refused() -> None:
    server, impostor = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    forged = _server_signed(impostor, ACK_TYPE, _ack())
    with pytest.raises(SignatureInvalid):
        open_acknowledgement(forged, _public(server))
    token = _server_signed(server, ACK_TYPE, _ack())
    tampered = token[:-3] + (b"AAA" if token[-3:] != b"AAA" else b"BBB")
    with pytest.raises(SignatureInvalid):
        open_acknowledgement(tampered, _public(server))
    with pytest.raises(SignatureInvalid):
        open_acknowledgement(_server_signed(server, CONFIG_TYPE, _ack()), _public(server))


def test_an_older_or_equal_configuration_is_refused() -> None:
    server = Ed25519PrivateKey.generate()
    bundle = {"version": 3, "tls_pins": ["P1", "P2"], "thresholds": {}}
    token = _server_signed(server, CONFIG_TYPE, bundle)
    opened = open_configuration(token, _public(server), 2)
    assert opened.version == 3
    assert opened.tls_pins == ("P1", "P2")
    for current in (3, 4):
        with pytest.raises(SignatureInvalid) as refused:
            open_configuration(token, _public(server), current)
        assert refused.value.params["reason"] == "rollback"
    impostor = Ed25519PrivateKey.generate()
    with pytest.raises(SignatureInvalid):
        open_configuration(_server_signed(impostor, CONFIG_TYPE, bundle), _public(server), 0)
