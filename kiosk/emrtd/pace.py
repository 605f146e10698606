"""PACE with generic mapping (ICAO 9303-11 §4.4) as pure steps and a short driver.

The steps follow the worked examples of ICAO 9303-11 Appendix G (G.1 ECDH on brainpoolP256r1,
G.2 DH on the RFC 5114 1024-bit group): MSE:Set AT names the protocol and the password, then
four chained GENERAL AUTHENTICATE commands fetch the encrypted nonce (decrypted with K_π), map
the generator (s·G + H), agree an ephemeral key on it, and exchange authentication tokens. The
session keys come from the shared secret, with SSC = 0 (§9.8.2). A wrong password shows only at
the last step, when the chip refuses our token (6300): it is ``AccessDenied(wrong_key=True)``.

Integrated mapping and PACE-CAM are refused as unsupported: no CCCD is known to offer them
(facts/cccd.md §1.3). Randomness is injected so the worked examples reproduce byte for byte.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from kiosk.emrtd import tlv
from kiosk.emrtd.apdu import SHORT_MAX_LE, CommandAPDU
from kiosk.emrtd.crypto import curves, dh
from kiosk.emrtd.crypto.agreement import DHKeyAgreement, ECKeyAgreement, KeyAgreement, Random
from kiosk.emrtd.crypto.cipher import aes_decrypt, aes_encrypt, pad, tdes_decrypt, tdes_encrypt
from kiosk.emrtd.crypto.ec import Curve
from kiosk.emrtd.crypto.kdf import ENC_COUNTER, MAC_COUNTER, PACE_COUNTER, KeyType, derive_key
from kiosk.emrtd.crypto.mac import aes_cmac, retail_mac
from kiosk.emrtd.errors import AccessDenied, MalformedData, UnsupportedFeature
from kiosk.emrtd.keys import CANKey, MRZKey
from kiosk.emrtd.lds import der
from kiosk.emrtd.lds.security_infos import ID_PACE, PACEInfo
from kiosk.emrtd.sm import MAC_LENGTH, SecureChannel, SessionKeys
from kiosk.emrtd.sw import SUCCESS
from kiosk.emrtd.transport import Transport

PROTOCOL = "PACE"
STEP_SET_AT = "MSE:Set AT"
STEP_NONCE = "GA encrypted nonce"
STEP_MAPPING = "GA mapping"
STEP_AGREEMENT = "GA key agreement"
STEP_AUTHENTICATE = "GA mutual authentication"

PASSWORD_MRZ = 0x01
PASSWORD_CAN = 0x02
"""Password references of MSE:Set AT (ICAO 9303-11 §9.5.4 / BSI TR-03110-3 §B.11.1)."""

TAG_DYNAMIC = 0x7C
TAG_NONCE = 0x80
TAG_MAPPING_IFD = 0x81
TAG_MAPPING_IC = 0x82
TAG_EPHEMERAL_IFD = 0x83
TAG_EPHEMERAL_IC = 0x84
TAG_TOKEN_IFD = 0x85
TAG_TOKEN_IC = 0x86
TAG_PUBLIC_KEY = 0x7F49
TAG_EC_POINT = 0x86
TAG_DH_VALUE = 0x84
_TAG_PROTOCOL = 0x80
_TAG_PASSWORD = 0x83

_GENERIC_MAPPING = {"1": "DH", "2": "ECDH"}
"""id-PACE-DH-GM and id-PACE-ECDH-GM (ICAO 9303-11 §9.2.1); IM (3, 4) and CAM (6) are not here."""
_CIPHERS = {"1": KeyType.TDES, "2": KeyType.AES128, "3": KeyType.AES192, "4": KeyType.AES256}
_CHAINING = 0x10
_WRONG_KEY_SW = frozenset({0x6300, 0x6982})

Password = MRZKey | CANKey


@dataclass(frozen=True, slots=True)
class PACEProtocol:
    """One PACE variant the chip offers, resolved: cipher and domain parameters.

    Attributes:
        oid: the protocol identifier, as MSE:Set AT and the token's public key object name it.
        key_type: the cipher of K_π, the tokens and secure messaging.
        agreement: Diffie-Hellman in the standardised domain parameters, standard generator.
    """

    oid: str
    key_type: KeyType
    agreement: KeyAgreement

    @property
    def is_ecdh(self) -> bool:
        """Whether the protocol runs on an elliptic curve (else in a DH group)."""
        return isinstance(self.agreement, ECKeyAgreement)


@dataclass(frozen=True, slots=True)
class PACEResult:
    """What a successful PACE leaves behind: session keys and the SSC of zero.

    Attributes:
        protocol: the PACE protocol OID that ran.
        password: "CAN" or "MRZ".
        chip_public_key: the chip's ephemeral public key, kept for the transcript.
    """

    protocol: str
    password: str
    keys: SessionKeys
    chip_public_key: bytes = field(repr=False)

    @property
    def ssc(self) -> bytes:
        """SSC = 0 after PACE (ICAO 9303-11 §9.8.2)."""
        return bytes(self.keys.block_size)

    def secure_channel(self, transport: Transport) -> SecureChannel:
        """The secure-messaging transport over ``transport`` that PACE has just keyed."""
        return SecureChannel(transport, self.keys, self.ssc)


def protocol_for(info: PACEInfo) -> PACEProtocol:
    """Resolve a PACEInfo of EF.CardAccess into what this library runs.

    Raises:
        UnsupportedFeature: integrated mapping, Chip Authentication Mapping, an unknown cipher,
            missing or proprietary domain parameters (ICAO 9303-11 §9.5.1).
    """
    before, _, suffix = info.protocol.partition(ID_PACE + ".")
    parts = suffix.split(".")
    if before or len(parts) != 2 or parts[0] not in _GENERIC_MAPPING:
        raise UnsupportedFeature(f"PACE protocol {info.protocol} is not supported")
    mapping, cipher = parts
    if cipher not in _CIPHERS or info.parameter_id is None:
        raise UnsupportedFeature(f"PACE protocol {info.protocol} has no usable parameters")
    agreement: KeyAgreement
    if _GENERIC_MAPPING[mapping] == "ECDH":
        agreement = ECKeyAgreement.standard(_curve(info.parameter_id))
    else:
        agreement = DHKeyAgreement.standard(dh.by_parameter_id(info.parameter_id))
    return PACEProtocol(info.protocol, _CIPHERS[cipher], agreement)


def _curve(parameter_id: int) -> Curve:
    if parameter_id not in curves.CURVES_BY_PARAMETER_ID:
        raise UnsupportedFeature(f"EC domain parameters {parameter_id} are not supported")
    return curves.CURVES_BY_PARAMETER_ID[parameter_id]


def password_reference(password: Password) -> int:
    """The MSE:Set AT password reference: 01 for the MRZ, 02 for the CAN."""
    return PASSWORD_CAN if isinstance(password, CANKey) else PASSWORD_MRZ


def password_key(password: Password, key_type: KeyType) -> bytes:
    """K_π = KDF(K, 3) (ICAO 9303-11 §9.7.3).

    K is SHA-1 of the MRZ information for the MRZ password, and the CAN's ASCII digits as they
    are (no hash) for the CAN.
    """
    if isinstance(password, CANKey):
        secret = password.can.encode("ascii")
    else:
        secret = hashlib.sha1(password.mrz_information.encode("ascii")).digest()  # noqa: S324 - ICAO
    return derive_key(secret, PACE_COUNTER, key_type)


def set_at_data(protocol: PACEProtocol, password: Password) -> bytes:
    """MSE:Set AT data: the protocol OID (80) and the password reference (83)."""
    oid = der.encode_oid(protocol.oid)[2:]
    reference = bytes((password_reference(password),))
    return tlv.encode(_TAG_PROTOCOL, oid) + tlv.encode(_TAG_PASSWORD, reference)


def decrypt_nonce(k_pi: bytes, key_type: KeyType, encrypted: bytes) -> bytes:
    """The nonce s = D(K_π, z): CBC with a zero IV, no padding (ICAO 9303-11 §4.4.3.3).

    Raises:
        MalformedData: z is not a whole, non-empty number of cipher blocks.
    """
    if not encrypted or len(encrypted) % key_type.block_size:
        raise MalformedData("PACE nonce", "not whole cipher blocks")
    if key_type.is_aes:
        return aes_decrypt(k_pi, encrypted)
    return tdes_decrypt(k_pi, encrypted)


def encrypt_nonce(k_pi: bytes, key_type: KeyType, nonce: bytes) -> bytes:
    """The encrypted nonce z = E(K_π, s), the chip's side of ``decrypt_nonce``."""
    if key_type.is_aes:
        return aes_encrypt(k_pi, nonce)
    return tdes_encrypt(k_pi, nonce)


