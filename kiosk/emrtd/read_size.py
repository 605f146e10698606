"""How many bytes one READ BINARY asks: what the chip announces, what the reader carries.

Two limits bound a read's chunk, and this module owns both and their combination. The chip
states its extended-length limits in EF.ATR/INFO (ISO/IEC 7816-4 §8.4; ``announced_settings``);
the reader between us and the chip may carry less, which nothing announces, so the first read
on a reader model of unknown capacity finds it by trying growing sizes (``probe_read_limit``).
``limited_settings`` caps the chip's settings at what the reader is known to carry.

This is apart from the read itself (``kiosk.emrtd.reader``) because it is a separate question
with its own hazards: a probe may break the session on purpose, and what it learns outlives the
card (the caller stores it per reader model).
"""

from __future__ import annotations

from dataclasses import replace

from kiosk.emrtd.errors import (
    CardRemoved,
    MalformedData,
    ReadLimitExceeded,
    SecureMessagingError,
    StatusWordError,
    TransportError,
)
from kiosk.emrtd.files import (
    DEFAULT_SETTINGS,
    EXTENDED_CHUNK,
    SHORT_CHUNK,
    ReadSettings,
    data_group,
    read_binary,
    select_file,
)
from kiosk.emrtd.resume import ReadJournal
from kiosk.emrtd.tlv import iter_tlvs
from kiosk.emrtd.transport import Transport

EF_ATR_INFO = 0x2F01
"""EF.ATR/INFO in the MF (ISO/IEC 7816-4 §8.4): where a card states its APDU size limits."""

TAG_EXTENDED_LENGTH_INFO = 0x7F66
SM_OVERHEAD = 48
"""Bytes a protected answer adds around the data: DO'87 header and padding, DO'99, DO'8E, SW."""

PROBE_SIZES = (0x0400, 0x0800)
"""READ BINARY sizes tried, smallest first, before the chip's own chunk: a reader whose buffer
is too small breaks the session, so growing sizes cost at most one broken session."""


def limited_settings(settings: ReadSettings, limit: int | None) -> ReadSettings:
    """``settings`` with chunks no larger than ``limit``: short APDUs when it is that small."""
    if limit is None or settings.chunk <= limit:
        return settings
    if limit <= SHORT_CHUNK:
        return replace(settings, extended_length=False, chunk_size=None)
    return replace(settings, chunk_size=limit)


def announced_settings(link: Transport) -> ReadSettings:
    """The read settings the chip's EF.ATR/INFO allows.

    Extended length only when the announced limits hold a whole chunk with the
    secure-messaging overhead; short reads otherwise. A card without the file, or with one
    this code does not understand, is read with short APDUs, which every chip accepts.
    """
    try:
        select_file(link, EF_ATR_INFO)
        info = read_binary(link, 0, 256)
        limits = _extended_length_limits(info)
    except (StatusWordError, MalformedData):
        return DEFAULT_SETTINGS
    if limits is None:
        return DEFAULT_SETTINGS
    chunk = min(EXTENDED_CHUNK, min(limits) - SM_OVERHEAD)
    if chunk <= SHORT_CHUNK:
        return DEFAULT_SETTINGS
    return ReadSettings(extended_length=True, chunk_size=chunk)


def _extended_length_limits(info: bytes) -> tuple[int, int] | None:
    for item in iter_tlvs(info):
        if item.tag == TAG_EXTENDED_LENGTH_INFO:
            sizes = [int.from_bytes(c.value, "big") for c in item.children() if c.tag == 0x02]
            return (sizes[0], sizes[1]) if len(sizes) >= 2 else None
    return None


def probe_read_limit(channel: Transport, settings: ReadSettings, journal: ReadJournal) -> None:
    """Find the largest READ BINARY this reader carries, on DG2 (the largest file, always there).

    Done before any other file, so no file is read with a size the reader may not carry. Sizes
    grow from ``PROBE_SIZES`` to the chip's own chunk. What each read brings is DG2's
    beginning, kept as its verified part, so the probe costs a few APDUs and no bytes. A size
    the reader refuses (a transport error, a wrong-length status word, a spoiled answer) ends
    the session: ``journal.read_limit`` keeps the last size that went through.

    Raises:
        ReadLimitExceeded: the reader refused a size.
        CardRemoved: the card left during the probe (nothing is learnt).
        StatusWordError: the chip refused DG2 for another reason (no such file...).
    """
    group = data_group(2)
    select_file(channel, group.fid)
    good = SHORT_CHUNK
    for size in (*(s for s in PROBE_SIZES if s < settings.chunk), settings.chunk):
        try:
            data = read_binary(channel, 0, size, extended=True)
        except CardRemoved:
            raise
        except (TransportError, StatusWordError, SecureMessagingError) as err:
            if isinstance(err, StatusWordError) and not _wrong_length(err.sw):
                raise
            journal.read_limit = good
            raise ReadLimitExceeded(group.name, size, good, type(err).__name__) from err
        journal.partial[group.name] = data
        good = size
    journal.read_limit = good


def _wrong_length(sw: int) -> bool:
    """6700, 6Cxx, or 6F00: what a reader (or chip) answers to a size it cannot carry."""
    return sw in (0x6700, 0x6F00) or sw >> 8 == 0x6C
