"""Message authentication codes of ICAO 9303-11: the DES retail MAC and AES-CMAC.

BAC and 3DES secure messaging use ISO/IEC 9797-1 MAC algorithm 3 with DES; PACE, Chip
Authentication and AES secure messaging use AES-CMAC (ICAO 9303-11 §9.8.6). Both functions take
the message as it is: callers pad with ``cipher.pad`` where the protocol says so (secure
messaging and BAC pad; PACE authentication tokens do not).
"""

from __future__ import annotations

from cryptography.hazmat.primitives.ciphers import algorithms
from cryptography.hazmat.primitives.cmac import CMAC

from kiosk.emrtd.crypto.cipher import DES_BLOCK, tdes_decrypt, tdes_encrypt


def retail_mac(key: bytes, message: bytes) -> bytes:
    """ISO 9797-1 MAC algorithm 3 ("retail MAC") over whole 8-byte blocks; returns 8 bytes.

    Single DES in CBC mode under K_a, then the last block is decrypted under K_b and encrypted
    again under K_a (ICAO 9303-11 §9.8.6.1).
    """
    if len(key) != 16:
        raise ValueError("the retail MAC takes a 16-byte key")
    if not message or len(message) % DES_BLOCK:
        raise ValueError("the retail MAC takes whole, padded 8-byte blocks")
    key_a, key_b = key[:8], key[8:]
    last = tdes_encrypt(key_a, message)[-DES_BLOCK:]
    return tdes_encrypt(key_a, tdes_decrypt(key_b, last))


def aes_cmac(key: bytes, message: bytes) -> bytes:
    """AES-CMAC (NIST SP 800-38B) of ``message``; returns the full 16 bytes.

    ICAO 9303-11 truncates it to 8 bytes wherever it is used; the caller does that.
    """
    mac = CMAC(algorithms.AES(key))
    mac.update(message)
    return mac.finalize()
