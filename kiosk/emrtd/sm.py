"""Secure messaging (ICAO 9303-11 §9.8) as a Transport decorator, plus its pure wrap/unwrap steps.

``SecureChannel`` wraps every command (DO'87, or DO'85 for odd INS; DO'97; DO'8E) and unwraps
and verifies every response (DO'87/'85, DO'99, DO'8E) with the send sequence counter, so callers
above it send plain APDUs. Any response that fails a check closes the channel for good: the SSC
can no longer be trusted, and a new access protocol run is the only way on.

The four step functions are public so that a simulated chip can play the card side with the
same primitives: the terminal uses ``wrap_command`` and ``unwrap_response``, the chip
``unwrap_command`` and ``wrap_response``. Each takes the SSC value for that one message: the
sender and the receiver each increment their counter before every message.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field

from kiosk.emrtd import tlv
from kiosk.emrtd.apdu import (
    EXTENDED_MAX_LE,
    SHORT_MAX_DATA,
    SHORT_MAX_LE,
    CommandAPDU,
    ResponseAPDU,
)
from kiosk.emrtd.crypto.cipher import (
    aes_decrypt,
    aes_encrypt,
    aes_ssc_iv,
    pad,
    tdes_decrypt,
    tdes_encrypt,
    unpad,
)
from kiosk.emrtd.crypto.kdf import KeyType
from kiosk.emrtd.crypto.mac import aes_cmac, retail_mac
from kiosk.emrtd.errors import EmrtdError, MalformedData, SecureMessagingError
from kiosk.emrtd.sw import SUCCESS
from kiosk.emrtd.transport import Transport

SM_CLA = 0x0C
MAC_LENGTH = 8
_DO_ODD_DATA = 0x85
_DO_DATA = 0x87
_DO_LE = 0x97
_DO_STATUS = 0x99
_DO_MAC = 0x8E


@dataclass(frozen=True, slots=True)
class SessionKeys:
    """The session keys KS_enc and KS_mac and the cipher they belong to.

    The cipher decides the block size (8 for 3DES, 16 for AES), hence the SSC length, the
    padding, the MAC (retail MAC or AES-CMAC, both cut to 8 bytes) and the IV (zero for 3DES,
    E(KS_enc, SSC) for AES), as ICAO 9303-11 §9.8.6 prescribes.
    """

    ks_enc: bytes = field(repr=False)
    ks_mac: bytes = field(repr=False)
    key_type: KeyType

    @property
    def block_size(self) -> int:
        """Cipher block size in bytes, also the SSC length."""
        return self.key_type.block_size

    def encrypt(self, data: bytes, ssc: bytes) -> bytes:
        """Pad ``data`` and encrypt it for the message numbered ``ssc``."""
        padded = pad(data, self.block_size)
        if self.key_type.is_aes:
            return aes_encrypt(self.ks_enc, padded, aes_ssc_iv(self.ks_enc, ssc))
        return tdes_encrypt(self.ks_enc, padded)

    def decrypt(self, data: bytes, ssc: bytes) -> bytes:
        """Decrypt and strictly unpad; a bad length or padding is ``MalformedData``."""
        if not data or len(data) % self.block_size:
            raise MalformedData("secure messaging", "cryptogram is not whole blocks")
        if self.key_type.is_aes:
            plain = aes_decrypt(self.ks_enc, data, aes_ssc_iv(self.ks_enc, ssc))
        else:
            plain = tdes_decrypt(self.ks_enc, data)
        return unpad(plain, self.block_size)

    def mac(self, data: bytes) -> bytes:
        """The 8-byte MAC of ``data`` after ISO 9797-1 method 2 padding."""
        padded = pad(data, self.block_size)
        if self.key_type.is_aes:
            return aes_cmac(self.ks_mac, padded)[:MAC_LENGTH]
        return retail_mac(self.ks_mac, padded)


def wrap_command(keys: SessionKeys, ssc: bytes, command: CommandAPDU) -> CommandAPDU:
    """Protect a plain command for the message numbered ``ssc`` (ICAO 9303-11 §9.8.4).

    The protected command always carries Le (``00``, or ``0000`` when extended), as the chip
    answers at least DO'99 and DO'8E.
    """
    cla = command.cla | SM_CLA
    header = pad(bytes((cla, command.ins, command.p1, command.p2)), keys.block_size)
    objects = _data_object(keys, ssc, command.data, odd=bool(command.ins & 1))
    objects += _le_object(command)
    body = objects + tlv.encode(_DO_MAC, keys.mac(ssc + header + objects))
    extended = command.extended or len(body) > SHORT_MAX_DATA
    le = EXTENDED_MAX_LE if extended else SHORT_MAX_LE
    return CommandAPDU(cla, command.ins, command.p1, command.p2, body, le, extended)


def unwrap_response(keys: SessionKeys, ssc: bytes, response: ResponseAPDU) -> ResponseAPDU:
    """Verify and decrypt a protected response for the message numbered ``ssc`` (§9.8.5).

    The MAC is checked before anything is decrypted; the returned status word is the one inside
    DO'99, which the MAC covers, not the unprotected outer one.

    Raises:
        SecureMessagingError: DO'99 or DO'8E is missing, the MAC is wrong, or an object is
            malformed.
    """
    objects, mac_end, mac = _parse_protected(response.data, {_DO_DATA, _DO_STATUS})
    if _DO_STATUS not in objects or len(objects[_DO_STATUS]) != 2:
        raise SecureMessagingError("status word object DO'99 missing or malformed")
    _verify_mac(keys, ssc + response.data[:mac_end], mac)
    sw = objects[_DO_STATUS]
    return ResponseAPDU(_decrypt_object(keys, ssc, objects), sw[0], sw[1])


def unwrap_command(keys: SessionKeys, ssc: bytes, protected: CommandAPDU) -> CommandAPDU:
    """The chip's side of §9.8.4: verify and decrypt a protected command.

    Raises:
        SecureMessagingError: the command is not protected, its MAC is wrong, or an object is
            malformed.
    """
    if protected.cla & SM_CLA != SM_CLA:
        raise SecureMessagingError("command is not protected")
    objects, mac_end, mac = _parse_protected(protected.data, {_DO_DATA, _DO_LE})
    header = bytes((protected.cla, protected.ins, protected.p1, protected.p2))
    _verify_mac(keys, ssc + pad(header, keys.block_size) + protected.data[:mac_end], mac)
    le, extended = _parse_le(objects.get(_DO_LE))
    data = _decrypt_object(keys, ssc, objects)
    cla = protected.cla & ~SM_CLA & 0xFF
    return CommandAPDU(cla, protected.ins, protected.p1, protected.p2, data, le, extended)


def wrap_response(
    keys: SessionKeys, ssc: bytes, response: ResponseAPDU, *, odd_ins: bool = False
) -> ResponseAPDU:
    """The chip's side of §9.8.5: protect a plain response (data in DO'85 for an odd INS)."""
    objects = _data_object(keys, ssc, response.data, odd=odd_ins)
    objects += tlv.encode(_DO_STATUS, bytes((response.sw1, response.sw2)))
    body = objects + tlv.encode(_DO_MAC, keys.mac(ssc + objects))
    return ResponseAPDU(body, response.sw1, response.sw2)


def _data_object(keys: SessionKeys, ssc: bytes, data: bytes, *, odd: bool) -> bytes:
    if not data:
        return b""
    cryptogram = keys.encrypt(data, ssc)
    if odd:
        return tlv.encode(_DO_ODD_DATA, cryptogram)
    return tlv.encode(_DO_DATA, b"\x01" + cryptogram)


def _le_object(command: CommandAPDU) -> bytes:
    if command.le is None:
        return b""
    size, limit = (2, EXTENDED_MAX_LE) if command.extended else (1, SHORT_MAX_LE)
    return tlv.encode(_DO_LE, (command.le % limit).to_bytes(size, "big"))


def _parse_le(value: bytes | None) -> tuple[int | None, bool]:
    if value is None:
        return None, False
    if len(value) == 1:
        return value[0] or SHORT_MAX_LE, False
    if len(value) == 2:
        return int.from_bytes(value, "big") or EXTENDED_MAX_LE, True
    raise SecureMessagingError("Le object DO'97 has a bad length")


def _parse_protected(data: bytes, allowed: set[int]) -> tuple[dict[int, bytes], int, bytes]:
    """Split protected data into its objects, where DO'8E comes last; DO'85 counts as DO'87."""
    try:
        return _split_objects(data, allowed)
    except MalformedData as err:
        raise SecureMessagingError("protected data is not well-formed BER-TLV") from err


