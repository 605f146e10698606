"""Basic Access Control (ICAO 9303-11 §4.3) as pure steps and a short driver.

The steps follow the worked example of ICAO 9303-11 Appendix D: derive K_enc and K_mac from the
MRZ information (D.2), build the terminal's cryptogram (D.3), check the chip's answer, derive
the session keys and the send sequence counter. ``run_bac`` sends SELECT, GET CHALLENGE and
EXTERNAL AUTHENTICATE and returns a frozen ``BACResult``; randomness is injected so the worked
example reproduces byte for byte.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from kiosk.emrtd.apdu import CommandAPDU
from kiosk.emrtd.crypto.cipher import DES_BLOCK, pad, tdes_decrypt, tdes_encrypt
from kiosk.emrtd.crypto.kdf import ENC_COUNTER, MAC_COUNTER, KeyType, derive_key
from kiosk.emrtd.crypto.mac import retail_mac
from kiosk.emrtd.errors import AccessDenied
from kiosk.emrtd.files import select_application
from kiosk.emrtd.keys import MRZKey
from kiosk.emrtd.sm import SecureChannel, SessionKeys
from kiosk.emrtd.sw import SUCCESS
from kiosk.emrtd.transport import Transport

PROTOCOL = "BAC"
STEP_CHALLENGE = "GET CHALLENGE"
STEP_AUTHENTICATE = "EXTERNAL AUTHENTICATE"
STEP_CHIP_CRYPTOGRAM = "chip cryptogram"
_WRONG_KEY_SW = frozenset({0x6300, 0x6982})
_CRYPTOGRAM_LENGTH = 32


@dataclass(frozen=True, slots=True)
class BACKeys:
    """The document basic access keys K_enc and K_mac derived from the MRZ (App. D.2)."""

    k_enc: bytes = field(repr=False)
    k_mac: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class BACResult:
    """What a successful BAC leaves behind: 3DES session keys and the initial SSC."""

    keys: SessionKeys
    ssc: bytes = field(repr=False)

    def secure_channel(self, transport: Transport) -> SecureChannel:
        """The secure-messaging transport over ``transport`` that BAC has just keyed."""
        return SecureChannel(transport, self.keys, self.ssc)


def key_seed(key: MRZKey) -> bytes:
    """K_seed: the first 16 bytes of SHA-1 of the MRZ information (ICAO 9303-11 §9.7.2)."""
    return hashlib.sha1(key.mrz_information.encode("ascii")).digest()[:16]  # noqa: S324 - ICAO


def derive_bac_keys(key: MRZKey) -> BACKeys:
    """K_enc and K_mac from the MRZ key (ICAO 9303-11 §9.7.1, App. D.2)."""
    seed = key_seed(key)
    return BACKeys(
        derive_key(seed, ENC_COUNTER, KeyType.TDES), derive_key(seed, MAC_COUNTER, KeyType.TDES)
    )


def terminal_cryptogram(keys: BACKeys, rnd_ic: bytes, rnd_ifd: bytes, k_ifd: bytes) -> bytes:
    """EXTERNAL AUTHENTICATE data E_IFD || M_IFD over RND.IFD || RND.IC || K.IFD (App. D.3)."""
    e_ifd = tdes_encrypt(keys.k_enc, rnd_ifd + rnd_ic + k_ifd)
    return e_ifd + retail_mac(keys.k_mac, pad(e_ifd, DES_BLOCK))


def check_chip_cryptogram(keys: BACKeys, answer: bytes, rnd_ifd: bytes) -> bytes:
    """Verify the chip's E_IC || M_IC and its echo of RND.IFD; return K.IC (App. D.3).

    Raises:
        AccessDenied: at step "chip cryptogram" when the length, the MAC or the echo is wrong
            (the chip accepted our key, so this is not a wrong key but a faulty or hostile chip).
    """
    e_ic, m_ic = answer[:_CRYPTOGRAM_LENGTH], answer[_CRYPTOGRAM_LENGTH:]
    if len(answer) != _CRYPTOGRAM_LENGTH + DES_BLOCK:
        raise AccessDenied(PROTOCOL, STEP_CHIP_CRYPTOGRAM)
    if not hmac.compare_digest(retail_mac(keys.k_mac, pad(e_ic, DES_BLOCK)), m_ic):
        raise AccessDenied(PROTOCOL, STEP_CHIP_CRYPTOGRAM)
    plain = tdes_decrypt(keys.k_enc, e_ic)
    if not hmac.compare_digest(plain[8:16], rnd_ifd):
        raise AccessDenied(PROTOCOL, STEP_CHIP_CRYPTOGRAM)
    return plain[16:32]


def session_keys(k_ifd: bytes, k_ic: bytes) -> SessionKeys:
    """KS_enc and KS_mac from K_seed = K.IFD xor K.IC (ICAO 9303-11 §9.7.1, App. D.3)."""
    seed = bytes(a ^ b for a, b in zip(k_ifd, k_ic, strict=True))
    return SessionKeys(
        derive_key(seed, ENC_COUNTER, KeyType.TDES),
        derive_key(seed, MAC_COUNTER, KeyType.TDES),
        KeyType.TDES,
    )


def initial_ssc(rnd_ic: bytes, rnd_ifd: bytes) -> bytes:
    """SSC = the last 4 bytes of RND.IC || the last 4 bytes of RND.IFD (ICAO 9303-11 §9.8.2)."""
    return rnd_ic[4:8] + rnd_ifd[4:8]


def get_challenge(transport: Transport) -> bytes:
    """GET CHALLENGE: the chip's 8-byte RND.IC."""
    response = transport.transmit(CommandAPDU(0x00, 0x84, 0x00, 0x00, le=8))
    if response.sw != SUCCESS:
        raise AccessDenied(PROTOCOL, STEP_CHALLENGE, response.sw)
    if len(response.data) != 8:
        raise AccessDenied(PROTOCOL, STEP_CHALLENGE)
    return response.data


