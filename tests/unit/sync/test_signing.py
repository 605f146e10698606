"""RFC 9421 request signatures, checked by the reference server's own parser."""

import base64
import hashlib
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from central import httpsig
from kiosk.sync.signing import RequestParts, content_digest, http_date, sign_request

AT = datetime(2026, 11, 27, 7, 30, 5, tzinfo=UTC)


def _lower(headers: dict[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def test_content_digest_is_rfc_9530_sha_256_also_for_an_empty_body() -> None:
    empty = base64.b64encode(hashlib.sha256(b"").digest()).decode()
    assert content_digest(b"") == f"sha-256=:{empty}:"


def test_date_is_an_imf_fixdate() -> None:
    assert http_date(AT) == "Fri, 27 Nov 2026 07:30:05 GMT"


def test_the_server_rebuilds_the_signature_base_and_the_signature_verifies() -> None:
    key = Ed25519PrivateKey.generate()
    parts = RequestParts("POST", "/v1/packets", "", b"jwe bytes", idempotency_key="pid-1")
    headers = sign_request(parts, "kid-1", key.sign, AT, nonce="bm9uY2U")
    parsed = httpsig.parse("POST", "/v1/packets", "", _lower(headers), b"jwe bytes")
    assert parsed.keyid == "kid-1"
    assert parsed.nonce == "bm9uY2U"
    assert parsed.created == int(AT.timestamp())
    key.public_key().verify(parsed.signature, parsed.base)
    assert b'"idempotency-key": pid-1' in parsed.base


def test_a_query_is_covered() -> None:
    key = Ed25519PrivateKey.generate()
    parts = RequestParts("GET", "/v1/verdicts", "after=3&limit=500", b"")
    headers = sign_request(parts, "kid-1", key.sign, AT)
    parsed = httpsig.parse("GET", "/v1/verdicts", "after=3&limit=500", _lower(headers), b"")
    key.public_key().verify(parsed.signature, parsed.base)
    assert b'"@query": ?after=3&limit=500' in parsed.base


def test_each_request_gets_a_fresh_nonce() -> None:
    key = Ed25519PrivateKey.generate()
    parts = RequestParts("GET", "/v1/ping", "", b"")
    first = sign_request(parts, "k", key.sign, AT)["Signature-Input"]
    second = sign_request(parts, "k", key.sign, AT)["Signature-Input"]
    assert first != second