def _split_objects(data: bytes, allowed: set[int]) -> tuple[dict[int, bytes], int, bytes]:
    objects: dict[int, bytes] = {}
    position = 0
    while position < len(data):
        item, end = tlv.read_tlv(data, position)
        if item.tag == _DO_MAC:
            if end != len(data):
                raise SecureMessagingError("data follows the MAC object DO'8E")
            return objects, position, item.value
        tag = _DO_DATA if item.tag == _DO_ODD_DATA else item.tag
        if tag not in allowed or tag in objects:
            raise SecureMessagingError(f"unexpected or repeated data object {item.tag:02X}")
        objects[tag] = _strip_indicator(item)
        position = end
    raise SecureMessagingError("MAC object DO'8E missing")


def _strip_indicator(item: tlv.TLV) -> bytes:
    if item.tag != _DO_DATA:
        return item.value
    if item.value[:1] != b"\x01":
        raise SecureMessagingError("DO'87 padding-content indicator is not 01")
    return item.value[1:]


def _verify_mac(keys: SessionKeys, covered: bytes, mac: bytes) -> None:
    if not hmac.compare_digest(keys.mac(covered), mac):
        raise SecureMessagingError("MAC does not verify")


def _decrypt_object(keys: SessionKeys, ssc: bytes, objects: dict[int, bytes]) -> bytes:
    if _DO_DATA not in objects:
        return b""
    try:
        return keys.decrypt(objects[_DO_DATA], ssc)
    except MalformedData as err:
        raise SecureMessagingError("cryptogram or its padding is malformed") from err


