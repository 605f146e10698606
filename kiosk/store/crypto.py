"""Symmetric primitives of encryption at rest: sealing, key derivation and the blind index.

A sealed value is ``version (1 byte) | nonce (12 bytes) | ciphertext + tag`` (the AES-GCM layout
of eventsourcing's ``AESCipher``), with a fresh random nonce per value. Associated data names the
table, column and row a value belongs to, so a ciphertext copied into another row or column fails
authentication instead of decrypting as someone else's data.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from kiosk.store.errors import DataIntegrityError

VERSION = 1
KEY_SIZE = 32
NONCE_SIZE = 12
BLIND_INDEX_SIZE = 16
_HEADER = bytes([VERSION])


def new_key() -> bytes:
    """A fresh random 256-bit key (data keys, master keys, per-backup keys)."""
    return os.urandom(KEY_SIZE)


def associated_data(table: str, column: str, row_id: object) -> bytes:
    """The associated data binding a sealed value to one table, column and row."""
    return f"kiosk/v{VERSION}|{table}|{column}|{row_id}".encode()


def seal(key: bytes, plaintext: bytes, ad: bytes) -> bytes:
    """Encrypt and authenticate ``plaintext`` under ``key``, bound to ``ad``."""
    nonce = os.urandom(NONCE_SIZE)
    return _HEADER + nonce + AESGCM(key).encrypt(nonce, plaintext, _HEADER + ad)


def unseal(key: bytes, sealed: bytes, ad: bytes) -> bytes:
    """Decrypt a value made by ``seal`` with the same key and associated data.

    Raises:
        DataIntegrityError: the value was altered, moved, truncated, or the key is not its key.
    """
    if len(sealed) < 1 + NONCE_SIZE + 16 or sealed[:1] != _HEADER:
        raise DataIntegrityError("sealed value malformed")
    nonce, body = sealed[1 : 1 + NONCE_SIZE], sealed[1 + NONCE_SIZE :]
    try:
        return AESGCM(key).decrypt(nonce, body, _HEADER + ad)
    except InvalidTag as err:
        raise DataIntegrityError("sealed value failed authentication") from err


def derive_key(root: bytes, purpose: str) -> bytes:
    """A 256-bit key for one ``purpose``, derived from ``root`` with HKDF-SHA256."""
    info = f"kiosk/{purpose}".encode()
    return HKDF(algorithm=hashes.SHA256(), length=KEY_SIZE, salt=None, info=info).derive(root)


def blind_index(key: bytes, value: str) -> bytes:
    """A truncated HMAC-SHA256 of ``value``: an equality search key that reveals nothing.

    Truncation to 128 bits leaves collisions negligible yet possible, so callers confirm a match
    by decrypting the candidate rows.
    """
    digest = hmac.new(key, value.encode(), hashlib.sha256).digest()
    return digest[:BLIND_INDEX_SIZE]
