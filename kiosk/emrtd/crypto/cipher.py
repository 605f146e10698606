"""CBC encryption for secure messaging and access protocols, and ISO 9797-1 padding method 2.

ICAO 9303-11 §9.8 uses 3DES-CBC with a zero IV, and AES-CBC whose IV is the send sequence
counter encrypted under the session encryption key. Data handed to the ciphers here is always
already padded: padding is a separate, strictly checked step because a chip's response is
untrusted.
"""

from __future__ import annotations

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, CipherContext, algorithms, modes

from kiosk.emrtd.errors import MalformedData

DES_BLOCK = 8
AES_BLOCK = 16


def pad(data: bytes, block_size: int) -> bytes:
    """Append 0x80 and then zero bytes up to a whole block (ISO 9797-1 padding method 2).

    A block is always added when ``data`` already fills whole blocks, as the method requires.
    """
    padded = data + b"\x80"
    return padded + bytes(-len(padded) % block_size)


def unpad(data: bytes, block_size: int) -> bytes:
    """Remove ISO 9797-1 method 2 padding, refusing anything that is not exactly that padding.

    Raises:
        MalformedData: the data is not whole blocks, or the padding is missing or too long.
    """
    if not data or len(data) % block_size:
        raise MalformedData("padding", "data is not a whole number of blocks")
    stripped = data.rstrip(b"\x00")
    if not stripped or stripped[-1] != 0x80 or len(data) - len(stripped) >= block_size:
        raise MalformedData("padding", "ISO 9797-1 method 2 padding is missing or too long")
    return stripped[:-1]


def tdes_key(key: bytes) -> TripleDES:
    """A 3DES key object: two-key keys are stretched to K_a K_b K_a, single DES to K K K.

    ``cryptography`` warns about 16- and 8-byte 3DES keys, so they are expanded here.
    """
    if len(key) == 16:
        return TripleDES(key + key[:8])
    if len(key) == 8:
        return TripleDES(key * 3)
    raise ValueError("3DES keys are 8 or 16 bytes")


def tdes_encrypt(key: bytes, data: bytes, iv: bytes = bytes(DES_BLOCK)) -> bytes:
    """3DES-CBC encryption of padded ``data`` (zero IV by default, ICAO 9303-11 §9.8.6.1)."""
    return _run(Cipher(tdes_key(key), modes.CBC(iv)).encryptor(), data)


def tdes_decrypt(key: bytes, data: bytes, iv: bytes = bytes(DES_BLOCK)) -> bytes:
    """3DES-CBC decryption; the result still carries its padding."""
    return _run(Cipher(tdes_key(key), modes.CBC(iv)).decryptor(), data)


def aes_encrypt(key: bytes, data: bytes, iv: bytes = bytes(AES_BLOCK)) -> bytes:
    """AES-CBC encryption of padded ``data`` (ICAO 9303-11 §9.8.6.2)."""
    return _run(Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor(), data)


def aes_decrypt(key: bytes, data: bytes, iv: bytes = bytes(AES_BLOCK)) -> bytes:
    """AES-CBC decryption; the result still carries its padding."""
    return _run(Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor(), data)


def aes_ssc_iv(ks_enc: bytes, ssc: bytes) -> bytes:
    """The IV of an AES secure-messaging APDU: E(KS_enc, SSC) (ICAO 9303-11 §9.8.6.2)."""
    return aes_encrypt(ks_enc, ssc)


def _run(context: CipherContext, data: bytes) -> bytes:
    return context.update(data) + context.finalize()
