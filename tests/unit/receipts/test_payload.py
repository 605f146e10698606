"""Receipt claims: signing, verification, refusals, and the token in a PDF's metadata."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.receipts import jws
from kiosk.receipts.errors import ReceiptInvalid
from kiosk.receipts.payload import (
    ReceiptClaims,
    ReceiptKind,
    sign_claims,
    token_from_pdf,
    verify_token,
)

KEY = Ed25519PrivateKey.generate()
PUBLIC = KEY.public_key().public_bytes_raw()
KEYS = jws.trusted_keys([PUBLIC])
CLAIMS = ReceiptClaims(
    application_id=uuid.UUID("6f1c2a4e-5b7d-4c3e-9a1b-2c3d4e5f6a7b"),
    digest="q" * 43,
    issued_at=datetime(2026, 11, 27, 3, 4, 5, tzinfo=UTC),
    kind=ReceiptKind.RECEIPT,
    station="00004-02",
    demo=False,
)


def test_claims_survive_signing_and_verification() -> None:
    token = sign_claims(CLAIMS, KEY.sign, PUBLIC)
    assert verify_token(token, KEYS) == CLAIMS
    assert len(token) < 450  # small enough for a QR code at level M on a receipt


def test_a_token_of_another_type_is_refused() -> None:
    token = jws.sign(CLAIMS.to_json(), KEY.sign, {"kid": jws.thumbprint(PUBLIC), "typ": "JWT"})
    with pytest.raises(ReceiptInvalid) as refused:
        verify_token(token, KEYS)
    assert refused.value.reason == "type"


@pytest.mark.parametrize(
    "payload",
    [
        b"[]",
        b"{}",
        b'{"app":"x"}',
        b"not json",
        CLAIMS.to_json().replace(b'"demo":false', b'"demo":0'),
    ],
)
def test_signed_but_malformed_claims_are_refused(payload: bytes) -> None:
    header = {"kid": jws.thumbprint(PUBLIC), "typ": "kiosk-receipt"}
    with pytest.raises(ReceiptInvalid) as refused:
        verify_token(jws.sign(payload, KEY.sign, header), KEYS)
    assert refused.value.reason == "claims"


def test_the_token_is_found_in_the_pdf_subject() -> None:
    token = sign_claims(CLAIMS, KEY.sign, PUBLIC)
    pdf = b"%PDF-1.4\n1 0 obj\n<< /Title (x) /Subject (" + token.encode() + b") >>\nendobj\n"
    assert token_from_pdf(pdf) == token
    with pytest.raises(ReceiptInvalid) as refused:
        token_from_pdf(b"%PDF-1.4\n<< /Subject (unspecified text) >>")
    assert refused.value.reason == "no_payload"
