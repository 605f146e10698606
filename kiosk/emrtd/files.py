"""Selecting the eMRTD application and reading elementary files (ICAO 9303-10 §3, 9303-11 §9.8).

A file is read as the chip allows: SELECT by file identifier or READ BINARY with a short file
identifier, then a first read of a few bytes whose TLV header gives the total length, then
chunks. Chunks stay at 0xDF bytes by default, which still fits a short response once secure
messaging has added DO'87, DO'99 and DO'8E; extended length is used only when the caller says
the chip supports it. Offsets beyond 32767 use the odd INS READ BINARY with DO'54. Every file
has a size cap, the cancel event is checked before each APDU, and a broken link leaves the bytes
read so far on the ``PartialRead`` it raises, so a later session can resume.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.emrtd import tlv
from kiosk.emrtd.apdu import CommandAPDU
from kiosk.emrtd.errors import MalformedData, PartialRead, StatusWordError, TransportError
from kiosk.emrtd.sw import SUCCESS, check, error_for
from kiosk.emrtd.transport import Transport, raise_if_cancelled

APPLICATION_AID = bytes.fromhex("A0000002471001")
"""The eMRTD LDS1 application (ICAO 9303-10 §3.6.2), also on every CCCD chip."""

SHORT_CHUNK = 0xDF
EXTENDED_CHUNK = 0x0FE0
"""Default extended-length chunk: 4 KiB less room for the secure-messaging objects."""

HEADER_PROBE = 6
"""Bytes asked by the first read: enough for a two-byte tag and a four-byte length."""

GENERIC_MAX_SIZE = 64 * 1024
BIOMETRIC_MAX_SIZE = 256 * 1024
_MAX_EVEN_OFFSET = 0x7FFF
_MAX_SFI_OFFSET = 0xFF
_END_OF_FILE = 0x6282
_OFFSET_OUTSIDE = 0x6B00
_ODD_OVERHEAD = 4
"""DO'53 tag and length around an odd-INS READ BINARY answer (up to 65535 bytes)."""

ProgressCallback = Callable[[str, int, int], None]
"""Called after each chunk with ``(file_name, bytes_done, bytes_total)``."""


@dataclass(frozen=True, slots=True)
class ElementaryFile:
    """An LDS file: its name for logs and errors, its FID and SFI, and its size cap."""

    name: str
    fid: int
    sfi: int
    max_size: int = GENERIC_MAX_SIZE


EF_CARD_ACCESS = ElementaryFile("EF.CardAccess", 0x011C, 0x1C)
EF_COM = ElementaryFile("EF.COM", 0x011E, 0x1E)
EF_SOD = ElementaryFile("EF.SOD", 0x011D, 0x1D)


def data_group(number: int) -> ElementaryFile:
    """EF.DGn (FID 01nn, SFI nn; ICAO 9303-10 §4.6.1); DG2 to DG4 hold images, capped higher."""
    if not 1 <= number <= 16:
        raise ValueError("data groups are numbered 1 to 16")
    cap = BIOMETRIC_MAX_SIZE if 2 <= number <= 4 else GENERIC_MAX_SIZE
    return ElementaryFile(f"DG{number}", 0x0100 + number, number, cap)


@dataclass(frozen=True, slots=True)
class ReadSettings:
    """How to read: what the caller knows about the chip and the link.

    Attributes:
        extended_length: the chip is known to accept extended-length READ BINARY.
        chunk_size: bytes asked per READ BINARY; by default 0xDF short, 0x0FE0 extended.
        use_sfi: open files with a short file identifier instead of SELECT.
        max_size: a cap overriding the file's own.
    """

    extended_length: bool = False
    chunk_size: int | None = None
    use_sfi: bool = False
    max_size: int | None = None

    @property
    def chunk(self) -> int:
        """The chunk size in effect."""
        if self.chunk_size is not None:
            return self.chunk_size
        return EXTENDED_CHUNK if self.extended_length else SHORT_CHUNK


DEFAULT_SETTINGS = ReadSettings()


def select_application(transport: Transport, aid: bytes = APPLICATION_AID) -> None:
    """SELECT the eMRTD application by AID, no FCI returned (ICAO 9303-10 §3.6.2).

    Raises:
        FileNotFound: the card is not an eMRTD (an old CCCD or CMND, a bank card).
    """
    check(transport.transmit(CommandAPDU(0x00, 0xA4, 0x04, 0x0C, aid)), "SELECT application")


def select_file(transport: Transport, fid: int) -> None:
    """SELECT an EF under the current application by its two-byte file identifier."""
    command = CommandAPDU(0x00, 0xA4, 0x02, 0x0C, fid.to_bytes(2, "big"))
    check(transport.transmit(command), "SELECT")


def read_binary(
    transport: Transport,
    offset: int,
    length: int,
    *,
    extended: bool = False,
    sfi: int | None = None,
) -> bytes:
    """One READ BINARY of up to ``length`` bytes at ``offset`` (ISO/IEC 7816-4 §11.2.3).

    With ``sfi`` the file is selected by the same command (offset at most 255). Offsets above
    32767 use INS B1 with the offset in DO'54 and the answer in DO'53. An answer shorter than
    ``length`` is returned as it is (end of file, 6282).
    """
    if offset > _MAX_EVEN_OFFSET:
        return _read_binary_odd(transport, offset, length, extended)
    p1, p2 = (0x80 | sfi, offset) if sfi is not None else divmod(offset, 0x100)
    response = transport.transmit(CommandAPDU(0x00, 0xB0, p1, p2, le=length, extended=extended))
    return _checked_data(response.data, response.sw, length)


