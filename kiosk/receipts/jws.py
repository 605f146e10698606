"""Compact JWS (RFC 7515 §7.1) signed with Ed25519 (``alg`` EdDSA, RFC 8037 §3.1).

A receipt's QR code must be checked offline by anyone holding the station's public key, with
standard tools; a compact JWS is the smallest standard form. Only what the receipts need is
here: one algorithm, a ``kid`` naming the key (its RFC 7638 JWK thumbprint, RFC 8037 §A.3), and
verification against a set of public keys only. ``crit`` and unencoded payloads are refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kiosk.receipts.errors import ReceiptInvalid

ALGORITHM = "EdDSA"

Signer = Callable[[bytes], bytes]
"""Makes an Ed25519 signature; the private key stays with whoever holds it (the store)."""

TrustedKeys = Mapping[str, Ed25519PublicKey]
"""Public keys by their thumbprint (the ``kid``): all that verification ever needs."""


def b64url_encode(data: bytes) -> str:
    """Base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """The bytes of unpadded base64url ``text``.

    Raises:
        ReceiptInvalid: ``encoding`` when ``text`` is not canonical unpadded base64url.
    """
    if "=" in text or not text.isascii():
        raise ReceiptInvalid("encoding")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as err:
        raise ReceiptInvalid("encoding") from err
    if b64url_encode(data) != text:  # a second spelling of the same bytes is not accepted
        raise ReceiptInvalid("encoding")
    return data


def thumbprint(public_key: bytes) -> str:
    """The RFC 7638 JWK thumbprint of a raw Ed25519 public key (the ``kid`` on receipts)."""
    jwk = {"crv": "Ed25519", "kty": "OKP", "x": b64url_encode(public_key)}
    canonical = json.dumps(jwk, sort_keys=True, separators=(",", ":")).encode("ascii")
    return b64url_encode(hashlib.sha256(canonical).digest())


def trusted_keys(public_keys: Iterable[bytes]) -> dict[str, Ed25519PublicKey]:
    """The keys that receipts may be signed with, by thumbprint, from their raw bytes."""
    return {thumbprint(raw): Ed25519PublicKey.from_public_bytes(raw) for raw in public_keys}


def sign(payload: bytes, signer: Signer, header: Mapping[str, str]) -> str:
    """The compact serialisation of ``payload`` signed by ``signer`` under ``header``.

    ``header`` is written as given (with ``alg`` set to EdDSA), in sorted compact JSON.
    """
    protected = dict(header, alg=ALGORITHM)
    encoded = b64url_encode(json.dumps(protected, sort_keys=True, separators=(",", ":")).encode())
    signing_input = f"{encoded}.{b64url_encode(payload)}"
    return f"{signing_input}.{b64url_encode(signer(signing_input.encode('ascii')))}"


def verify(token: str, keys: TrustedKeys) -> tuple[dict[str, object], bytes]:
    """The protected header and payload of ``token`` once its ``kid``'s signature checks out.

    Raises:
        ReceiptInvalid: ``unknown_key`` when no key of ``keys`` has the header's ``kid``, or a
            reason of ``verify_with``.
    """
    header, _ = _split(token)
    key = keys.get(str(header.get("kid")))
    if key is None:
        raise ReceiptInvalid("unknown_key")
    return verify_with(token, key)


def verify_with(token: str, key: Ed25519PublicKey) -> tuple[dict[str, object], bytes]:
    """The protected header and payload of ``token`` if ``key`` made its signature.

    Raises:
        ReceiptInvalid: ``format``, ``encoding``, ``header``, ``algorithm`` or ``signature``.
    """
    header, parts = _split(token)
    payload, signature = b64url_decode(parts[1]), b64url_decode(parts[2])
    try:
        key.verify(signature, f"{parts[0]}.{parts[1]}".encode("ascii"))
    except InvalidSignature as err:
        raise ReceiptInvalid("signature") from err
    return header, payload


def _split(token: str) -> tuple[dict[str, object], list[str]]:
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise ReceiptInvalid("format")
    return _header(parts[0]), parts


def _header(encoded: str) -> dict[str, object]:
    try:
        header = json.loads(b64url_decode(encoded))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ReceiptInvalid("header") from err
    if not isinstance(header, dict):
        raise ReceiptInvalid("header")
    if header.get("alg") != ALGORITHM:
        raise ReceiptInvalid("algorithm")
    if "crit" in header or header.get("b64", True) is not True:
        raise ReceiptInvalid("header")  # RFC 7515 §4.1.11: extensions we do not understand
    return header
