"""Status words: what each means and which ``StatusWordError`` subclass it raises.

One table (pyscard's idea) so every command is checked the same way and the log and the user
message can name the meaning of a status word (ISO/IEC 7816-4 §5.6, ICAO 9303-11 §9.8.5).
"""

from __future__ import annotations

from kiosk.emrtd.apdu import ResponseAPDU
from kiosk.emrtd.errors import FileNotFound, SecurityStatusNotSatisfied, StatusWordError

SUCCESS = 0x9000

_TABLE: dict[int, tuple[str, type[StatusWordError]]] = {
    0x6281: ("part of the returned data may be corrupted", StatusWordError),
    0x6282: ("end of file reached before Le bytes", StatusWordError),
    0x6300: ("verification failed", StatusWordError),
    0x6581: ("memory failure", StatusWordError),
    0x6700: ("wrong length", StatusWordError),
    0x6882: ("secure messaging not supported", StatusWordError),
    0x6982: ("security status not satisfied", SecurityStatusNotSatisfied),
    0x6983: ("authentication method blocked", StatusWordError),
    0x6984: ("reference data not usable", StatusWordError),
    0x6985: ("conditions of use not satisfied", StatusWordError),
    0x6986: ("command not allowed (no current EF)", StatusWordError),
    0x6987: ("expected secure messaging data objects missing", StatusWordError),
    0x6988: ("secure messaging data objects incorrect", StatusWordError),
    0x6A80: ("incorrect parameters in the data field", StatusWordError),
    0x6A82: ("file or application not found", FileNotFound),
    0x6A86: ("incorrect parameters P1-P2", StatusWordError),
    0x6A88: ("referenced data not found", StatusWordError),
    0x6B00: ("wrong parameters (offset outside the EF)", StatusWordError),
    0x6D00: ("instruction not supported", StatusWordError),
    0x6E00: ("class not supported", StatusWordError),
    0x6F00: ("no precise diagnosis", StatusWordError),
}

_RANGES: dict[int, str] = {
    0x61: "more response bytes available",
    0x63: "verification failed, counter in the low nibble",
    0x6C: "wrong Le, exact length in SW2",
}


def describe(sw: int) -> str:
    """A short English meaning of ``sw`` for logs and errors ("" when unknown)."""
    if sw == SUCCESS:
        return "success"
    if sw in _TABLE:
        return _TABLE[sw][0]
    return _RANGES.get(sw >> 8, "")


def error_for(sw: int, command: str) -> StatusWordError:
    """The exception to raise when ``command`` was answered with ``sw``."""
    kind = _TABLE.get(sw, ("", StatusWordError))[1]
    return kind(sw, command, describe(sw))


def check(response: ResponseAPDU, command: str) -> bytes:
    """Return the response data when the card answered 9000, else raise the matching error.

    Args:
        response: the card's answer.
        command: a short command name for the error ("SELECT", "READ BINARY", ...).

    Raises:
        StatusWordError: or its subclass for the status word (FileNotFound for 6A82, ...).
    """
    if response.sw != SUCCESS:
        raise error_for(response.sw, command)
    return response.data
