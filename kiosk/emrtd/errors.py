"""The error tree of the ICAO 9303 library.

Every failure inside ``kiosk.emrtd`` is an ``EmrtdError``; callers outside translate these into
their own errors (``raise ... from err``). Fields are structured (status word, step, file,
offset) so the log can be precise, and ``str()`` never holds personal data or key material.
"""

from __future__ import annotations


class EmrtdError(Exception):
    """Root of every error raised by ``kiosk.emrtd``."""


class Cancelled(EmrtdError):
    """The caller's cancel event was set; the read stopped between two APDUs."""


class TransportError(EmrtdError):
    """The link to the card failed (reader gone, timeout, protocol error below APDUs)."""


class CardRemoved(TransportError):
    """The card left the field or was pulled out of the reader."""


class StatusWordError(EmrtdError):
    """The card answered a command with a status word other than 9000.

    Attributes:
        sw: the two status bytes as one integer (for example 0x6A82).
        command: a short name of the command that failed ("SELECT", "READ BINARY", ...).
    """

    def __init__(self, sw: int, command: str, meaning: str = "") -> None:
        self.sw = sw
        self.command = command
        self.meaning = meaning
        detail = f" ({meaning})" if meaning else ""
        super().__init__(f"{command} answered {sw:04X}{detail}")


class FileNotFound(StatusWordError):
    """The card has no such file or application (6A82)."""


class SecurityStatusNotSatisfied(StatusWordError):
    """The card refuses access to a file without stronger authentication (6982)."""


class AccessDenied(EmrtdError):
    """An access protocol (BAC, PACE) failed: wrong key, or a refusal at a named step.

    Attributes:
        protocol: "BAC", "PACE" or "CA".
        step: the failing step, e.g. "EXTERNAL AUTHENTICATE" or "GA mutual authentication".
        sw: the status word, when the card answered one.
        wrong_key: True when the failure proves the key is wrong (as opposed to a card that does
            not offer the protocol).
    """

    def __init__(
        self, protocol: str, step: str, sw: int | None = None, *, wrong_key: bool = False
    ) -> None:
        self.protocol = protocol
        self.step = step
        self.sw = sw
        self.wrong_key = wrong_key
        status = f", SW {sw:04X}" if sw is not None else ""
        super().__init__(f"{protocol} failed at {step}{status}")


class SecureMessagingError(EmrtdError):
    """A protected response failed its check (MAC, missing data object, bad padding).

    The secure channel is closed after this error: a new access is needed.
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"secure messaging: {reason}")


class MalformedData(EmrtdError):
    """Bytes from the card (or a file) do not have the structure the standard requires.

    Attributes:
        what: which structure was being parsed ("TLV", "DG13", "SOD", ...).
        offset: the byte offset where parsing stopped, when known.
    """

    def __init__(self, what: str, reason: str, offset: int | None = None) -> None:
        self.what = what
        self.reason = reason
        self.offset = offset
        at = f" at offset {offset}" if offset is not None else ""
        super().__init__(f"malformed {what}{at}: {reason}")


class ReadInterrupted(EmrtdError):
    """A file read stopped part-way; says which file and how far it got.

    Attributes:
        file: the file's name ("DG2", "EF.SOD", ...).
        offset: the number of bytes read and verified before the interruption.
    """

    def __init__(self, file: str, offset: int, reason: str) -> None:
        self.file = file
        self.offset = offset
        self.reason = reason
        super().__init__(f"reading {file} stopped at offset {offset}: {reason}")


class UnsupportedFeature(EmrtdError):
    """The chip uses an algorithm or structure this library deliberately does not support."""


class VerificationFailed(EmrtdError):
    """A cryptographic check could not be carried out at all (not a verdict: a broken input)."""

    def __init__(self, check: str, reason: str) -> None:
        self.check = check
        self.reason = reason
        super().__init__(f"{check}: {reason}")


class PartialRead(ReadInterrupted):
    """A ``ReadInterrupted`` that keeps the bytes already read, so a later session can resume.

    Attributes:
        partial: the bytes read before the interruption (``offset`` is their length). They are
            personal data and never part of ``str()``.
    """

    def __init__(self, file: str, partial: bytes, reason: str) -> None:
        super().__init__(file, len(partial), reason)
        self.partial = partial


class CardReplaced(EmrtdError):
    """The card put back after a loss is not the card being read.

    Told by EF.SOD: its first chunk, read again after the new access, differs from the bytes
    already held (the UID cannot tell: eMRTDs randomise it); or by the keys that opened the
    card before and now prove wrong. Nothing held may be mixed with what the other card gives.

    Attributes:
        file: what differs: "EF.SOD", or "access key" when the keys no longer open the card.
    """

    def __init__(self, file: str) -> None:
        self.file = file
        super().__init__(f"the card put back is another card ({file} differs)")


class ReadLimitExceeded(ReadInterrupted):
    """A READ BINARY of ``size`` bytes was more than the reader carries; the session is broken.

    Raised once, while the largest safe size is being probed. ``limit`` is the largest size
    that went through; the next session reads with it and resumes where this one stopped.
    """

    def __init__(self, file: str, size: int, limit: int, reason: str) -> None:
        super().__init__(file, 0, f"{size} bytes refused ({reason})")
        self.size = size
        self.limit = limit
