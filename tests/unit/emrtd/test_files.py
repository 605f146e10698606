"""File reading against a small in-test chip: chunks, offsets, caps, progress, cancel, resume."""

from __future__ import annotations

import threading

import pytest

from kiosk.emrtd import tlv
from kiosk.emrtd.apdu import CommandAPDU, ResponseAPDU
from kiosk.emrtd.crypto.kdf import KeyType
from kiosk.emrtd.errors import (
    Cancelled,
    CardRemoved,
    FileNotFound,
    MalformedData,
    PartialRead,
    SecurityStatusNotSatisfied,
    StatusWordError,
)
from kiosk.emrtd.files import (
    EF_CARD_ACCESS,
    EF_COM,
    EF_SOD,
    ElementaryFile,
    ReadSettings,
    data_group,
    read_binary,
    read_file,
    select_application,
)
from kiosk.emrtd.sm import SecureChannel, SessionKeys, unwrap_command, wrap_response

H = bytes.fromhex
EF_COM_D4 = H("60145F0104303130365F36063034303030305C026175")  # ICAO 9303-11 App. D.4
DG2 = data_group(2)
DG3 = data_group(3)
PORTRAIT = tlv.encode(0x75, bytes(i % 251 for i in range(40_000)))  # past offset 32767


class FakeChip:
    """A plain eMRTD file system speaking SELECT and READ BINARY (even and odd INS)."""

    def __init__(self, files: dict[int, bytes], *, extended: bool = False) -> None:
        self.files = files
        self.extended = extended
        self.protected = {0x0103}
        self.current: int | None = None
        self.commands: list[CommandAPDU] = []
        self.remove_after: int | None = None
        self.overrides: dict[int, ResponseAPDU] = {}

    def transmit(self, command: CommandAPDU) -> ResponseAPDU:
        self.commands.append(command)
        if self.remove_after is not None and len(self.commands) > self.remove_after:
            raise CardRemoved("card left the field")
        if command.extended and not self.extended:
            return ResponseAPDU.from_sw(0x6700)
        if command.ins == 0xA4:
            return self._select(command)
        return self.overrides.get(len(self.commands)) or self._read(command)

    def _select(self, command: CommandAPDU) -> ResponseAPDU:
        if command.p1 == 0x04:
            return ResponseAPDU.from_sw(0x9000)
        return self._choose(int.from_bytes(command.data, "big"))

    def _choose(self, fid: int) -> ResponseAPDU:
        if fid in self.protected:
            return ResponseAPDU.from_sw(0x6982)
        if fid not in self.files:
            return ResponseAPDU.from_sw(0x6A82)
        self.current = fid
        return ResponseAPDU.from_sw(0x9000)

    def _read(self, command: CommandAPDU) -> ResponseAPDU:
        if command.ins == 0xB0 and command.p1 & 0x80:
            chosen = self._choose(0x0100 | command.p1 & 0x1F)
            if chosen.sw != 0x9000:
                return chosen
            offset = command.p2
        elif command.ins == 0xB0:
            offset = command.p1 << 8 | command.p2
        else:
            offset = int.from_bytes(tlv.decode(command.data, 0x54).value, "big")
        assert self.current is not None
        content = self.files[self.current]
        if offset >= len(content):
            return ResponseAPDU.from_sw(0x6B00)
        le = command.le or 0
        if command.ins == 0xB1:
            le -= 4 if le > 0xFF else 3 if le > 0x7F else 2
        chunk = content[offset : offset + le]
        data = tlv.encode(0x53, chunk) if command.ins == 0xB1 else chunk
        return ResponseAPDU.from_sw(0x9000 if len(chunk) == le else 0x6282, data)


def _chip() -> FakeChip:
    return FakeChip({0x011E: EF_COM_D4, 0x0102: PORTRAIT, 0x011C: H("3100"), 0x011D: H("7700")})


def test_read_ef_com_with_select_and_header_probe() -> None:
    chip = _chip()
    assert read_file(chip, EF_COM) == EF_COM_D4
    assert [c.to_bytes() for c in chip.commands] == [
        H("00A4020C02011E"),
        H("00B0000006"),
        H("00B0000610"),
    ]