def session_keys(secret: bytes, key_type: KeyType) -> SessionKeys:
    """KS_enc = KDF(K, 1) and KS_mac = KDF(K, 2) (ICAO 9303-11 §9.7.1)."""
    return SessionKeys(
        derive_key(secret, ENC_COUNTER, key_type),
        derive_key(secret, MAC_COUNTER, key_type),
        key_type,
    )


def public_key_object(protocol: PACEProtocol, public_key: bytes) -> bytes:
    """The public key data object ``7F49 { 06 OID, 86 point | 84 value }`` (§4.4.3.4)."""
    tag = TAG_EC_POINT if protocol.is_ecdh else TAG_DH_VALUE
    return tlv.encode(TAG_PUBLIC_KEY, der.encode_oid(protocol.oid) + tlv.encode(tag, public_key))


def authentication_token(keys: SessionKeys, protocol: PACEProtocol, public_key: bytes) -> bytes:
    """T = MAC(KS_mac, public key object of the *other* side's key), 8 bytes (§4.4.3.5).

    AES-CMAC over the object as it is; the 3DES retail MAC over the object padded.
    """
    data = public_key_object(protocol, public_key)
    if keys.key_type.is_aes:
        return aes_cmac(keys.ks_mac, data)[:MAC_LENGTH]
    return retail_mac(keys.ks_mac, pad(data, keys.block_size))