def external_authenticate(transport: Transport, cryptogram: bytes) -> bytes:
    """EXTERNAL AUTHENTICATE with the terminal's cryptogram; returns the chip's.

    Raises:
        AccessDenied: with ``wrong_key=True`` on 6300 or 6982, which is how a chip says the
            MRZ key does not match; with the status word on any other refusal.
    """
    command = CommandAPDU(0x00, 0x82, 0x00, 0x00, cryptogram, le=len(cryptogram))
    response = transport.transmit(command)
    if response.sw != SUCCESS:
        wrong_key = response.sw in _WRONG_KEY_SW
        raise AccessDenied(PROTOCOL, STEP_AUTHENTICATE, response.sw, wrong_key=wrong_key)
    return response.data


def run_bac(
    transport: Transport, key: MRZKey, rng: Callable[[int], bytes] = os.urandom
) -> BACResult:
    """Select the eMRTD application and run BAC (ICAO 9303-11 §4.3).

    Args:
        transport: the plain link to the chip.
        key: the MRZ key of the document.
        rng: returns n random bytes; RND.IFD (8) is drawn first, then K.IFD (16).

    Raises:
        FileNotFound: the card has no eMRTD application.
        AccessDenied: the chip refused a step or its answer failed a check.
    """
    select_application(transport)
    keys = derive_bac_keys(key)
    rnd_ic = get_challenge(transport)
    rnd_ifd, k_ifd = _random(rng, 8), _random(rng, 16)
    answer = external_authenticate(transport, terminal_cryptogram(keys, rnd_ic, rnd_ifd, k_ifd))
    k_ic = check_chip_cryptogram(keys, answer, rnd_ifd)
    return BACResult(session_keys(k_ifd, k_ic), initial_ssc(rnd_ic, rnd_ifd))


def _random(rng: Callable[[int], bytes], size: int) -> bytes:
    value = rng(size)
    if len(value) != size:
        raise ValueError("the random source returned the wrong number of bytes")
    return value
