"""The ICAO key derivation function and 3DES parity adjustment (ICAO 9303-11 §9.7.1).

Every session and access key of BAC, PACE and Chip Authentication comes out of this one
function, applied to a shared secret with a 32-bit counter: 1 for encryption, 2 for the MAC,
3 for the PACE password key.
"""

from __future__ import annotations

import hashlib
from enum import Enum

ENC_COUNTER = 1
MAC_COUNTER = 2
PACE_COUNTER = 3


class KeyType(Enum):
    """The cipher a derived key is for; decides the hash, the length and parity handling."""

    TDES = "3DES"
    AES128 = "AES-128"
    AES192 = "AES-192"
    AES256 = "AES-256"

    @property
    def is_aes(self) -> bool:
        """Whether the key is for AES (16-byte blocks) rather than two-key 3DES (8-byte blocks)."""
        return self is not KeyType.TDES

    @property
    def block_size(self) -> int:
        """The cipher's block size in bytes, which is also the SSC length in secure messaging."""
        return 16 if self.is_aes else 8


_HASH_AND_LENGTH = {
    KeyType.TDES: ("sha1", 16),
    KeyType.AES128: ("sha1", 16),
    KeyType.AES192: ("sha256", 24),
    KeyType.AES256: ("sha256", 32),
}


def derive_key(secret: bytes, counter: int, key_type: KeyType) -> bytes:
    """Derive one key: ``H(secret || counter)`` cut to length (ICAO 9303-11 §9.7.1).

    3DES keys are two-key (K_a || K_b, 16 bytes) with odd parity, as the BAC worked example
    (ICAO 9303-11 App. D.1) expects; AES keys are used as hashed.
    """
    name, length = _HASH_AND_LENGTH[key_type]
    digest = hashlib.new(name, secret + counter.to_bytes(4, "big")).digest()[:length]
    return adjust_parity(digest) if key_type is KeyType.TDES else digest


def adjust_parity(key: bytes) -> bytes:
    """Set the lowest bit of every byte so that each byte has odd parity (the DES key rule)."""
    return bytes((b & 0xFE) | ((b >> 1).bit_count() + 1) % 2 for b in key)
