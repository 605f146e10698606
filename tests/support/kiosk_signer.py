"""A test kiosk: an Ed25519 key that signs requests (RFC 9421) and seals packets (JWS in JWE).

Written from docs/sync-protocol.md independently of the server's verifier, so the server's
tests do not check the server against itself. The kiosk's real client lives in ``kiosk/sync``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519
from jwcrypto import jwe, jwk, jws


@dataclass
class TestKiosk:
    """A kiosk identity for tests; ``kid`` is the RFC 7638 thumbprint of its public key."""

    __test__ = False  # not a pytest test class, despite its name

    key: ed25519.Ed25519PrivateKey = field(default_factory=ed25519.Ed25519PrivateKey.generate)

    @property
    def public_jwk(self) -> dict[str, str]:
        exported: dict[str, str] = jwk.JWK.from_pyca(self.key.public_key()).export_public(
            as_dict=True
        )
        return exported

    @property
    def kid(self) -> str:
        value: str = jwk.JWK(**self.public_jwk).thumbprint()
        return value

    def headers(
        self,
        method: str,
        path: str,
        query: str = "",
        body: bytes = b"",
        *,
        idempotency_key: str | None = None,
        at: datetime | None = None,
        nonce: str | None = None,
        keyid: str | None = None,
        created: int | None = None,
    ) -> dict[str, str]:
        """The headers of a signed request (``query`` without its ``?``).

        ``created`` overrides the signature's creation time (``at`` by default).
        """
        at = at or datetime.now(UTC)
        digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
        headers = {
            "Date": format_datetime(at, usegmt=True),
            "Content-Digest": f"sha-256=:{digest}:",
            "X-Kiosk-Version": "0.1.0-test",
            "X-Kiosk-Uptime": "120",
            "X-Kiosk-Backlog": "3",
            "X-Kiosk-Self-Test": "ok",
        }
        covered = ["@method", "@path", "@query", "date", "content-digest"]
        values = {
            "@method": method,
            "@path": path,
            "@query": f"?{query}",
            "date": headers["Date"],
            "content-digest": headers["Content-Digest"],
        }
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
            covered.append("idempotency-key")
            values["idempotency-key"] = idempotency_key
        nonce = nonce or base64.urlsafe_b64encode(secrets.token_bytes(16)).decode().rstrip("=")
        params = (
            "(" + " ".join(f'"{c}"' for c in covered) + ")"
            f";created={created if created is not None else int(at.timestamp())};"
            f'nonce="{nonce}";keyid="{keyid or self.kid}"'
            ';alg="ed25519"'
        )
        base = "\n".join(
            [*(f'"{c}": {values[c]}' for c in covered), f'"@signature-params": {params}']
        )
        signature = base64.b64encode(self.key.sign(base.encode())).decode()
        headers["Signature-Input"] = f"kiosk={params}"
        headers["Signature"] = f"kiosk=:{signature}:"
        return headers

    def seal(
        self,
        payload: bytes,
        server: Mapping[str, Any],
        *,
        signer: ed25519.Ed25519PrivateKey | None = None,
        kid: str | None = None,
        typ: str = "kiosk-packet+cbor",
    ) -> bytes:
        """The packet body: a compact JWS (EdDSA) of ``payload`` inside a compact JWE."""
        signed = jws.JWS(payload)
        header = {"alg": "EdDSA", "kid": kid or self.kid, "typ": typ}
        signed.add_signature(
            jwk.JWK.from_pyca(signer or self.key), alg="EdDSA", protected=json.dumps(header)
        )
        inner = signed.serialize(compact=True)
        encryption = server["encryption_key"]
        recipient = jwk.JWK(**{k: encryption[k] for k in ("kty", "crv", "x", "y")})
        sealed = jwe.JWE(
            inner.encode(),
            protected=json.dumps(
                {
                    "alg": "ECDH-ES+A256KW",
                    "enc": "A256GCM",
                    "kid": encryption["kid"],
                    "cty": "kiosk-packet+jws",
                }
            ),
        )
        sealed.add_recipient(recipient)
        compact: str = sealed.serialize(compact=True)
        return compact.encode()
