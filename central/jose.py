"""JOSE for the server, typed: the only module that calls jwcrypto (which ships no types).

Compact JWS (EdDSA) for what the server signs and what the kiosk signs; compact JWE
(ECDH-ES+A256KW with A256GCM) for the packet the kiosk encrypts to the server. Every failure of
the library on hostile input becomes ``JoseError``; the algorithms are pinned on both sides, so
a token cannot choose a weaker one.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from jwcrypto import jwe, jwk, jws
from jwcrypto.common import JWException

Key = ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey | ec.EllipticCurvePrivateKey

JWE_ALG = "ECDH-ES+A256KW"
JWE_ENC = "A256GCM"
JWS_ALG = "EdDSA"

_LIBRARY_ERRORS = (JWException, ValueError, TypeError, KeyError, IndexError, AttributeError)
"""What jwcrypto raises on malformed tokens and keys (it is not consistent about it)."""


class JoseError(Exception):
    """A token that cannot be parsed, decrypted or verified, or a key that cannot be used."""


def public_jwk(key: Key | ec.EllipticCurvePublicKey) -> dict[str, str]:
    """The public JWK of ``key`` (private parts never leave)."""
    exported: dict[str, str] = jwk.JWK.from_pyca(key).export_public(as_dict=True)
    return exported


def thumbprint(public: dict[str, Any]) -> str:
    """The RFC 7638 SHA-256 thumbprint (base64url) of a public JWK: the ``kid``.

    Raises:
        JoseError: not a usable JWK.
    """
    try:
        value: str = jwk.JWK(**public).thumbprint()
    except _LIBRARY_ERRORS as err:
        raise JoseError("not a usable JWK") from err
    return value


def ed25519_public_key(public: dict[str, Any]) -> ed25519.Ed25519PublicKey:
    """The Ed25519 key of an OKP JWK.

    Raises:
        JoseError: not an Ed25519 public JWK.
    """
    if public.get("kty") != "OKP" or public.get("crv") != "Ed25519" or "d" in public:
        raise JoseError("not an Ed25519 public JWK")
    try:
        key = jwk.JWK(**public).get_op_key("verify")
    except _LIBRARY_ERRORS as err:
        raise JoseError("not a usable JWK") from err
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise JoseError("not an Ed25519 public JWK")
    return key


def sign_compact(payload: bytes, key: ed25519.Ed25519PrivateKey, kid: str, typ: str) -> str:
    """A compact JWS of ``payload`` (EdDSA) with ``kid`` and ``typ`` in its protected header."""
    token = jws.JWS(payload)
    header = {"alg": JWS_ALG, "kid": kid, "typ": typ}
    token.add_signature(jwk.JWK.from_pyca(key), alg=JWS_ALG, protected=json.dumps(header))
    compact: str = token.serialize(compact=True)
    return compact


def unverified_header(compact: str) -> dict[str, Any]:
    """The protected header of a compact JWS, before verification (to find its key).

    Raises:
        JoseError: not a compact JWS.
    """
    # Only the first segment is decoded: the whole token (a ~400 KB payload) is parsed once,
    # when it is verified.
    if compact.count(".") != 2:
        raise JoseError("not a compact JWS")
    try:
        header = json.loads(_b64url_decode(compact.split(".", 1)[0]))
    except ValueError as err:
        raise JoseError("not a compact JWS") from err
    if not isinstance(header, dict):
        raise JoseError("not a compact JWS")
    return header


def verify_compact(compact: str, key: ed25519.Ed25519PublicKey) -> bytes:
    """The payload of a compact JWS that ``key`` signed with EdDSA.

    Raises:
        JoseError: malformed, another algorithm, or a bad signature.
    """
    token = jws.JWS()
    token.allowed_algs = [JWS_ALG]
    try:
        token.deserialize(compact)
        token.verify(jwk.JWK.from_pyca(key), alg=JWS_ALG)
        payload: bytes = token.payload
    except _LIBRARY_ERRORS as err:
        raise JoseError("JWS does not verify") from err
    return payload


def encrypt_compact(
    plaintext: bytes, recipient: ec.EllipticCurvePublicKey, kid: str, cty: str
) -> str:
    """A compact JWE of ``plaintext`` to ``recipient`` (what a kiosk sends; used by tests)."""
    header = {"alg": JWE_ALG, "enc": JWE_ENC, "kid": kid, "cty": cty}
    token = jwe.JWE(plaintext, protected=json.dumps(header))
    token.add_recipient(jwk.JWK.from_pyca(recipient))
    compact: str = token.serialize(compact=True)
    return compact


def decrypt_compact(compact: str, key: ec.EllipticCurvePrivateKey) -> tuple[dict[str, Any], bytes]:
    """The protected header and plaintext of a compact JWE to ``key``.

    Raises:
        JoseError: malformed, other algorithms, or it does not decrypt (tampered or not ours).
    """
    token = jwe.JWE()
    token.allowed_algs = [JWE_ALG, JWE_ENC]
    try:
        token.deserialize(compact, key=jwk.JWK.from_pyca(key))
        header = token.jose_header
        plaintext: bytes = token.payload
    except _LIBRARY_ERRORS as err:
        raise JoseError("JWE does not decrypt") from err
    if not isinstance(header, dict):
        raise JoseError("JWE header is not an object")
    return header, plaintext


def unverified_payload(compact: str) -> bytes:
    """The payload of a compact JWS, not verified: only for a token verified when it came in.

    Raises:
        JoseError: not a compact JWS.
    """
    if compact.count(".") != 2:
        raise JoseError("not a compact JWS")
    try:
        return _b64url_decode(compact.split(".")[1])
    except ValueError as err:
        raise JoseError("not a compact JWS") from err


def _b64url_decode(text: str) -> bytes:
    """Base64url without its padding (RFC 7515 section 2)."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