def test_read_a_large_file_in_short_chunks_with_odd_ins_beyond_32767() -> None:
    chip = _chip()
    seen: list[tuple[str, int, int]] = []
    assert read_file(chip, DG2, progress=lambda *args: seen.append(args)) == PORTRAIT
    reads = chip.commands[1:]
    assert all(not c.extended and (c.le or 0) <= 0xDF for c in reads)
    odd = [c for c in reads if c.ins == 0xB1]
    assert odd
    first_odd_offset = 6 + 147 * 0xDF  # the first chunk that starts past 32767
    assert odd[0].data == tlv.encode(0x54, first_odd_offset.to_bytes(2, "big"))
    assert all(c.p1 < 0x80 for c in reads if c.ins == 0xB0)
    assert seen[0] == ("DG2", 6, len(PORTRAIT))
    assert seen[-1] == ("DG2", len(PORTRAIT), len(PORTRAIT))
    assert [done for _, done, _ in seen] == sorted(done for _, done, _ in seen)


def test_extended_length_only_when_the_caller_says_so() -> None:
    chip = _chip()
    chip.extended = True
    settings = ReadSettings(extended_length=True)
    assert read_file(chip, DG2, settings=settings) == PORTRAIT
    reads = chip.commands[2:]
    assert all(c.extended for c in reads)
    assert max(c.le or 0 for c in reads) == 0x0FE0
    assert len(chip.commands) == 2 + 10


def test_a_chip_without_extended_length_refuses_it() -> None:
    with pytest.raises(StatusWordError) as caught:
        read_file(_chip(), DG2, settings=ReadSettings(extended_length=True))
    assert caught.value.sw == 0x6700


def test_chunk_size_can_be_chosen() -> None:
    chip = _chip()
    assert read_file(chip, EF_COM, settings=ReadSettings(chunk_size=4)) == EF_COM_D4
    assert [c.le for c in chip.commands[1:]] == [6, 4, 4, 4, 4]


def test_short_file_identifier_replaces_select() -> None:
    chip = _chip()
    assert read_file(chip, EF_COM, settings=ReadSettings(use_sfi=True)) == EF_COM_D4
    assert chip.commands[0].to_bytes() == H("00B09E0006")
    assert chip.commands[1].to_bytes() == H("00B0000610")


@pytest.mark.parametrize(("ef", "content"), [(EF_CARD_ACCESS, H("3100")), (EF_SOD, H("7700"))])
def test_files_shorter_than_the_header_probe(ef: ElementaryFile, content: bytes) -> None:
    assert read_file(_chip(), ef) == content


def test_trailing_bytes_after_the_tlv_are_dropped() -> None:
    chip = FakeChip({0x011E: EF_COM_D4 + bytes(10)})
    assert read_file(chip, EF_COM) == EF_COM_D4


def test_size_cap_per_file_and_override() -> None:
    big = H("6183011171")  # declares 70001 bytes of value
    with pytest.raises(MalformedData, match=r"DG1.*exceeds the cap of 65536"):
        read_file(FakeChip({0x0101: big}), data_group(1))
    with pytest.raises(MalformedData, match="exceeds the cap of 16 bytes"):
        read_file(_chip(), EF_COM, settings=ReadSettings(max_size=0x10))
    assert DG2.max_size == DG3.max_size == 256 * 1024
    assert data_group(14).max_size == 64 * 1024


def test_unreadable_header_is_malformed() -> None:
    with pytest.raises(MalformedData, match=r"EF\.COM.*readable TLV header"):
        read_file(FakeChip({0x011E: H("5FFFFFFF0000")}), EF_COM)


def test_a_file_ending_before_its_declared_length() -> None:
    truncated = EF_COM_D4[:-6]
    with pytest.raises(MalformedData, match="ends before its declared length") as caught:
        read_file(FakeChip({0x011E: truncated}), EF_COM, settings=ReadSettings(chunk_size=8))
    assert caught.value.offset == len(truncated)


def test_an_empty_answer_before_the_end_is_malformed() -> None:
    chip = _chip()
    chip.overrides[3] = ResponseAPDU.from_sw(0x9000)
    with pytest.raises(MalformedData, match="ends before"):
        read_file(chip, EF_COM)


def test_an_empty_odd_ins_answer_is_malformed() -> None:
    chip = _chip()
    chip.overrides[2 + 148] = ResponseAPDU.from_sw(0x9000)  # the first B1 read
    with pytest.raises(MalformedData, match="ends before") as caught:
        read_file(chip, DG2)
    assert chip.commands[-1].ins == 0xB1
    assert caught.value.offset == 6 + 147 * 0xDF


def test_more_bytes_than_asked_is_malformed() -> None:
    chip = _chip()
    chip.overrides[2] = ResponseAPDU.from_sw(0x9000, bytes(7))
    with pytest.raises(MalformedData, match="more bytes than asked"):
        read_file(chip, EF_COM)


