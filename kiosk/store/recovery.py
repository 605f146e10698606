"""The recovery copy of the master key, wrapped to the province's recovery public key.

If a kiosk's disk or DPAPI profile is lost, the province decrypts the copy with its private key
and the database (or a backup of it) becomes readable again. The kiosk never holds the private
key. Two key types are accepted because the province's choice is not ours: X25519 (an ECIES:
ephemeral X25519, HKDF-SHA256, AES-GCM) and RSA-OAEP with SHA-256 (2048 bits or more).

Layout: ``0x01 | ephemeral public key (32) | sealed`` for X25519;
``0x02 | OAEP ciphertext`` for RSA.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa, x25519

from kiosk.store.crypto import derive_key, seal, unseal
from kiosk.store.errors import DataIntegrityError, KeyUnavailableError

RecoveryPublicKey = x25519.X25519PublicKey | rsa.RSAPublicKey
RecoveryPrivateKey = x25519.X25519PrivateKey | rsa.RSAPrivateKey

_X25519, _RSA = 0x01, 0x02
_AD = b"kiosk/recovery/master"
_MIN_RSA_BITS = 2048


def load_recovery_public_key(pem: bytes) -> RecoveryPublicKey:
    """Parse the configured recovery public key (PEM, SubjectPublicKeyInfo).

    Raises:
        KeyUnavailableError: not a PEM public key, or not X25519 or RSA of 2048 bits or more.
    """
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError as err:
        raise KeyUnavailableError("recovery key unreadable", reason="format") from err
    if isinstance(key, x25519.X25519PublicKey):
        return key
    if isinstance(key, rsa.RSAPublicKey) and key.key_size >= _MIN_RSA_BITS:
        return key
    raise KeyUnavailableError("recovery key type refused", reason="type")


def wrap_for_recovery(secret: bytes, recipient: RecoveryPublicKey) -> bytes:
    """Encrypt ``secret`` so that only the holder of the recovery private key can read it."""
    if isinstance(recipient, rsa.RSAPublicKey):
        return bytes([_RSA]) + recipient.encrypt(secret, _oaep())
    ephemeral = x25519.X25519PrivateKey.generate()
    public = ephemeral.public_key().public_bytes_raw()
    key = _ecies_key(ephemeral.exchange(recipient), public, recipient.public_bytes_raw())
    return bytes([_X25519]) + public + seal(key, secret, _AD)


def unwrap_recovery(blob: bytes, private_key: RecoveryPrivateKey) -> bytes:
    """Recover the secret from a recovery copy (the province's side; also used by tests).

    Raises:
        KeyUnavailableError: the copy is malformed or was made for another key.
    """
    try:
        return _unwrap(blob, private_key)
    except (ValueError, IndexError, DataIntegrityError) as err:
        raise KeyUnavailableError("recovery copy unreadable", reason="format") from err


def _unwrap(blob: bytes, private_key: RecoveryPrivateKey) -> bytes:
    if blob[0] == _RSA and isinstance(private_key, rsa.RSAPrivateKey):
        return private_key.decrypt(blob[1:], _oaep())
    if blob[0] == _X25519 and isinstance(private_key, x25519.X25519PrivateKey):
        public = blob[1:33]
        shared = private_key.exchange(x25519.X25519PublicKey.from_public_bytes(public))
        own = private_key.public_key().public_bytes_raw()
        return unseal(_ecies_key(shared, public, own), blob[33:], _AD)
    raise ValueError("recovery copy does not match the key type")


def _ecies_key(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return derive_key(shared + ephemeral + recipient, "recovery/x25519")


def _oaep() -> padding.OAEP:
    return padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
