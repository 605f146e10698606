"""HTTP Message Signatures (RFC 9421) over the kiosk's requests, as docs/sync-protocol.md fixes.

uvicorn does not hand a client certificate to the application, so mutual TLS alone cannot say
which kiosk is asking: each request is signed instead with the station's Ed25519 key, over the
method, path, query, ``Date``, ``Content-Digest`` (RFC 9530) and, when present, the
``Idempotency-Key``, with a creation time and a random nonce so that the server can refuse a
replay. This module is pure: it builds headers from a request's parts and a signing function.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime

LABEL = "kiosk"
ALGORITHM = "ed25519"
NONCE_BYTES = 16


@dataclass(frozen=True, slots=True)
class RequestParts:
    """What the signature covers: method, path, query (without ``?``), body and headers."""

    method: str
    path: str
    query: str
    body: bytes
    idempotency_key: str | None = None


def content_digest(body: bytes) -> str:
    """The RFC 9530 ``Content-Digest`` value (SHA-256), also for an empty body."""
    digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
    return f"sha-256=:{digest}:"


def http_date(at: datetime) -> str:
    """``at`` as an IMF-fixdate (RFC 9110 section 5.6.7), the form ``Date`` must take."""
    return format_datetime(at, usegmt=True)


def signature_base(
    parts: RequestParts, headers: Mapping[str, str], params: str
) -> tuple[str, bytes]:
    """The covered components' list and the signature base (RFC 9421 section 2.5).

    Returns the ``@signature-params`` value (the ``Signature-Input`` member) and the bytes
    that are signed.
    """
    lines = [
        f'"@method": {parts.method.upper()}',
        f'"@path": {parts.path}',
        f'"@query": ?{parts.query}',
        f'"date": {headers["Date"]}',
        f'"content-digest": {headers["Content-Digest"]}',
    ]
    components = '"@method" "@path" "@query" "date" "content-digest"'
    if parts.idempotency_key is not None:
        lines.append(f'"idempotency-key": {parts.idempotency_key}')
        components += ' "idempotency-key"'
    signature_params = f"({components}){params}"
    lines.append(f'"@signature-params": {signature_params}')
    return signature_params, "\n".join(lines).encode()


def sign_request(
    parts: RequestParts,
    key_id: str,
    sign: Callable[[bytes], bytes],
    at: datetime,
    nonce: str | None = None,
) -> dict[str, str]:
    """The headers that make ``parts`` a signed request of the kiosk ``key_id``.

    Args:
        parts: the request's method, path, query, body and idempotency key.
        key_id: the kiosk's ``kid``.
        sign: signs bytes with the station's Ed25519 key (the key never leaves the store).
        at: now, by the kiosk's clock (``Date`` and ``created``).
        nonce: for tests with known vectors only; a fresh random nonce otherwise.
    """
    headers = {"Date": http_date(at), "Content-Digest": content_digest(parts.body)}
    if parts.idempotency_key is not None:
        headers["Idempotency-Key"] = parts.idempotency_key
    nonce = nonce or base64.urlsafe_b64encode(secrets.token_bytes(NONCE_BYTES)).decode().rstrip("=")
    params = f';created={int(at.timestamp())};nonce="{nonce}";keyid="{key_id}";alg="{ALGORITHM}"'
    signature_params, base = signature_base(parts, headers, params)
    signature = base64.b64encode(sign(base)).decode()
    headers["Signature-Input"] = f"{LABEL}={signature_params}"
    headers["Signature"] = f"{LABEL}=:{signature}:"
    return headers
