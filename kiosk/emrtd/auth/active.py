"""Active Authentication (ICAO 9303-11 §6.1): the chip signs our challenge with DG15's key.

The terminal sends INTERNAL AUTHENTICATE with its own random 8-byte challenge; the chip signs
it with the private key whose public half is DG15. RSA keys sign by ISO/IEC 9796-2 digital
signature scheme 1 with partial message recovery (the challenge is the non-recoverable part;
trailer BC means SHA-1, otherwise the two-byte trailer names the hash, ISO/IEC 10118-3 numbers).
ECDSA keys return the plain r || s of BSI TR-03111 §5.2.1, hashed as DG14's
ActiveAuthenticationInfo says. The challenge and the signature are kept as evidence, so the
central server can verify them again. DG15 is signed by the issuer, so this counts only when
Passive Authentication of DG15 is valid (design.md): a clone may carry a key of its own.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from kiosk.emrtd.apdu import SHORT_MAX_LE, CommandAPDU
from kiosk.emrtd.auth.signature import HASHES
from kiosk.emrtd.auth.verdict import CheckResult, Verdict
from kiosk.emrtd.crypto.agreement import Random
from kiosk.emrtd.errors import SecureMessagingError, UnsupportedFeature
from kiosk.emrtd.lds.dg15 import ActiveAuthenticationKey, DG15File
from kiosk.emrtd.lds.security_infos import SecurityInfos
from kiosk.emrtd.sw import SUCCESS
from kiosk.emrtd.transport import Transport

CHALLENGE_LENGTH = 8
"""ICAO 9303-11 §6.1: an 8-byte challenge."""

ISO9796_TRAILER_HASHES: Mapping[int, str] = {
    0x33: "sha1",
    0x34: "sha256",
    0x35: "sha512",
    0x36: "sha384",
    0x38: "sha224",
}
"""Hash-function identifiers of ISO/IEC 10118-3 in a two-byte ``xx CC`` trailer."""

ECDSA_HASHES: Mapping[str, str] = {
    "0.4.0.127.0.7.1.1.4.1.1": "sha1",
    "0.4.0.127.0.7.1.1.4.1.2": "sha224",
    "0.4.0.127.0.7.1.1.4.1.3": "sha256",
    "0.4.0.127.0.7.1.1.4.1.4": "sha384",
    "0.4.0.127.0.7.1.1.4.1.5": "sha512",
    "1.2.840.10045.4.1": "sha1",
    "1.2.840.10045.4.3.1": "sha224",
    "1.2.840.10045.4.3.2": "sha256",
    "1.2.840.10045.4.3.3": "sha384",
    "1.2.840.10045.4.3.4": "sha512",
}
"""ecdsa-plain-SHA* (BSI TR-03111 §5.2.1) and the X9.62 names some chips use instead."""

_IMPLICIT_SHA1 = 0xBC
_EXPLICIT_TRAILER = 0xCC
_PARTIAL_RECOVERY = 0x6A


@dataclass(frozen=True, slots=True)
class ActiveAuthenticationEvidence:
    """Our challenge and the chip's signature over it."""

    challenge: bytes = field(repr=False)
    signature: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class ActiveAuthenticationOutcome:
    """The check's result and, when the chip answered, the evidence."""

    result: CheckResult
    evidence: ActiveAuthenticationEvidence | None = None


def internal_authenticate(channel: Transport, challenge: bytes) -> bytes | None:
    """INTERNAL AUTHENTICATE with ``challenge``; the signature, or None when refused."""
    response = channel.transmit(CommandAPDU(0x00, 0x88, 0x00, 0x00, challenge, le=SHORT_MAX_LE))
    return response.data if response.sw == SUCCESS else None