def test_refusals_keep_their_status_word_class() -> None:
    with pytest.raises(SecurityStatusNotSatisfied):
        read_file(_chip(), DG3)
    with pytest.raises(FileNotFound):
        read_file(_chip(), data_group(11))
    with pytest.raises(FileNotFound):
        read_file(_chip(), data_group(11), settings=ReadSettings(use_sfi=True))
    chip = _chip()
    chip.overrides[4] = ResponseAPDU.from_sw(0x6982)
    with pytest.raises(SecurityStatusNotSatisfied):
        read_file(chip, DG2)


def test_cancel_is_checked_before_every_apdu() -> None:
    cancel = threading.Event()
    chip = _chip()

    def progress(name: str, done: int, total: int) -> None:
        if done > 1000:
            cancel.set()

    with pytest.raises(Cancelled):
        read_file(chip, DG2, progress=progress, cancel=cancel)
    assert len(chip.commands) == 1 + 1 + 5
    before = len(chip.commands)
    with pytest.raises(Cancelled):
        read_file(chip, DG2, cancel=cancel)
    with pytest.raises(Cancelled):
        read_file(chip, DG2, cancel=cancel, settings=ReadSettings(use_sfi=True))
    assert len(chip.commands) == before


def test_card_removed_mid_read_keeps_the_partial_bytes_and_resumes() -> None:
    chip = _chip()
    chip.remove_after = 20
    with pytest.raises(PartialRead) as caught:
        read_file(chip, DG2)
    error = caught.value
    assert isinstance(error.__cause__, CardRemoved)
    assert error.file == "DG2"
    assert error.offset == len(error.partial) == 6 + 18 * 0xDF
    assert error.partial == PORTRAIT[: error.offset]
    assert str(error) == f"reading DG2 stopped at offset {error.offset}: CardRemoved"
    fresh = _chip()
    assert read_file(fresh, DG2, resume=error.partial) == PORTRAIT
    assert fresh.commands[0].ins == 0xA4
    assert fresh.commands[1].to_bytes()[2:4] == error.offset.to_bytes(2, "big")


def test_resume_with_sfi_within_the_first_256_bytes() -> None:
    chip = _chip()
    settings = ReadSettings(use_sfi=True, chunk_size=8)
    assert read_file(chip, EF_COM, settings=settings, resume=EF_COM_D4[:10]) == EF_COM_D4
    assert chip.commands[0].to_bytes() == H("00B09E0A08")


def test_card_removed_before_anything_was_read() -> None:
    chip = _chip()
    chip.remove_after = 0
    with pytest.raises(PartialRead) as caught:
        read_file(chip, EF_COM)
    assert caught.value.partial == b""


def test_select_application_and_data_group_numbers() -> None:
    chip = _chip()
    select_application(chip)
    assert chip.commands[0].to_bytes() == H("00A4040C07A0000002471001")
    assert (data_group(1).fid, data_group(1).sfi, data_group(16).fid) == (0x0101, 1, 0x0110)
    with pytest.raises(ValueError, match="1 to 16"):
        data_group(17)


def test_read_binary_step_with_sfi() -> None:
    chip = _chip()
    assert read_binary(chip, 2, 3, sfi=0x1E) == EF_COM_D4[2:5]
    assert chip.commands[0].to_bytes() == H("00B09E0203")


class SMChip:
    """The fake chip behind the card side of secure messaging (public emrtd helpers)."""

    def __init__(self, inner: FakeChip, keys: SessionKeys, ssc: bytes) -> None:
        self.inner = inner
        self.keys = keys
        self.ssc = int.from_bytes(ssc, "big")
        self.size = len(ssc)

    def _step(self) -> bytes:
        self.ssc += 1
        return self.ssc.to_bytes(self.size, "big")

    def transmit(self, command: CommandAPDU) -> ResponseAPDU:
        plain = unwrap_command(self.keys, self._step(), command)
        answer = self.inner.transmit(plain)
        return wrap_response(self.keys, self._step(), answer, odd_ins=bool(plain.ins & 1))


@pytest.mark.parametrize("extended", [False, True])
@pytest.mark.parametrize("key_type", [KeyType.TDES, KeyType.AES128])
def test_read_a_large_file_under_secure_messaging(key_type: KeyType, extended: bool) -> None:
    keys = SessionKeys(bytes(range(16)), bytes(range(16, 32)), key_type)
    ssc = bytes(key_type.block_size)
    chip = FakeChip({0x0102: PORTRAIT}, extended=extended)
    channel = SecureChannel(SMChip(chip, keys, ssc), keys, ssc)
    assert read_file(channel, DG2, settings=ReadSettings(extended_length=extended)) == PORTRAIT
    assert any(c.ins == 0xB1 for c in chip.commands)
    assert all(c.extended == extended for c in chip.commands[2:])
