"""The chip's operating system: parses APDUs, applies secure messaging, dispatches by INS.

One table maps each instruction to its handler (ISO/IEC 7816-4 §11 for SELECT and READ BINARY,
ICAO 9303-11 §4.3 for GET CHALLENGE and EXTERNAL AUTHENTICATE, §4.4 and §6.2 for MSE:Set AT and
GENERAL AUTHENTICATE, §6.1 for INTERNAL AUTHENTICATE); an instruction not in it answers 6D00.
Command chaining is accepted only where PACE uses it, on GENERAL AUTHENTICATE.
Around the table sit the rules of ICAO 9303-11 §9.8: once secure messaging is up,
every command must be protected; a protected command that fails its check answers a plain 6988
and ends the session; a plain command ends it too. Every status word is the one ISO/IEC 7816-4
§5.6 prescribes for the situation (see ``status``), and reads past the end of a file answer as
§11.2.3 says: 6B00 for an offset outside the file, fewer bytes than asked otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from kiosk.devices.sim.chip import faults, status
from kiosk.devices.sim.chip.faults import Fault, MACCorruptor
from kiosk.devices.sim.chip.filesystem import Access, DedicatedFile, ElementaryFile
from kiosk.devices.sim.chip.profile import MAX_EXTENDED, CardProfile
from kiosk.devices.sim.chip.security import (
    CHALLENGE_LENGTH,
    CRYPTOGRAM_LENGTH,
    CardSecurity,
    Random,
)
from kiosk.devices.sim.chip.status import Refusal
from kiosk.emrtd import tlv
from kiosk.emrtd.apdu import EXTENDED_MAX_LE, SHORT_MAX_LE, CommandAPDU, ResponseAPDU
from kiosk.emrtd.errors import CardRemoved, MalformedData, SecureMessagingError

INS_SELECT = 0xA4
INS_READ_BINARY = 0xB0
INS_READ_BINARY_ODD = 0xB1
INS_GET_CHALLENGE = 0x84
INS_EXTERNAL_AUTHENTICATE = 0x82
INS_MSE = 0x22
INS_GENERAL_AUTHENTICATE = 0x86
INS_INTERNAL_AUTHENTICATE = 0x88

SM_CLA = 0x0C
_CHAINING = 0x10
_CHANNEL_BITS = 0x03
_SELECT_BY_NAME = 0x04
_SELECT_EF_UNDER_DF = 0x02
_SELECT_MF_DF_EF = 0x00
_SELECT_P2 = frozenset({0x00, 0x0C})
"""Return nothing or an (empty) FCI; both are answered without data."""
_MAX_EVEN_OFFSET = 0x7FFF
_TAG_OFFSET = 0x54
_TAG_DISCRETIONARY = 0x53
_MAX_NE = frozenset({SHORT_MAX_LE, EXTENDED_MAX_LE})
_SET_AT_PACE = 0xC1A4
_SET_AT_CHIP_AUTHENTICATION = 0x41A4

Handler = Callable[[CommandAPDU, int], ResponseAPDU]
"""An instruction's handler: the plain command and the most response bytes that fit."""


def build_atr(extended_length: bool) -> bytes:
    """The ATR a PC/SC reader reports for this contactless chip (PC/SC part 3 §3.1.3.2.3).

    ``3B 8n 80 01`` and the historical bytes: category indicator 80, then the card capabilities
    (ISO/IEC 7816-4 §12.1.1.9, tag 7, three bytes): selection by full DF name and short EF
    identifiers supported; one-byte data units; and, when the chip takes them, extended Lc and
    Le with their limits in EF.ATR/INFO. TCK is the XOR of T0 to the last historical byte.
    """
    capabilities = bytes((0x84, 0x01, 0x60 if extended_length else 0x00))
    historical = b"\x80\x73" + capabilities
    body = bytes((0x80 | len(historical), 0x80, 0x01)) + historical
    check = 0
    for byte in body:
        check ^= byte
    return b"\x3b" + body + bytes((check,))