class SecureChannel:
    """A Transport that applies secure messaging to everything passing through it.

    Created from the session keys and SSC an access protocol (BAC, PACE, Chip Authentication)
    returns. Callers keep sending plain APDUs and get plain responses.
    """

    def __init__(self, inner: Transport, keys: SessionKeys, ssc: bytes) -> None:
        if len(ssc) != keys.block_size:
            raise ValueError("the SSC must be one cipher block long")
        self._inner = inner
        self._keys = keys
        self._ssc = int.from_bytes(ssc, "big")
        self._open = True

    @property
    def ssc(self) -> bytes:
        """The current send sequence counter (of the last message)."""
        return self._ssc.to_bytes(self._keys.block_size, "big")

    def transmit(self, command: CommandAPDU) -> ResponseAPDU:
        """Protect ``command``, send it, and verify and decrypt the response.

        A response of a bare error status word (no data objects) is returned as it is, so the
        caller sees the precise error (6A82, 6982, 6988, ...); the channel closes all the same,
        because chips drop their session keys after such an answer.

        Raises:
            SecureMessagingError: the channel is closed, or the response fails a check.
        """
        if not self._open:
            raise SecureMessagingError("channel closed after an earlier failure")
        protected = wrap_command(self._keys, self._next_ssc(), command)
        try:
            response = self._inner.transmit(protected)
        except EmrtdError:
            self._open = False
            raise
        ssc = self._next_ssc()
        if not response.data and response.sw != SUCCESS:
            self._open = False
            return response
        try:
            return unwrap_response(self._keys, ssc, response)
        except SecureMessagingError:
            self._open = False
            raise

    def _next_ssc(self) -> bytes:
        self._ssc = (self._ssc + 1) % (1 << (8 * self._keys.block_size))
        return self.ssc
