"""The packet's envelope, and checking what the server signs (docs/sync-protocol.md, Packets).

A packet is a compact JWS (EdDSA, ``kid`` = the kiosk's key thumbprint) over the CBOR packet,
nested inside a compact JWE (ECDH-ES+A256KW with A256GCM) to the server's encryption key, with
jwcrypto (a maintained JOSE library, not a format of our own). The ephemeral ECDH key is thrown
away at once, so once sealed a packet can be opened by the server only: nothing on the kiosk can
decrypt its own outbox. Acknowledgements and configuration bundles are compact JWS by the
server's signing key, checked here against the key the kiosk learnt at registration; the header
``alg`` is fixed in advance, never taken from the token.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from jwcrypto import jwe, jwk, jws
from jwcrypto.common import JWException

from kiosk.sync.errors import SignatureInvalid

PACKET_TYPE = "kiosk-packet+cbor"
PACKET_CONTENT = "kiosk-packet+jws"
ACK_TYPE = "kiosk-ack+json"
CONFIG_TYPE = "kiosk-config+json"
KEY_WRAP = "ECDH-ES+A256KW"
CONTENT_ENCRYPTION = "A256GCM"
SIGNATURE_ALG = "EdDSA"


def kiosk_key_id(public_raw: bytes) -> str:
    """The kiosk's ``kid``: the RFC 7638 thumbprint (SHA-256, base64url) of its public JWK."""
    return str(_public_jwk(public_raw).thumbprint())


def kiosk_public_jwk(public_raw: bytes) -> dict[str, Any]:
    """The kiosk's public key as a JWK (sent at registration)."""
    exported: dict[str, Any] = _public_jwk(public_raw).export_public(as_dict=True)
    return exported


def payload_digest(cbor: bytes) -> str:
    """The hex SHA-256 of the CBOR packet, which the acknowledgement repeats."""
    return hashlib.sha256(cbor).hexdigest()


class PacketSealer:
    """Signs with the kiosk key: packets (then encrypted to the server's key) and requests."""

    def __init__(self, signing_key: Ed25519PrivateKey) -> None:
        self._private = signing_key
        self._key = jwk.JWK.from_pyca(signing_key)
        self._kid = str(self._key.thumbprint())

    def sign(self, data: bytes) -> bytes:
        """An Ed25519 signature of ``data`` (the RFC 9421 request signatures)."""
        return self._private.sign(data)

    @property
    def key_id(self) -> str:
        """The kiosk's ``kid``."""
        return self._kid

    def seal(self, cbor: bytes, encryption_key_json: str) -> bytes:
        """The compact JWE carrying the signed packet, as it is stored and sent."""
        signed = jws.JWS(cbor)
        header = {"alg": SIGNATURE_ALG, "kid": self._kid, "typ": PACKET_TYPE}
        signed.add_signature(self._key, alg=SIGNATURE_ALG, protected=header)
        server_key = jwk.JWK.from_json(encryption_key_json)
        protected = {
            "alg": KEY_WRAP,
            "enc": CONTENT_ENCRYPTION,
            "kid": server_key.thumbprint(),
            "cty": PACKET_CONTENT,
        }
        envelope = jwe.JWE(signed.serialize(compact=True).encode(), protected=protected)
        envelope.add_recipient(server_key)
        return str(envelope.serialize(compact=True)).encode()


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    """The server's signed word that it holds the packet."""

    packet_id: str
    application_id: str
    kiosk_id: str
    payload_sha256: str
    received_at: str
    verdict: str


@dataclass(frozen=True, slots=True)
class ConfigurationBundle:
    """A signed configuration with its monotonic version (verified before use)."""

    version: int
    tls_pins: tuple[str, ...]
    content: dict[str, Any]


def open_acknowledgement(token: bytes, signing_key_json: str) -> Acknowledgement:
    """Verify an acknowledgement and read it.

    Raises:
        SignatureInvalid: bad signature, another key, wrong type, or missing fields.
    """
    claims = _verified_json(token, signing_key_json, ACK_TYPE)
    try:
        return Acknowledgement(
            packet_id=str(claims["packet_id"]),
            application_id=str(claims["application_id"]),
            kiosk_id=str(claims["kiosk_id"]),
            payload_sha256=str(claims["payload_sha256"]),
            received_at=str(claims["received_at"]),
            verdict=str(claims["verdict"]),
        )
    except KeyError as err:
        raise SignatureInvalid("acknowledgement incomplete", reason="fields") from err


def check_acknowledgement(
    ack: Acknowledgement, packet_id: str, kiosk_id: str, payload_sha256: str
) -> None:
    """Refuse an acknowledgement that is not about this packet, this kiosk and these bytes.

    Raises:
        SignatureInvalid: reason ``mismatch``.
    """
    expected = (packet_id, kiosk_id, payload_sha256)
    if (ack.packet_id, ack.kiosk_id, ack.payload_sha256) != expected:
        raise SignatureInvalid("acknowledgement of another packet", reason="mismatch")


def open_configuration(
    token: bytes, signing_key_json: str, current_version: int
) -> ConfigurationBundle:
    """Verify a configuration bundle; refuse one not newer than ``current_version``.

    Raises:
        SignatureInvalid: bad signature (reason ``signature``), or a version that is not newer
            (reason ``rollback``): a replayed older bundle could bring back a revoked pin.
    """
    content = _verified_json(token, signing_key_json, CONFIG_TYPE)
    version = content.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise SignatureInvalid("configuration without a version", reason="fields")
    if version <= current_version:
        raise SignatureInvalid("configuration not newer", reason="rollback", version=version)
    pins = content.get("tls_pins") or []
    return ConfigurationBundle(version, tuple(str(pin) for pin in pins), content)


def _verified_json(token: bytes, signing_key_json: str, typ: str) -> dict[str, Any]:
    verifier = jws.JWS()
    verifier.allowed_algs = [SIGNATURE_ALG]
    key = jwk.JWK.from_json(signing_key_json)
    try:
        verifier.deserialize(token.decode("ascii"), key)
    except (JWException, ValueError, UnicodeDecodeError) as err:
        raise SignatureInvalid("signature check failed", reason="signature") from err
    header = verifier.jose_header
    if header.get("typ") != typ or header.get("kid") != key.thumbprint():
        raise SignatureInvalid("unexpected token header", reason="header")
    try:
        content = json.loads(verifier.payload)
    except ValueError as err:
        raise SignatureInvalid("token payload is not JSON", reason="payload") from err
    if not isinstance(content, dict):
        raise SignatureInvalid("token payload is not an object", reason="payload")
    return content


def _public_jwk(public_raw: bytes) -> jwk.JWK:
    return jwk.JWK.from_pyca(Ed25519PublicKey.from_public_bytes(public_raw))