def verify_rsa(key: rsa.RSAPublicKey, challenge: bytes, signature: bytes) -> bool:
    """ISO/IEC 9796-2 scheme 1 with partial recovery: H(M1 || challenge) matches (§6.1.3).

    The recovered block is ``6A || M1 || H || trailer``.
    """
    numbers = key.public_numbers()
    value = int.from_bytes(signature, "big")
    if not signature or value >= numbers.n:
        return False
    block = pow(value, numbers.e, numbers.n).to_bytes((numbers.n.bit_length() + 7) // 8, "big")
    hash_name, trailer = _trailer(block)
    if hash_name is None or block[0] != _PARTIAL_RECOVERY:
        return False
    size = hashlib.new(hash_name).digest_size
    digest = block[-trailer - size : -trailer]
    recovered = block[1 : -trailer - size]
    return hmac.compare_digest(hashlib.new(hash_name, recovered + challenge).digest(), digest)


def _trailer(block: bytes) -> tuple[str | None, int]:
    if block[-1] == _IMPLICIT_SHA1:
        return "sha1", 1
    if block[-1] == _EXPLICIT_TRAILER:
        return ISO9796_TRAILER_HASHES.get(block[-2]), 2
    return None, 0


def verify_ecdsa(
    key: ec.EllipticCurvePublicKey, hash_name: str, challenge: bytes, signature: bytes
) -> bool:
    """Plain r || s (BSI TR-03111 §5.2.1) over the challenge, hashed with ``hash_name``."""
    half = len(signature) // 2
    if not signature or len(signature) % 2:
        return False
    r, s = int.from_bytes(signature[:half], "big"), int.from_bytes(signature[half:], "big")
    try:
        key.verify(encode_dss_signature(r, s), challenge, ec.ECDSA(HASHES[hash_name]()))
    except InvalidSignature:
        return False
    return True


def ecdsa_hash(dg14: SecurityInfos | None) -> str | None:
    """The hash DG14's ActiveAuthenticationInfo names, or None when absent or unknown."""
    info = None if dg14 is None else dg14.active_authentication
    return None if info is None else ECDSA_HASHES.get(info.signature_algorithm)


def authenticate_active(
    channel: Transport | None,
    dg15: DG15File | None,
    dg14: SecurityInfos | None,
    rng: Random = os.urandom,
) -> ActiveAuthenticationOutcome:
    """Active Authentication as a check, with the challenge and signature as evidence.

    ``not_supported`` without DG15; ``not_performed`` when the key or its hash is unknown or the
    session was lost; ``invalid`` when the chip refuses or its signature does not verify.
    """
    if dg15 is None:
        return ActiveAuthenticationOutcome(CheckResult(Verdict.NOT_SUPPORTED))
    try:
        key = dg15.public_key()
    except UnsupportedFeature:
        return _outcome(Verdict.NOT_PERFORMED, "unsupported")
    hash_name = ecdsa_hash(dg14)
    if isinstance(key, ec.EllipticCurvePublicKey) and hash_name is None:
        return _outcome(Verdict.NOT_PERFORMED, "algorithm_unknown")
    if channel is None:
        return _outcome(Verdict.NOT_PERFORMED, "session_lost")
    challenge = rng(CHALLENGE_LENGTH)
    try:
        signature = internal_authenticate(channel, challenge)
    except SecureMessagingError:
        return _outcome(Verdict.NOT_PERFORMED, "session_lost")
    if signature is None:
        return _outcome(Verdict.INVALID, "refused")
    evidence = ActiveAuthenticationEvidence(challenge, signature)
    if not _verifies(key, hash_name, challenge, signature):
        return _outcome(Verdict.INVALID, "failed", evidence)
    return ActiveAuthenticationOutcome(CheckResult(Verdict.VALID), evidence)


def _verifies(
    key: ActiveAuthenticationKey, hash_name: str | None, challenge: bytes, signature: bytes
) -> bool:
    if isinstance(key, rsa.RSAPublicKey):
        return verify_rsa(key, challenge, signature)
    return verify_ecdsa(key, hash_name or "", challenge, signature)


def _outcome(
    verdict: Verdict, reason: str, evidence: ActiveAuthenticationEvidence | None = None
) -> ActiveAuthenticationOutcome:
    return ActiveAuthenticationOutcome(
        CheckResult(verdict, (f"active_authentication_{reason}",)), evidence
    )
