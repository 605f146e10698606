"""Opening a received packet: decrypt the JWE, verify the kiosk's JWS, decode and validate.

Pure work on the request's bytes, the server's encryption key and the sender's public key, so
it can run in the request's thread or in a worker process (``central.workers``) alike; every
refusal is a ``ProtocolError`` with the protocol's code, raised where the caller waits. Nothing
here touches the database or the log (a worker process has neither): the intake decides what
a resend or a conflict is, and logs the refusals.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from central import jose
from central.errors import ProtocolError
from central.registry import Caller
from central.workers import Workers, worker_encryption_key
from kiosk.sync.codec import decode_packet
from kiosk.sync.schema import KNOWN_VERSIONS, Packet, SchemaError

PACKET_TYPE = "kiosk-packet+cbor"
PACKET_CONTENT = "kiosk-packet+jws"
MAX_IDENTIFIER = 64
MAX_AUDIT_HASH = 128


@dataclass(frozen=True, slots=True)
class Rules:
    """What this server accepts (it crosses to the worker processes, so plain values only)."""

    encryption_kid: str
    demo: bool
    known_versions: Collection[int] = KNOWN_VERSIONS


@dataclass(frozen=True, slots=True)
class Verified:
    """A packet's JWS, its signature verified, and the SHA-256 (hex) of its payload."""

    jws: str
    payload_sha256: str


@dataclass(frozen=True, slots=True)
class Opened:
    """A packet verified, decoded and valid for this server."""

    packet: Packet
    verified: Verified


def verify_packet(
    body: bytes,
    kid: str,
    kiosk_key: ed25519.Ed25519PublicKey,
    key: ec.EllipticCurvePrivateKey,
    rules: Rules,
) -> Verified:
    """Decrypt ``body`` with ``key`` and verify that kiosk ``kid`` signed what it holds.

    Raises:
        ProtocolError: 400 ``packet_undecryptable`` or ``packet_signature_invalid``, 422
            ``packet_kiosk_mismatch``.
    """
    return _verified(body, kid, kiosk_key, key, rules)[0]


def open_packet(
    body: bytes,
    packet_id: str,
    kid: str,
    kiosk_key: ed25519.Ed25519PublicKey,
    key: ec.EllipticCurvePrivateKey,
    rules: Rules,
) -> Opened:
    """``verify_packet``, then the packet decoded and checked against its request and the rules.

    Raises:
        ProtocolError: as ``verify_packet``; 422 with the schema's code, ``schema_invalid``,
            ``packet_id_mismatch``, ``packet_kiosk_mismatch`` or ``demo_outside_demo``.
    """
    verified, payload = _verified(body, kid, kiosk_key, key, rules)
    return Opened(_validate(payload, packet_id, kid, rules), verified)


class Opener:
    """Opens packets in the request's thread, or in the server's worker processes."""

    def __init__(
        self, key: ec.EllipticCurvePrivateKey, rules: Rules, workers: Workers | None
    ) -> None:
        self._key = key
        self._rules = rules
        self._workers = workers

    def verify(self, body: bytes, caller: Caller) -> Verified:
        """``verify_packet`` for ``caller`` (a resend's check: same payload or a conflict)."""
        if self._workers is None:
            return verify_packet(body, caller.kid, caller.key, self._key, self._rules)
        raw = _raw(caller.key)
        return self._workers.call(_verify_in_worker, body, caller.kid, raw, self._rules)

    def open(self, body: bytes, packet_id: str, caller: Caller) -> Opened:
        """``open_packet`` for ``caller``'s request under ``Idempotency-Key: packet_id``."""
        if self._workers is None:
            return open_packet(body, packet_id, caller.kid, caller.key, self._key, self._rules)
        raw = _raw(caller.key)
        return self._workers.call(_open_in_worker, body, packet_id, caller.kid, raw, self._rules)


def _raw(key: ed25519.Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _verify_in_worker(body: bytes, kid: str, raw: bytes, rules: Rules) -> Verified:
    kiosk_key = ed25519.Ed25519PublicKey.from_public_bytes(raw)
    return verify_packet(body, kid, kiosk_key, worker_encryption_key(), rules)


def _open_in_worker(body: bytes, packet_id: str, kid: str, raw: bytes, rules: Rules) -> Opened:
    kiosk_key = ed25519.Ed25519PublicKey.from_public_bytes(raw)
    return open_packet(body, packet_id, kid, kiosk_key, worker_encryption_key(), rules)


def _verified(
    body: bytes,
    kid: str,
    kiosk_key: ed25519.Ed25519PublicKey,
    key: ec.EllipticCurvePrivateKey,
    rules: Rules,
) -> tuple[Verified, bytes]:
    jws = _decrypt(body, key, rules)
    payload = _verify(jws, kid, kiosk_key)
    return Verified(jws, hashlib.sha256(payload).hexdigest()), payload


def _decrypt(body: bytes, key: ec.EllipticCurvePrivateKey, rules: Rules) -> str:
    try:
        header, plaintext = jose.decrypt_compact(body.decode("ascii"), key)
    except (UnicodeDecodeError, jose.JoseError) as err:
        raise ProtocolError(400, "packet_undecryptable", "the JWE does not decrypt") from err
    expected = {
        "alg": jose.JWE_ALG,
        "enc": jose.JWE_ENC,
        "kid": rules.encryption_kid,
        "cty": PACKET_CONTENT,
    }
    if any(header.get(name) != value for name, value in expected.items()):
        raise ProtocolError(400, "packet_undecryptable", "JWE header is not the protocol's")
    try:
        return plaintext.decode("ascii")
    except UnicodeDecodeError as err:
        raise ProtocolError(400, "packet_signature_invalid", "not a compact JWS") from err


def _verify(jws: str, kid: str, kiosk_key: ed25519.Ed25519PublicKey) -> bytes:
    try:
        header = jose.unverified_header(jws)
    except jose.JoseError as err:
        raise ProtocolError(400, "packet_signature_invalid", "not a compact JWS") from err
    if header.get("kid") != kid:
        raise ProtocolError(422, "packet_kiosk_mismatch", "the JWS kid is not the signer's")
    if header.get("typ") != PACKET_TYPE or header.get("alg") != jose.JWS_ALG:
        raise ProtocolError(400, "packet_signature_invalid", "JWS header is not the protocol's")
    try:
        return jose.verify_compact(jws, kiosk_key)
    except jose.JoseError as err:
        raise ProtocolError(400, "packet_signature_invalid", "the JWS does not verify") from err


def _validate(payload: bytes, packet_id: str, kid: str, rules: Rules) -> Packet:
    try:
        packet = decode_packet(payload, rules.known_versions)
    except SchemaError as err:
        raise ProtocolError(422, err.code.value, str(err)) from err
    identifiers = (packet.packet_id, packet.application_id, packet.kiosk_id)
    if max(map(len, identifiers)) > MAX_IDENTIFIER:
        raise ProtocolError(422, "schema_invalid", "an identifier is over 64 characters")
    if len(packet.audit_head.hash) > MAX_AUDIT_HASH:
        raise ProtocolError(422, "schema_invalid", "audit_head.hash is over 128 characters")
    if packet.packet_id != packet_id:
        raise ProtocolError(422, "packet_id_mismatch", "Idempotency-Key and packet_id differ")
    if packet.kiosk_id != kid:
        raise ProtocolError(422, "packet_kiosk_mismatch", "kiosk_id is not the signer's")
    if packet.demo and not rules.demo:
        raise ProtocolError(422, "demo_outside_demo", "a DEMO packet outside demo mode")
    return packet