def general_authenticate(tag: int | None, value: bytes, *, last: bool = False) -> CommandAPDU:
    """A GENERAL AUTHENTICATE of the PACE chain: CLA 10 until the last, Le 00 (§4.4.4)."""
    inner = tlv.encode(tag, value) if tag is not None else b""
    cla = 0x00 if last else _CHAINING
    return CommandAPDU(cla, 0x86, 0x00, 0x00, tlv.encode(TAG_DYNAMIC, inner), le=SHORT_MAX_LE)


def run_pace(
    transport: Transport, password: Password, info: PACEInfo, rng: Random = os.urandom
) -> PACEResult:
    """Run PACE with generic mapping before the application is selected (ICAO 9303-11 §4.4).

    Args:
        transport: the plain link to the chip.
        password: the CAN or the MRZ key.
        info: the PACEInfo chosen from EF.CardAccess.
        rng: returns n random bytes; the mapping key is drawn first, then the ephemeral key.

    Raises:
        UnsupportedFeature: the protocol or its parameters are not supported.
        AccessDenied: with ``wrong_key=True`` when the chip refuses our token (wrong password);
            with the failing step when the chip refuses a step or sends invalid data.
    """
    protocol = protocol_for(info)
    _set_at(transport, set_at_data(protocol, password))
    with _step(STEP_NONCE):
        encrypted = _exchange(transport, STEP_NONCE, None, b"", TAG_NONCE)
        nonce = decrypt_nonce(
            password_key(password, protocol.key_type), protocol.key_type, encrypted
        )
    standard = protocol.agreement
    with _step(STEP_MAPPING):
        mapping_key = standard.random_private(rng)
        chip_mapping = _exchange(
            transport,
            STEP_MAPPING,
            TAG_MAPPING_IFD,
            standard.public_key(mapping_key),
            TAG_MAPPING_IC,
        )
        mapped = standard.mapped(nonce, mapping_key, chip_mapping)
    with _step(STEP_AGREEMENT):
        private = mapped.random_private(rng)
        public = mapped.public_key(private)
        chip_public = _exchange(
            transport, STEP_AGREEMENT, TAG_EPHEMERAL_IFD, public, TAG_EPHEMERAL_IC
        )
        if hmac.compare_digest(chip_public, public):
            raise MalformedData("PACE", "the chip echoed our ephemeral public key")
        keys = session_keys(mapped.secret(private, chip_public), protocol.key_type)
    _mutual_authentication(transport, protocol, keys, public, chip_public)
    password_name = "CAN" if isinstance(password, CANKey) else "MRZ"
    return PACEResult(protocol.oid, password_name, keys, chip_public)


def _set_at(transport: Transport, data: bytes) -> None:
    response = transport.transmit(CommandAPDU(0x00, 0x22, 0xC1, 0xA4, data))
    if response.sw != SUCCESS:
        raise AccessDenied(PROTOCOL, STEP_SET_AT, response.sw)


def _mutual_authentication(
    transport: Transport,
    protocol: PACEProtocol,
    keys: SessionKeys,
    public: bytes,
    chip_public: bytes,
) -> None:
    """GA 4: send T_IFD, check T_IC; a refusal of T_IFD means the password is wrong."""
    ours = authentication_token(keys, protocol, chip_public)
    response = transport.transmit(general_authenticate(TAG_TOKEN_IFD, ours, last=True))
    if response.sw != SUCCESS:
        wrong_key = response.sw in _WRONG_KEY_SW or response.sw & 0xFFF0 == 0x63C0
        raise AccessDenied(PROTOCOL, STEP_AUTHENTICATE, response.sw, wrong_key=wrong_key)
    with _step(STEP_AUTHENTICATE):
        token = _item(response.data, TAG_TOKEN_IC)
    if not hmac.compare_digest(token, authentication_token(keys, protocol, public)):
        raise AccessDenied(PROTOCOL, STEP_AUTHENTICATE)


def _exchange(transport: Transport, step: str, tag: int | None, value: bytes, answer: int) -> bytes:
    response = transport.transmit(general_authenticate(tag, value))
    if response.sw != SUCCESS:
        raise AccessDenied(PROTOCOL, step, response.sw)
    return _item(response.data, answer)


def _item(data: bytes, tag: int) -> bytes:
    """The value of ``tag`` inside the response's 7C template (other objects are ignored)."""
    for child in tlv.decode(data, TAG_DYNAMIC).children():
        if child.tag == tag:
            return child.value
    raise MalformedData("PACE", f"response has no object {tag:02X}")


@contextmanager
def _step(step: str) -> Iterator[None]:
    """Invalid data from the chip at ``step`` is a refusal of that step, not a crash."""
    try:
        yield
    except MalformedData as err:
        raise AccessDenied(PROTOCOL, step) from err
