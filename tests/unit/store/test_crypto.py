import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa, x25519

from kiosk.domain.errors import ErrorCode
from kiosk.store import crypto
from kiosk.store.errors import DataIntegrityError, KeyUnavailableError
from kiosk.store.recovery import load_recovery_public_key, unwrap_recovery, wrap_for_recovery

KEY = bytes(range(32))
AD = crypto.associated_data("applications", "phone", "row-1")


def test_sealed_layout_is_version_nonce_ciphertext_tag() -> None:
    sealed = crypto.seal(KEY, b"0912345678", AD)
    assert sealed[0] == crypto.VERSION
    assert len(sealed) == 1 + 12 + 10 + 16
    assert crypto.unseal(KEY, sealed, AD) == b"0912345678"


def test_nonces_are_fresh() -> None:
    assert crypto.seal(KEY, b"x", AD) != crypto.seal(KEY, b"x", AD)


@pytest.mark.parametrize(
    "ad",
    [
        crypto.associated_data("applications", "phone", "row-2"),
        crypto.associated_data("applications", "email", "row-1"),
        crypto.associated_data("portraits", "phone", "row-1"),
    ],
)
def test_other_associated_data_fails(ad: bytes) -> None:
    sealed = crypto.seal(KEY, b"0912345678", AD)
    with pytest.raises(DataIntegrityError) as caught:
        crypto.unseal(KEY, sealed, ad)
    assert caught.value.code is ErrorCode.DATA_INTEGRITY


@pytest.mark.parametrize("damage", ["flip", "truncate", "version", "empty"])
def test_damaged_values_fail(damage: str) -> None:
    sealed = bytearray(crypto.seal(KEY, b"0912345678", AD))
    if damage == "flip":
        sealed[20] ^= 1
    elif damage == "truncate":
        del sealed[-1]
    elif damage == "version":
        sealed[0] = 9
    else:
        sealed = bytearray()
    with pytest.raises(DataIntegrityError):
        crypto.unseal(KEY, bytes(sealed), AD)


def test_wrong_key_fails() -> None:
    with pytest.raises(DataIntegrityError):
        crypto.unseal(bytes(32), crypto.seal(KEY, b"x", AD), AD)


def test_derived_keys_differ_per_purpose() -> None:
    assert crypto.derive_key(KEY, "audit-mac") != crypto.derive_key(KEY, "blind-index")
    assert len(crypto.derive_key(KEY, "backup")) == 32


def test_blind_index_is_stable_keyed_and_truncated() -> None:
    index = crypto.blind_index(KEY, "001190012345")
    assert index == crypto.blind_index(KEY, "001190012345")
    assert index != crypto.blind_index(bytes(32), "001190012345")
    assert len(index) == 16
    assert b"001190012345" not in index


def _pem(public: x25519.X25519PublicKey | rsa.RSAPublicKey) -> bytes:
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@pytest.mark.parametrize("kind", ["x25519", "rsa"])
def test_recovery_copy_opens_only_with_the_province_key(kind: str) -> None:
    if kind == "x25519":
        private, other = x25519.X25519PrivateKey.generate(), x25519.X25519PrivateKey.generate()
    else:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = load_recovery_public_key(_pem(private.public_key()))
    copy = wrap_for_recovery(KEY, public)
    assert KEY not in copy
    assert unwrap_recovery(copy, private) == KEY
    with pytest.raises(KeyUnavailableError):
        unwrap_recovery(copy, other)


def test_weak_or_malformed_recovery_keys_are_refused() -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()  # noqa: S505 - the weak key under test
    with pytest.raises(KeyUnavailableError):
        load_recovery_public_key(_pem(weak))
    with pytest.raises(KeyUnavailableError):
        load_recovery_public_key(b"not a key")