class ChipOS:
    """A powered simulated chip: answers one APDU at a time, like the card's own OS.

    Args:
        profile: the card's files, key and capabilities.
        rng: the chip's random source (challenges and BAC key halves).
        leave_during: the name of a file whose read past its middle takes the card out of
            the field, once (a tag loss, ``kiosk.devices.sim.lift``); None for a card that
            stays.
    """

    def __init__(
        self, profile: CardProfile, rng: Random = os.urandom, leave_during: str | None = None
    ) -> None:
        self._profile = profile
        self._leave_during = leave_during
        self._security = CardSecurity(
            profile.access_key, profile.can, profile.pace, profile.keys, rng
        )
        self._mac_fault = MACCorruptor(profile.fault is Fault.BAD_MAC)
        self._df: DedicatedFile = profile.files.master
        self._ef: ElementaryFile | None = None
        self._table: dict[int, Handler] = {
            INS_SELECT: self._select,
            INS_READ_BINARY: self._read_binary,
            INS_READ_BINARY_ODD: self._read_binary_odd,
            INS_GET_CHALLENGE: self._get_challenge,
            INS_EXTERNAL_AUTHENTICATE: self._external_authenticate,
            INS_MSE: self._manage_security_environment,
            INS_GENERAL_AUTHENTICATE: self._general_authenticate,
            INS_INTERNAL_AUTHENTICATE: self._internal_authenticate,
        }
        self.atr = build_atr(profile.extended_length)

    def reset(self) -> None:
        """Warm reset: back to the MF, no current EF, no challenge, no session (ISO 7816-3)."""
        self._df = self._profile.files.master
        self._ef = None
        self._security.reset()
        self._mac_fault.rearm()

    def process(self, raw: bytes) -> bytes:
        """Answer a command APDU given as bytes (the vpcd wire form); a malformed one is 6700."""
        try:
            command = CommandAPDU.from_bytes(raw)
        except MalformedData:
            return ResponseAPDU.from_sw(status.WRONG_LENGTH).to_bytes()
        return self.transmit(command).to_bytes()

    def transmit(self, command: CommandAPDU) -> ResponseAPDU:
        """Answer one command.

        Raises:
            CardRemoved: the card left the field during this command (``removed-mid-read``).
        """
        try:
            self._check_class(command)
            if command.cla & SM_CLA == SM_CLA:
                return self._protected(command)
            self._security.drop_session()
            return self._dispatch(command, min(command.le or 0, self._response_limit(command)))
        except Refusal as refusal:
            return ResponseAPDU.from_sw(refusal.sw)

    def _check_class(self, command: CommandAPDU) -> None:
        """CLA 00 or 0C only (10 for PACE's chain); no logical channels; lengths within limits."""
        cla = command.cla
        if cla & _CHAINING and command.ins == INS_GENERAL_AUTHENTICATE:
            cla &= ~_CHAINING
        if cla & _CHAINING:
            raise Refusal(status.CHAINING_NOT_SUPPORTED)
        if cla & _CHANNEL_BITS:
            raise Refusal(status.LOGICAL_CHANNEL_NOT_SUPPORTED)
        if cla not in (0x00, SM_CLA):
            raise Refusal(status.CLA_NOT_SUPPORTED)
        if command.extended and not self._profile.extended_length:
            raise Refusal(status.WRONG_LENGTH)
        if len(command.data) > MAX_EXTENDED:
            raise Refusal(status.WRONG_LENGTH)  # beyond the limit EF.ATR/INFO states

    def _protected(self, command: CommandAPDU) -> ResponseAPDU:
        """ICAO 9303-11 §9.8: verify, run the plain command, protect the answer."""
        session = self._security.session
        if session is None:
            raise Refusal(status.SECURE_MESSAGING_NOT_SUPPORTED)
        try:
            plain = session.unwrap(command)
        except SecureMessagingError as err:
            self._security.drop_session()
            raise Refusal(status.SM_OBJECTS_INCORRECT) from err
        odd = bool(plain.ins & 1)
        try:
            self._check_class(plain)
            budget = min(command.le or SHORT_MAX_LE, self._response_limit(command))
            response = self._dispatch(plain, min(plain.le or 0, session.room(budget, odd_ins=odd)))
        except Refusal as refusal:
            response = ResponseAPDU.from_sw(refusal.sw)
        return self._mac_fault.protected_response(plain.ins, session.wrap(response, odd_ins=odd))

    def _response_limit(self, command: CommandAPDU) -> int:
        return MAX_EXTENDED if command.extended else SHORT_MAX_LE

    def _dispatch(self, command: CommandAPDU, room: int) -> ResponseAPDU:
        handler = self._table.get(command.ins)
        if handler is None:
            raise Refusal(status.INS_NOT_SUPPORTED)
        return handler(command, room)

    # --- SELECT (ISO/IEC 7816-4 §11.1.1) ------------------------------------------------------

    def _select(self, command: CommandAPDU, room: int) -> ResponseAPDU:
        if command.p1 == _SELECT_MF_DF_EF:
            # CCCD chips answer SELECT MF with 6D00 (facts/cccd.md §1.1); readers select
            # EF.CardAccess directly instead.
            raise Refusal(status.INS_NOT_SUPPORTED)
        if command.p2 not in _SELECT_P2:
            raise Refusal(status.INCORRECT_P1P2)
        if command.p1 == _SELECT_BY_NAME:
            return self._select_application(command.data)
        if command.p1 == _SELECT_EF_UNDER_DF:
            return self._select_ef(command.data)
        raise Refusal(status.INCORRECT_P1P2)

    def _select_application(self, aid: bytes) -> ResponseAPDU:
        if not 1 <= len(aid) <= 16:
            raise Refusal(status.WRONG_LENGTH)
        application = self._profile.files.application(aid)
        if application is None:
            raise Refusal(status.FILE_NOT_FOUND)
        self._df, self._ef = application, None
        return ResponseAPDU.from_sw(status.SUCCESS)

    def _select_ef(self, fid: bytes) -> ResponseAPDU:
        if len(fid) != 2:
            raise Refusal(status.WRONG_LENGTH)
        self._ef = self._accessible(self._df.by_fid(int.from_bytes(fid, "big")))
        return ResponseAPDU.from_sw(status.SUCCESS)

    def _accessible(self, ef: ElementaryFile | None) -> ElementaryFile:
        """``ef`` if it exists and the access conditions allow it (ICAO 9303-11 §4)."""
        if ef is None:
            raise Refusal(status.FILE_NOT_FOUND)
        if ef.access is Access.TERMINAL_AUTHENTICATION:
            raise Refusal(status.SECURITY_STATUS_NOT_SATISFIED)
        if ef.access is Access.SECURE_MESSAGING and self._security.session is None:
            raise Refusal(status.SECURITY_STATUS_NOT_SATISFIED)
        return ef

    # --- READ BINARY (ISO/IEC 7816-4 §11.2.3) -------------------------------------------------

    def _read_binary(self, command: CommandAPDU, room: int) -> ResponseAPDU:
        """INS B0: offset in P1-P2 (15 bits), or a short EF identifier in P1 and offset in P2."""
        if command.data or command.le is None:
            raise Refusal(status.WRONG_LENGTH)
        if command.p1 & 0x80:
            if command.p1 & 0x60 or not 1 <= command.p1 & 0x1F <= 30:
                raise Refusal(status.INCORRECT_P1P2)
            self._ef = self._accessible(self._df.by_sfi(command.p1 & 0x1F))
            offset = command.p2
        else:
            offset = (command.p1 << 8) | command.p2
        ef = self._current()
        data = self._read(ef, offset, room)
        return ResponseAPDU.from_sw(
            _read_status(ef, offset + len(data), len(data), command.le), data
        )

    def _read_binary_odd(self, command: CommandAPDU, room: int) -> ResponseAPDU:
        """INS B1: the offset in DO'54', the answer in DO'53'; reaches beyond 32767."""
        if command.le is None:
            raise Refusal(status.WRONG_LENGTH)
        ef = self._odd_target((command.p1 << 8) | command.p2)
        offset = _odd_offset(command.data)
        size = room
        while size > 0 and len(tlv.encode(_TAG_DISCRETIONARY, bytes(size))) > room:
            size -= 1
        content = self._read(ef, offset, size)
        data = tlv.encode(_TAG_DISCRETIONARY, content)
        return ResponseAPDU.from_sw(
            _read_status(ef, offset + len(content), len(data), command.le), data
        )

    def _odd_target(self, p1p2: int) -> ElementaryFile:
        """P1-P2 of INS B1: 0000 the current EF, 0001-001E a short EF identifier, else a FID."""
        if p1p2:
            found = self._df.by_sfi(p1p2) if p1p2 <= 30 else self._df.by_fid(p1p2)
            self._ef = self._accessible(found)
        return self._current()

    def _current(self) -> ElementaryFile:
        if self._ef is None:
            raise Refusal(status.NO_CURRENT_EF)
        return self._accessible(self._ef)

    def _read(self, ef: ElementaryFile, offset: int, size: int) -> bytes:
        if offset >= len(ef.content):
            raise Refusal(status.OFFSET_OUTSIDE_EF)
        end = min(offset + size, len(ef.content))
        leaves_at = faults.removal_offset(ef.content) if ef.name == self._leave_during else None
        if leaves_at is not None and end > leaves_at:
            self._leave_during = None
            raise CardRemoved(f"the card was lifted while {ef.name} was read")
        if ef.leaves_at is not None and end > ef.leaves_at:
            raise CardRemoved(f"the card left the field while {ef.name} was read")
        return ef.content[offset:end]

    # --- BAC (ICAO 9303-11 §4.3) --------------------------------------------------------------

    def _get_challenge(self, command: CommandAPDU, room: int) -> ResponseAPDU:
        if command.p1 or command.p2:
            raise Refusal(status.INCORRECT_P1P2)
        if command.data or command.le != CHALLENGE_LENGTH:
            raise Refusal(status.WRONG_LENGTH)
        return ResponseAPDU.from_sw(status.SUCCESS, self._security.get_challenge())

    def _external_authenticate(self, command: CommandAPDU, room: int) -> ResponseAPDU:
        if command.p1 or command.p2:
            raise Refusal(status.INCORRECT_P1P2)
        if len(command.data) != CRYPTOGRAM_LENGTH:
            raise Refusal(status.WRONG_LENGTH)
        if self._df.aid is None:
            raise Refusal(status.CONDITIONS_NOT_SATISFIED)
        return ResponseAPDU.from_sw(
            status.SUCCESS, self._security.external_authenticate(command.data)
        )

    # --- PACE, Chip and Active Authentication (ICAO 9303-11 §4.4, §6.2, §6.1) -----------------

    def _manage_security_environment(self, command: CommandAPDU, room: int) -> ResponseAPDU:
        """MSE:Set AT: C1A4 for PACE (plain, before access), 41A4 for Chip Authentication."""
        p1p2 = (command.p1 << 8) | command.p2
        protected = self._security.session is not None
        if p1p2 == _SET_AT_PACE and not protected:
            self._security.pace.set_authentication_template(command.data)
        elif p1p2 == _SET_AT_CHIP_AUTHENTICATION and protected:
            self._security.set_chip_authentication(command.data)
        elif p1p2 in (_SET_AT_PACE, _SET_AT_CHIP_AUTHENTICATION):
            raise Refusal(status.CONDITIONS_NOT_SATISFIED)
        else:
            raise Refusal(status.INCORRECT_P1P2)
        return ResponseAPDU.from_sw(status.SUCCESS)

    def _general_authenticate(self, command: CommandAPDU, room: int) -> ResponseAPDU:
        """A PACE step when plain; Chip Authentication under secure messaging."""
        if command.p1 or command.p2:
            raise Refusal(status.INCORRECT_P1P2)
        if self._security.session is None:
            answer = self._security.general_authenticate_pace(command.cla, command.data)
            return ResponseAPDU.from_sw(status.SUCCESS, answer)
        self._security.chip_authenticate(command.data)
        return ResponseAPDU.from_sw(status.SUCCESS)

    def _internal_authenticate(self, command: CommandAPDU, room: int) -> ResponseAPDU:
        """Active Authentication: the 8-byte challenge signed, only under secure messaging."""
        if command.p1 or command.p2:
            raise Refusal(status.INCORRECT_P1P2)
        if self._security.session is None:
            raise Refusal(status.SECURITY_STATUS_NOT_SATISFIED)
        if len(command.data) != CHALLENGE_LENGTH:
            raise Refusal(status.WRONG_LENGTH)
        return ResponseAPDU.from_sw(
            status.SUCCESS, self._security.internal_authenticate(command.data)
        )


def _read_status(ef: ElementaryFile, end: int, answered: int, le: int) -> int:
    """9000, or 6282 when the end of the file cut an answer short of an explicit Le.

    Le = 00 (or 0000) asks for "as many as available" (ISO/IEC 7816-4 §5.1), so a shorter
    answer to it is no warning; neither is an answer shortened to fit secure messaging.
    """
    if end >= len(ef.content) and answered < le and le not in _MAX_NE:
        return status.END_OF_FILE
    return status.SUCCESS


def _odd_offset(data: bytes) -> int:
    """The offset in DO'54' (one to three bytes), the whole command data field."""
    try:
        item = tlv.decode(data, _TAG_OFFSET)
    except MalformedData as err:
        raise Refusal(status.INCORRECT_DATA) from err
    if not 1 <= len(item.value) <= 3:
        raise Refusal(status.INCORRECT_DATA)
    return int.from_bytes(item.value, "big")
