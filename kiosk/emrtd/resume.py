"""What one card has given so far, kept across sessions so a read survives the card being lifted.

A contactless read breaks when the card leaves the field. ``read_document`` writes into a
``ReadJournal`` as it goes: the access protocol that worked, every finished file, and the
verified bytes of the file it was reading (secure messaging checked each chunk's MAC before the
bytes reached us). Called again with the same journal on the card put back, it opens the chip
afresh, proves the card is the same one by reading the first chunk of EF.SOD again and comparing
it with the bytes held, and continues from the last verified offset without reading any
finished file again. EF.SOD is the proof because it holds the hashes of every data group and the
issuer's signature; the UID proves nothing (eMRTDs randomise it).

``AccessMemory`` is where the caller keeps, per card type, the access protocol that opened the
last card of that type, so the next one starts with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from kiosk.emrtd.files import ReadSettings


class AccessMemory(Protocol):
    """The access protocol that worked, per card type (``kiosk.emrtd.atr.card_type``)."""

    def recall(self, card_type: str) -> str | None:
        """The protocol ("PACE-CAN", "PACE-MRZ", "BAC") that opened this type last, if known."""
        ...

    def remember(self, card_type: str, access: str) -> None:
        """Keep ``access`` as the protocol to try first on the next card of ``card_type``."""
        ...


@dataclass(slots=True)
class ReadJournal:
    """One card's read so far, across sessions. Holds personal data: never log it.

    Attributes:
        card_type: the chip's type, once EF.CardAccess has been read.
        access: the protocol that opened the chip last.
        attempts: access attempts made on this card, every session counted.
        sessions: how many times the chip was opened (1 + the resumptions).
        settings: the read settings the chip announced (EF.ATR/INFO is read once).
        read_limit: the largest READ BINARY the reader carried, once probed.
        files: the finished files by name.
        partial: the verified bytes of files begun and not finished, by name.
        apdus: APDU exchanges in all sessions.
        timings_ms: milliseconds per phase, added up over the sessions.
    """

    card_type: str | None = None
    access: str | None = None
    attempts: int = 0
    sessions: int = 0
    settings: ReadSettings | None = None
    read_limit: int | None = None
    files: dict[str, bytes] = field(default_factory=dict, repr=False)
    partial: dict[str, bytes] = field(default_factory=dict, repr=False)
    apdus: int = 0
    timings_ms: dict[str, float] = field(default_factory=dict)

    def held(self, name: str) -> bytes:
        """The bytes of ``name`` held so far: the whole file, its verified part, or nothing."""
        return self.files.get(name) or self.partial.get(name, b"")

    def forget_files(self) -> None:
        """Drop every file held: nothing proves the card put back is the one they came from."""
        self.files.clear()
        self.partial.clear()
