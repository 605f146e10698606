"""Command and response APDUs with short and extended length encoding (ISO/IEC 7816-4 §5.1).

The four command cases are chosen from the values present: no data and no Le (case 1), Le only
(case 2), data only (case 3), both (case 4). Extended length is used when a value does not fit
the short form, or when the caller asks for it. Parsing from bytes accepts exactly the encodings
this module writes, so ``from_bytes(raw).to_bytes() == raw`` for every accepted ``raw``; any
other input is ``MalformedData``, because a simulated chip parses terminal bytes with it and a
terminal parses chip bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.emrtd.errors import MalformedData

SHORT_MAX_DATA = 255
SHORT_MAX_LE = 256
EXTENDED_MAX_DATA = 65535
EXTENDED_MAX_LE = 65536


@dataclass(frozen=True, slots=True)
class CommandAPDU:
    """One command to the card.

    Attributes:
        cla, ins, p1, p2: the header bytes.
        data: the command data field (Lc is its length); not shown by ``repr``, since it can
            hold key material or personal data.
        le: the number of response bytes expected, 1 to 65536, or None when no Le is sent.
            256 is written as ``00`` in the short form, 65536 as ``0000`` in the extended form.
        extended: whether extended length fields are used; pass True to force them where the
            short form would fit. It becomes True by itself when a value needs it, and stays
            False for case 1.
    """

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = field(default=b"", repr=False)
    le: int | None = None
    extended: bool = False

    def __post_init__(self) -> None:
        if any(not 0 <= b <= 0xFF for b in (self.cla, self.ins, self.p1, self.p2)):
            raise ValueError("header bytes must be 0..255")
        if len(self.data) > EXTENDED_MAX_DATA:
            raise ValueError("command data longer than 65535 bytes")
        if self.le is not None and not 1 <= self.le <= EXTENDED_MAX_LE:
            raise ValueError("Le must be 1..65536")
        # Normalised so that equal encodings compare equal: a case 1 APDU has no length field
        # to extend, and an oversized value forces the extended form.
        too_long = len(self.data) > SHORT_MAX_DATA or (self.le or 0) > SHORT_MAX_LE
        has_length = bool(self.data) or self.le is not None
        object.__setattr__(self, "extended", (self.extended and has_length) or too_long)

    def to_bytes(self) -> bytes:
        """The APDU as sent on the wire."""
        header = bytes((self.cla, self.ins, self.p1, self.p2))
        if self.extended:
            return header + self._extended_body()
        lc = bytes((len(self.data),)) + self.data if self.data else b""
        le = bytes((self.le % SHORT_MAX_LE,)) if self.le is not None else b""
        return header + lc + le

    def _extended_body(self) -> bytes:
        lc = len(self.data).to_bytes(2, "big") + self.data if self.data else b""
        le = (self.le % EXTENDED_MAX_LE).to_bytes(2, "big") if self.le is not None else b""
        return b"\x00" + lc + le

    @classmethod
    def from_bytes(cls, raw: bytes) -> CommandAPDU:
        """Parse a command APDU; anything but a well-formed case 1-4 encoding is refused."""
        if len(raw) < 4:
            raise MalformedData("command APDU", "shorter than the 4-byte header")
        cla, ins, p1, p2 = raw[:4]
        body = raw[4:]
        if not body:
            return cls(cla, ins, p1, p2)
        if body[0] or len(body) == 1:
            data, le = _parse_short(body)
            return cls(cla, ins, p1, p2, data, le)
        data, le = _parse_extended(body)
        return cls(cla, ins, p1, p2, data, le, extended=True)


def _parse_short(body: bytes) -> tuple[bytes, int | None]:
    if len(body) == 1:
        return b"", body[0] or SHORT_MAX_LE
    lc = body[0]
    if len(body) == 1 + lc:
        return body[1:], None
    if len(body) == 2 + lc:
        return body[1:-1], body[-1] or SHORT_MAX_LE
    raise MalformedData("command APDU", "short Lc does not match the body length")


def _parse_extended(body: bytes) -> tuple[bytes, int | None]:
    if len(body) < 3:
        raise MalformedData("command APDU", "extended length field ended early")
    value = int.from_bytes(body[1:3], "big")
    if len(body) == 3:
        return b"", value or EXTENDED_MAX_LE
    if value == 0:
        raise MalformedData("command APDU", "extended Lc of zero")
    if len(body) == 3 + value:
        return body[3:], None
    if len(body) == 5 + value:
        return body[3:-2], int.from_bytes(body[-2:], "big") or EXTENDED_MAX_LE
    raise MalformedData("command APDU", "extended Lc does not match the body length")


@dataclass(frozen=True, slots=True)
class ResponseAPDU:
    """One response from the card: the data field and the two status bytes.

    The data is not shown by ``repr``: after access it holds personal data.
    """

    data: bytes = field(repr=False)
    sw1: int
    sw2: int

    def __post_init__(self) -> None:
        if not (0 <= self.sw1 <= 0xFF and 0 <= self.sw2 <= 0xFF):
            raise ValueError("status bytes must be 0..255")

    @property
    def sw(self) -> int:
        """The status word as one integer, for example 0x9000 or 0x6A82."""
        return (self.sw1 << 8) | self.sw2

    @classmethod
    def from_sw(cls, sw: int, data: bytes = b"") -> ResponseAPDU:
        """A response built from a status word integer (handy for chips and fakes)."""
        return cls(data, sw >> 8, sw & 0xFF)

    def to_bytes(self) -> bytes:
        """The response as received on the wire: data then SW1 SW2."""
        return self.data + bytes((self.sw1, self.sw2))

    @classmethod
    def from_bytes(cls, raw: bytes) -> ResponseAPDU:
        """Parse a response; fewer than two bytes is malformed."""
        if len(raw) < 2:
            raise MalformedData("response APDU", "shorter than the two status bytes")
        return cls(raw[:-2], raw[-2], raw[-1])
