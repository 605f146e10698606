"""Conformance of the simulated chip: commands a reader never sends, and the status words due.

Each expected status word is the one ISO/IEC 7816-4 (§5.6 for the meanings, §11.1.1 SELECT,
§11.2.3 READ BINARY) or ICAO 9303-11 (§4.3 BAC, §9.8 secure messaging) prescribes; the case
ids name the rule. The terminal side is played by hand with the emrtd step functions, so the
test can send what ``kiosk.emrtd.files`` never would.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from kiosk.devices.sim.chip.faults import Fault
from kiosk.devices.sim.chip.os import ChipOS, build_atr
from kiosk.devices.sim.chip.profile import EF_ATR_INFO, MAX_EXTENDED, CardProfile
from kiosk.emrtd import bac, tlv
from kiosk.emrtd.apdu import CommandAPDU, ResponseAPDU
from kiosk.emrtd.errors import AccessDenied
from kiosk.emrtd.files import APPLICATION_AID, EF_COM, data_group
from kiosk.emrtd.keys import MRZKey
from kiosk.emrtd.sm import unwrap_response, wrap_command

AID = APPLICATION_AID
SELECT_AID = CommandAPDU(0x00, 0xA4, 0x04, 0x0C, AID)

ProfileFactory = Callable[..., CardProfile]


def apdu(hex_text: str) -> CommandAPDU:
    return CommandAPDU.from_bytes(bytes.fromhex(hex_text))


class Terminal:
    """BAC through ``bac.run_bac``, then secure messaging wrapped by hand, command by command."""

    def __init__(self, chip: ChipOS, key: MRZKey) -> None:
        result = bac.run_bac(chip, key)
        self.chip = chip
        self.keys = result.keys
        self.ssc = int.from_bytes(result.ssc, "big")

    def protect(self, command: CommandAPDU) -> CommandAPDU:
        return wrap_command(self.keys, self._next(), command)

    def send(self, command: CommandAPDU) -> ResponseAPDU:
        return self.answer(self.chip.transmit(self.protect(command)))

    def answer(self, response: ResponseAPDU) -> ResponseAPDU:
        ssc = self._next()
        if not response.data:
            return response  # a bare status word: secure messaging itself failed
        return unwrap_response(self.keys, ssc, response)

    def _next(self) -> bytes:
        self.ssc += 1
        return self.ssc.to_bytes(8, "big")


@pytest.fixture
def profile(make_profile: ProfileFactory) -> CardProfile:
    return make_profile()


@pytest.fixture
def terminal(chip: ChipOS, profile: CardProfile) -> Terminal:
    return Terminal(chip, profile.access_key)


def content(profile: CardProfile, number: int) -> bytes:
    ef = profile.files.applications[0].by_fid(data_group(number).fid)
    assert ef is not None
    return ef.content


# --- before access: plain commands ------------------------------------------------------------

BEFORE_ACCESS = {
    "7816-4 5.6 6D00: SELECT MF by FID 3F00 (CCCD, facts 1.1)": ("00A4000C023F00", False, 0x6D00),
    "7816-4 5.6 6D00: SELECT MF without data": ("00A4000C", False, 0x6D00),
    "7816-4 5.6 6D00: an instruction the chip lacks (GET DATA)": ("00CA010100", False, 0x6D00),
    "7816-4 5.6 6E00: proprietary class": ("80A4040C07A0000002471001", False, 0x6E00),
    "7816-4 5.6 6884: command chaining": ("10A4040C07A0000002471001", False, 0x6884),
    "7816-4 5.6 6881: logical channel 1": ("01A4040C07A0000002471001", False, 0x6881),
    "7816-4 11.1.1 6A82: unknown AID": ("00A4040C07A0000002471002", False, 0x6A82),
    "7816-4 11.1.1 6A86: SELECT asking for the FCP": ("00A4040407A0000002471001", False, 0x6A86),
    "7816-4 11.1.1 6A86: SELECT by path": ("00A4080C02011E", True, 0x6A86),
    "7816-4 11.1.1 6700: SELECT with a 3-byte FID": ("00A4020C03011E00", True, 0x6700),
    "9303-11 4 6982: SELECT EF.COM before BAC": ("00A4020C02011E", True, 0x6982),
    "9303-11 4 6982: READ BINARY of DG1 by SFI before BAC": ("00B0810005", True, 0x6982),
    "7816-4 5.6 6986: READ BINARY without a current EF": ("00B0000005", True, 0x6986),
    "7816-4 5.6 6882: a protected command before any session": ("0CB0000005", True, 0x6882),
    "9303-11 4.3 6700: GET CHALLENGE asking 4 bytes": ("0084000004", True, 0x6700),
    "9303-11 4.3 6A86: GET CHALLENGE with P1 set": ("0084010008", True, 0x6A86),
    "9303-11 4.3 6985: EXTERNAL AUTHENTICATE without a challenge": (
        "0082000028" + "00" * 40 + "28",
        True,
        0x6985,
    ),
    "9303-11 4.3 6700: EXTERNAL AUTHENTICATE with 39 bytes": (
        "0082000027" + "00" * 39 + "28",
        True,
        0x6700,
    ),
}


@pytest.mark.parametrize(
    ("command", "select_first", "sw"), BEFORE_ACCESS.values(), ids=BEFORE_ACCESS.keys()
)
def test_plain_commands_before_access(
    chip: ChipOS, command: str, select_first: bool, sw: int
) -> None:
    if select_first:
        assert chip.transmit(SELECT_AID).sw == 0x9000
    response = chip.transmit(apdu(command))
    assert (response.sw, response.data) == (sw, b"")


@pytest.mark.parametrize(
    "raw",
    ["00B000", "00B000000501", "00B0000000000001AA"],
    ids=["3 bytes", "Lc 5 of 1", "Lc 0 extended"],
)
def test_malformed_apdu_bytes_answer_wrong_length(chip: ChipOS, raw: str) -> None:
    # ISO/IEC 7816-4 §5.1: a body that fits none of the four cases is a wrong length.
    assert chip.process(bytes.fromhex(raw)) == bytes.fromhex("6700")


def test_external_authenticate_with_a_wrong_key_answers_6300(chip: ChipOS) -> None:
    # ICAO 9303-11 §4.3: the chip refuses a cryptogram made with another MRZ key.
    key = MRZKey.from_id_number("001090001235", date(1990, 1, 1), date(2030, 1, 1))
    with pytest.raises(AccessDenied) as raised:
        bac.run_bac(chip, key)
    refusal = raised.value
    assert (refusal.step, refusal.sw, refusal.wrong_key) == (bac.STEP_AUTHENTICATE, 0x6300, True)


def test_extended_apdu_is_refused_by_a_chip_without_extended_length(
    make_profile: ProfileFactory,
) -> None:
    # ISO/IEC 7816-4 §5.1: a chip that does not take extended Lc/Le answers 6700.
    chip = ChipOS(make_profile(fault=Fault.NO_EXTENDED_LENGTH))
    assert chip.transmit(CommandAPDU(0x00, 0xA4, 0x04, 0x0C, AID, extended=True)).sw == 0x6700
    assert chip.transmit(SELECT_AID).sw == 0x9000


# --- after access: protected commands ---------------------------------------------------------

AFTER_ACCESS = {
    "7816-4 11.1.1 6A82: SELECT of DG11, absent on a CCCD": ("00A4020C02010B", 0x6A82),
    "7816-4 11.1.1 6A82: SELECT of DG11 (no DG11 on a CCCD)": ("00A4020C02010B", 0x6A82),
    "9303-11 4 6982: SELECT of DG3 without Terminal Authentication": ("00A4020C020103", 0x6982),
    "9303-11 4 6982: READ BINARY of DG3 by SFI": ("00B0830004", 0x6982),
    "7816-4 11.1.1 6A82: EF.CardAccess is not in the application": ("00A4020C02011C", 0x6A82),
    "7816-4 11.2.3 6A86: SFI with P1 bits 7-6 set": ("00B0A10004", 0x6A86),
    "7816-4 11.2.3 6A86: SFI 0": ("00B0800004", 0x6A86),
    "7816-4 11.2.3 6A82: SFI of an absent file": ("00B0840004", 0x6A82),
    "7816-4 11.2.3 6700: READ BINARY without Le": ("00B00000", 0x6700),
    "7816-4 11.2.3 6A80: odd READ BINARY without DO'54'": ("00B1000203550100" + "10", 0x6A80),
    "7816-4 5.6 6D00: an unknown instruction under SM": ("00CA010100", 0x6D00),
}


@pytest.mark.parametrize(("command", "sw"), AFTER_ACCESS.values(), ids=AFTER_ACCESS.keys())
def test_protected_refusals_keep_the_session(terminal: Terminal, command: str, sw: int) -> None:
    response = terminal.send(apdu(command))
    assert (response.sw, response.data) == (sw, b"")
    assert terminal.send(CommandAPDU(0x00, 0xA4, 0x02, 0x0C, b"\x01\x1e")).sw == 0x9000


def select(terminal: Terminal, fid: int) -> None:
    assert terminal.send(CommandAPDU(0x00, 0xA4, 0x02, 0x0C, fid.to_bytes(2, "big"))).sw == 0x9000


def read(terminal: Terminal, offset: int, le: int, *, extended: bool = False) -> ResponseAPDU:
    p1, p2 = divmod(offset, 0x100)
    return terminal.send(CommandAPDU(0x00, 0xB0, p1, p2, le=le, extended=extended))


@pytest.mark.parametrize(("offset", "le"), [(1, 1), (3, 7), (255, 17), (4097, 0xDF), (12345, 100)])
def test_reads_at_odd_offsets_and_lengths_return_exactly_those_bytes(
    terminal: Terminal, profile: CardProfile, offset: int, le: int
) -> None:
    select(terminal, data_group(2).fid)
    response = read(terminal, offset, le)
    assert (response.sw, response.data) == (0x9000, content(profile, 2)[offset : offset + le])


def test_offset_at_or_past_the_end_answers_6b00(terminal: Terminal, profile: CardProfile) -> None:
    # ISO/IEC 7816-4 §11.2.3: "wrong parameters P1-P2: offset outside the EF".
    size = len(content(profile, 1))
    select(terminal, data_group(1).fid)
    assert read(terminal, size, 1).sw == 0x6B00
    assert read(terminal, size + 40, 1).sw == 0x6B00
    assert read(terminal, 0x7FFF, 1).sw == 0x6B00


def test_explicit_le_past_the_end_gets_the_rest_with_6282(
    terminal: Terminal, profile: CardProfile
) -> None:
    # ISO/IEC 7816-4 §11.2.3: "end of file reached before reading Le bytes" is a warning.
    dg1_bytes = content(profile, 1)
    select(terminal, data_group(1).fid)
    response = read(terminal, len(dg1_bytes) - 5, 20)
    assert (response.sw, response.data) == (0x6282, dg1_bytes[-5:])


def test_le_00_past_the_end_gets_the_rest_without_warning(
    terminal: Terminal, profile: CardProfile
) -> None:
    # ISO/IEC 7816-4 §5.1: Le = 00 asks for all available bytes, up to 256.
    dg1_bytes = content(profile, 1)
    select(terminal, data_group(1).fid)
    response = read(terminal, len(dg1_bytes) - 5, 256)
    assert (response.sw, response.data) == (0x9000, dg1_bytes[-5:])


def test_le_00_under_secure_messaging_is_cut_to_fit_a_short_response(
    terminal: Terminal, profile: CardProfile
) -> None:
    # A short response holds 256 bytes; DO'87', DO'99' and DO'8E' take 25 of them with 3DES.
    select(terminal, data_group(2).fid)
    protected = terminal.chip.transmit(terminal.protect(CommandAPDU(0x00, 0xB0, 0, 0, le=256)))
    assert len(protected.data) <= 256
    response = terminal.answer(protected)
    assert (response.sw, response.data) == (0x9000, content(profile, 2)[:231])


def test_read_by_short_file_identifier_with_offset_in_p2(
    terminal: Terminal, profile: CardProfile
) -> None:
    # ISO/IEC 7816-4 §11.2.3: P1 = 100xxxxx selects the EF by SFI, P2 is the offset.
    response = terminal.send(CommandAPDU(0x00, 0xB0, 0x80 | 0x0D, 5, le=10))
    assert (response.sw, response.data) == (0x9000, content(profile, 13)[5:15])
    follow_on = read(terminal, 15, 3)  # the SFI read made DG13 the current EF
    assert follow_on.data == content(profile, 13)[15:18]


@pytest.mark.parametrize("offset", [0, 20, 16000])
def test_odd_ins_read_binary_takes_its_offset_from_do54(
    terminal: Terminal, profile: CardProfile, offset: int
) -> None:
    # ISO/IEC 7816-4 §11.2.3: INS B1, P1-P2 = SFI, offset in DO'54', answer in DO'53'; Le
    # counts the whole DO'53' (tag and length take 2 of the 102 bytes).
    position = tlv.encode(0x54, offset.to_bytes(2, "big"))
    response = terminal.send(CommandAPDU(0x00, 0xB1, 0x00, 0x02, position, le=102))
    assert response.sw == 0x9000
    assert tlv.decode(response.data, 0x53).value == content(profile, 2)[offset : offset + 100]


def test_extended_read_returns_up_to_the_advertised_limit(
    terminal: Terminal, profile: CardProfile
) -> None:
    select(terminal, data_group(2).fid)
    response = read(terminal, 0, 3000, extended=True)
    assert (response.sw, response.data) == (0x9000, content(profile, 2)[:3000])
    largest = read(terminal, 0, 65536, extended=True)
    assert largest.sw == 0x9000
    assert MAX_EXTENDED - 64 < len(largest.data) < MAX_EXTENDED
    assert largest.data == content(profile, 2)[: len(largest.data)]


def test_protected_extended_read_on_a_chip_without_extended_length(
    make_profile: ProfileFactory,
) -> None:
    profile = make_profile(fault=Fault.NO_EXTENDED_LENGTH)
    terminal = Terminal(ChipOS(profile), profile.access_key)
    select(terminal, data_group(2).fid)
    # The outer APDU must be extended to carry a two-byte DO'97': refused before SM, plain.
    assert read(terminal, 0, 3000, extended=True).sw == 0x6700


def test_wrong_mac_answers_6988_and_ends_the_session(terminal: Terminal) -> None:
    # ICAO 9303-11 §9.8: an SM error is answered plainly and the session keys are dropped.
    protected = terminal.protect(CommandAPDU(0x00, 0xA4, 0x02, 0x0C, b"\x01\x1e"))
    spoiled = CommandAPDU(
        protected.cla, protected.ins, protected.p1, protected.p2,
        protected.data[:-1] + bytes((protected.data[-1] ^ 0x80,)), protected.le,
    )  # fmt: skip
    response = terminal.chip.transmit(spoiled)
    assert (response.sw, response.data) == (0x6988, b"")
    terminal.ssc += 1
    assert terminal.send(CommandAPDU(0x00, 0xA4, 0x02, 0x0C, b"\x01\x1e")).sw == 0x6882


def test_replayed_protected_apdu_fails_its_mac(terminal: Terminal) -> None:
    # ICAO 9303-11 §9.8.2: the MAC covers the SSC, which has moved on since the original.
    protected = terminal.protect(CommandAPDU(0x00, 0xA4, 0x02, 0x0C, b"\x01\x1e"))
    assert terminal.answer(terminal.chip.transmit(protected)).sw == 0x9000
    assert terminal.chip.transmit(protected).sw == 0x6988


def test_a_plain_command_ends_secure_messaging(terminal: Terminal) -> None:
    assert terminal.chip.transmit(CommandAPDU(0x00, 0xA4, 0x02, 0x0C, b"\x01\x1e")).sw == 0x6982
    assert terminal.send(CommandAPDU(0x00, 0xA4, 0x02, 0x0C, b"\x01\x1e")).sw == 0x6882


def test_reset_forgets_the_session_and_the_application(terminal: Terminal) -> None:
    terminal.chip.reset()
    assert terminal.send(CommandAPDU(0x00, 0xA4, 0x02, 0x0C, b"\x01\x1e")).sw == 0x6882
    assert terminal.chip.transmit(apdu("00A4020C02011E")).sw == 0x6A82  # back in the MF


# --- capabilities -------------------------------------------------------------------------------


@pytest.mark.parametrize(("extended", "third"), [(True, 0x60), (False, 0x00)])
def test_atr_states_extended_length_in_the_card_capabilities(extended: bool, third: int) -> None:
    atr = build_atr(extended)
    # PC/SC part 3: 3B 8n 80 01, historical bytes, TCK; ISO/IEC 7816-4 §12.1.1.9 tag 7.
    assert atr[:1] == b"\x3b"
    assert atr[2:4] == b"\x80\x01"
    assert atr[4:9] == bytes((0x80, 0x73, 0x84, 0x01, third))
    check = 0
    for byte in atr[1:]:
        check ^= byte
    assert check == 0


def test_ef_atr_info_states_the_extended_length_limits(
    chip: ChipOS, make_profile: ProfileFactory
) -> None:
    # ISO/IEC 7816-4 §12.7.1: DO'7F66' with the largest command and response, readable in the MF.
    assert (
        chip.transmit(CommandAPDU(0x00, 0xA4, 0x02, 0x0C, EF_ATR_INFO.to_bytes(2, "big"))).sw
        == 0x9000
    )
    info = tlv.decode(chip.transmit(CommandAPDU(0x00, 0xB0, 0, 0, le=256)).data, 0x7F66)
    assert [int.from_bytes(c.value, "big") for c in info.children()] == [MAX_EXTENDED] * 2
    limited = ChipOS(make_profile(fault=Fault.NO_EXTENDED_LENGTH))
    assert limited.transmit(CommandAPDU(0x00, 0xA4, 0x02, 0x0C, b"\x2f\x01")).sw == 0x6A82


def test_get_challenge_gives_fresh_random_bytes(chip: ChipOS) -> None:
    first = chip.transmit(apdu("0084000008"))
    second = chip.transmit(apdu("0084000008"))
    assert (first.sw, len(first.data)) == (0x9000, 8)
    assert first.data != second.data


def test_com_lists_exactly_the_files_present(profile: CardProfile) -> None:
    application = profile.files.applications[0]
    com_file = application.by_fid(EF_COM.fid)
    assert com_file is not None
    tags = tlv.decode(com_file.content, 0x60).child(0x5C).value
    present = sorted(ef.fid - 0x0100 for ef in application.files if 0x0101 <= ef.fid <= 0x0110)
    assert present == [1, 2, 3, 13, 14, 15]
    assert list(tags) == [0x61, 0x75, 0x63, 0x6D, 0x6E, 0x6F]


def test_command_data_beyond_the_stated_limit_answers_wrong_length(chip: ChipOS) -> None:
    # ISO/IEC 7816-4 §12.7.1: EF.ATR/INFO states the largest command; a longer one is 6700.
    oversized = CommandAPDU(0x00, 0xA4, 0x04, 0x0C, bytes(MAX_EXTENDED + 1))
    assert chip.transmit(oversized).sw == 0x6700
