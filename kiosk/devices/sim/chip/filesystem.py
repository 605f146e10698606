"""The simulated chip's file tree: the master file, the eMRTD application and their EFs.

ISO/IEC 7816-4 §7.1 organises a card as a master file (MF) holding elementary files (EF) and
dedicated files (DF); ICAO 9303-10 §3 puts EF.CardAccess and EF.ATR/INFO in the MF and the LDS
files (EF.COM, EF.SOD, the data groups) in the application DF selected by its AID. Each EF has
a two-byte file identifier and a five-bit short file identifier, unique within its DF. This
module only holds the tree and answers look-ups; what a command may do with a file is decided
by the chip OS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Access(Enum):
    """Who may read an EF (ICAO 9303-11 §4: access control of the LDS)."""

    ALWAYS = "always"
    """Readable without access control (EF.CardAccess, EF.ATR/INFO)."""
    SECURE_MESSAGING = "secure messaging"
    """Readable once BAC (or PACE) has set up secure messaging: every LDS1 file."""
    TERMINAL_AUTHENTICATION = "terminal authentication"
    """Readable only after Terminal Authentication (EAC), which this chip never grants: DG3."""


@dataclass(frozen=True, slots=True)
class ElementaryFile:
    """A transparent EF.

    Attributes:
        name: for logs and errors ("DG2", "EF.COM").
        fid: the file identifier (ISO/IEC 7816-4 §7.1.1).
        sfi: the short file identifier, 1 to 30 (§7.1.2), or None.
        content: the bytes READ BINARY serves; personal data, kept out of ``repr``.
        access: the access condition.
        leaves_at: the chip is pulled from the field once a read goes past this offset (the
            ``removed-mid-read`` fault); None for a file that reads normally.
    """

    name: str
    fid: int
    sfi: int | None
    content: bytes = field(repr=False)
    access: Access = Access.SECURE_MESSAGING
    leaves_at: int | None = None


@dataclass(frozen=True, slots=True)
class DedicatedFile:
    """A DF: an application with its AID, or the MF (no AID), and the EFs directly under it."""

    name: str
    aid: bytes | None
    files: tuple[ElementaryFile, ...]

    def __post_init__(self) -> None:
        fids = [ef.fid for ef in self.files]
        sfis = [ef.sfi for ef in self.files if ef.sfi is not None]
        if len(set(fids)) != len(fids) or len(set(sfis)) != len(sfis):
            raise ValueError(f"{self.name}: file identifiers must be unique within a DF")

    def by_fid(self, fid: int) -> ElementaryFile | None:
        """The EF with file identifier ``fid`` directly under this DF."""
        return next((ef for ef in self.files if ef.fid == fid), None)

    def by_sfi(self, sfi: int) -> ElementaryFile | None:
        """The EF with short file identifier ``sfi`` directly under this DF."""
        return next((ef for ef in self.files if ef.sfi == sfi), None)


@dataclass(frozen=True, slots=True)
class FileSystem:
    """The whole tree: the MF's own EFs and the applications under it."""

    master: DedicatedFile
    applications: tuple[DedicatedFile, ...]

    def application(self, aid: bytes) -> DedicatedFile | None:
        """The application whose AID is ``aid`` (selection by full DF name, §11.1.1)."""
        return next((df for df in self.applications if df.aid == aid), None)