def _read_binary_odd(transport: Transport, offset: int, length: int, extended: bool) -> bytes:
    position = tlv.encode(0x54, offset.to_bytes((offset.bit_length() + 7) // 8, "big"))
    le = length + 1 + len(tlv.encode_length(length))
    command = CommandAPDU(0x00, 0xB1, 0x00, 0x00, position, le=le, extended=extended)
    response = transport.transmit(command)
    raw = _checked_data(response.data, response.sw, le)
    return tlv.decode(raw, 0x53).value if raw else b""


def _checked_data(data: bytes, sw: int, length: int) -> bytes:
    if sw not in (SUCCESS, _END_OF_FILE):
        raise error_for(sw, "READ BINARY")
    if len(data) > length:
        raise MalformedData("READ BINARY", "the chip sent more bytes than asked")
    return data


def read_file(
    transport: Transport,
    ef: ElementaryFile,
    *,
    settings: ReadSettings = DEFAULT_SETTINGS,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    resume: bytes = b"",
) -> bytes:
    """Read a whole elementary file, exactly as long as its outer TLV says.

    Args:
        transport: the link, usually a secure channel.
        ef: the file.
        settings: chunking, extended length, SFI use, size cap.
        progress: called after each chunk with ``(ef.name, done, total)``; a resumed read
            reports from its first new chunk, so no offset is reported twice.
        cancel: checked before every APDU.
        resume: the ``partial`` bytes of an earlier ``PartialRead`` of the same file.

    Raises:
        Cancelled: ``cancel`` was set.
        PartialRead: the link failed part-way; ``partial`` holds the bytes read.
        MalformedData: the header is unreadable, the size exceeds the cap, or the file ends
            before its declared length.
        StatusWordError: the chip refused the file (FileNotFound, SecurityStatusNotSatisfied).
    """
    buffer = bytearray(resume)
    try:
        _read_into(transport, ef, settings, buffer, progress, cancel)
    except TransportError as err:
        raise PartialRead(ef.name, bytes(buffer), type(err).__name__) from err
    return bytes(buffer)


def _read_into(
    transport: Transport,
    ef: ElementaryFile,
    settings: ReadSettings,
    buffer: bytearray,
    progress: ProgressCallback | None,
    cancel: threading.Event | None,
) -> None:
    sfi = _open(transport, ef, settings, len(buffer), cancel)
    resumed = bool(buffer)
    if not resumed:
        raise_if_cancelled(cancel)
        buffer += read_binary(transport, 0, HEADER_PROBE, sfi=sfi)
        sfi = None
    total = _declared_size(ef, bytes(buffer), settings.max_size or ef.max_size)
    if not resumed:  # a resumed file reports only what this session reads
        _report(progress, ef, len(buffer), total)
    while len(buffer) < total:
        raise_if_cancelled(cancel)
        buffer += _next_chunk(transport, ef, settings, len(buffer), total, sfi)
        sfi = None
        _report(progress, ef, len(buffer), total)
    del buffer[total:]


def _open(
    transport: Transport,
    ef: ElementaryFile,
    settings: ReadSettings,
    offset: int,
    cancel: threading.Event | None,
) -> int | None:
    """Select the file, or return the SFI that the first READ BINARY will select it with."""
    if settings.use_sfi and offset <= _MAX_SFI_OFFSET:
        return ef.sfi
    raise_if_cancelled(cancel)
    select_file(transport, ef.fid)
    return None


def _declared_size(ef: ElementaryFile, head: bytes, cap: int) -> int:
    try:
        _, length, value_offset = tlv.read_header(head)
    except MalformedData as err:
        raise MalformedData(ef.name, "the file does not start with a readable TLV header") from err
    total = value_offset + length
    if total > cap:
        raise MalformedData(ef.name, f"declared size {total} exceeds the cap of {cap} bytes")
    return total


def _next_chunk(
    transport: Transport,
    ef: ElementaryFile,
    settings: ReadSettings,
    offset: int,
    total: int,
    sfi: int | None,
) -> bytes:
    room = settings.chunk - _ODD_OVERHEAD if offset > _MAX_EVEN_OFFSET else settings.chunk
    length = min(room, total - offset)
    try:
        chunk = read_binary(transport, offset, length, extended=settings.extended_length, sfi=sfi)
    except StatusWordError as err:
        if err.sw != _OFFSET_OUTSIDE:
            raise
        raise MalformedData(ef.name, "the file ends before its declared length", offset) from err
    if not chunk:
        raise MalformedData(ef.name, "the file ends before its declared length", offset)
    return chunk


def _report(progress: ProgressCallback | None, ef: ElementaryFile, done: int, total: int) -> None:
    if progress is not None:
        progress(ef.name, min(done, total), total)
