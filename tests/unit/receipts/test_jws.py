"""The compact JWS against RFC 8037's worked example, and its refusals."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.receipts import jws
from kiosk.receipts.errors import ReceiptInvalid

# RFC 8037 Appendix A.1 (the key), A.3 (its thumbprint), A.4 (the JWS).
RFC8037_A1_D = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
RFC8037_A1_X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
RFC8037_A3_THUMBPRINT = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
RFC8037_A4_PAYLOAD = b"Example of Ed25519 signing"
RFC8037_A4_JWS = (
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
)

KEY = Ed25519PrivateKey.from_private_bytes(jws.b64url_decode(RFC8037_A1_D))
PUBLIC = jws.b64url_decode(RFC8037_A1_X)


def test_rfc8037_a4_signing() -> None:
    assert jws.sign(RFC8037_A4_PAYLOAD, KEY.sign, {}) == RFC8037_A4_JWS


def test_rfc8037_a5_verification() -> None:
    header, payload = jws.verify_with(RFC8037_A4_JWS, KEY.public_key())
    assert header == {"alg": "EdDSA"}
    assert payload == RFC8037_A4_PAYLOAD


def test_rfc8037_a3_thumbprint() -> None:
    assert KEY.public_key().public_bytes_raw() == PUBLIC
    assert jws.thumbprint(PUBLIC) == RFC8037_A3_THUMBPRINT


def test_the_kid_chooses_the_key_and_an_unknown_kid_is_refused() -> None:
    token = jws.sign(b"x", KEY.sign, {"kid": RFC8037_A3_THUMBPRINT})
    assert jws.verify(token, jws.trusted_keys([PUBLIC]))[1] == b"x"
    other = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    with pytest.raises(ReceiptInvalid) as refused:
        jws.verify(token, jws.trusted_keys([other]))
    assert refused.value.reason == "unknown_key"


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("abc", "format"),
        ("a.b.c.d", "format"),
        ("e30.e30.", "algorithm"),  # header {}
        ("eyJhbGciOiJub25lIn0.e30.", "algorithm"),  # alg none
        ("eyJhbGciOiJFZERTQSJ9=.e30.AA", "encoding"),
        ("!!!.e30.AA", "encoding"),
        ("bnVsbA.e30.AA", "header"),  # header null
        ("eyJhbGciOiJFZERTQSIsImNyaXQiOlsiYjY0Il19.e30.AA", "header"),  # crit
    ],
)
def test_malformed_tokens_are_refused_with_a_reason(token: str, reason: str) -> None:
    with pytest.raises(ReceiptInvalid) as refused:
        jws.verify_with(token, KEY.public_key())
    assert refused.value.reason == reason


def test_any_changed_character_breaks_the_signature() -> None:
    header, payload, signature = RFC8037_A4_JWS.split(".")
    changed = f"{header}.{payload[:-1]}Z.{signature}"
    with pytest.raises(ReceiptInvalid) as refused:
        jws.verify_with(changed, KEY.public_key())
    assert refused.value.reason in ("signature", "encoding")
