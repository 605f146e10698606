"""EF.DG13 of the Vietnamese CCCD: the holder's details in Vietnamese, fields numbered 1-16.

Not an ICAO structure: DG13 is reserved for optional details (ICAO 9303-10 §4.7.13), and
Vietnam fills it as ``6D { 30 { INTEGER 1, OID 1.0.10646.1.0.8 (UTF-8), SET { 30 { INTEGER n,
value } ... } } }`` (facts/cccd.md §2). Fields are found by their number, never by position,
and the known variants are tolerated: field 13 as two wrapped SEQUENCEs or one SEQUENCE of two
strings, field 14 empty or ``SEQUENCE { UTF8String }``. A field whose shape is not understood is
kept raw in ``unknown`` rather than failing the whole read. Text is returned in Unicode NFC.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from kiosk.emrtd import tlv
from kiosk.emrtd.errors import MalformedData
from kiosk.emrtd.lds import der

TAG_DG13 = 0x6D
UTF8_ENCODING_OID = "1.0.10646.1.0.8"
"""ISO/IEC 10646 UTF-8 encoding form, the OID every CCCD DG13 names (facts §2.1)."""

LIFETIME_TEXT = "Không thời hạn"
"""Field 12 of a card without expiry ("no time limit"), expected per facts §7 item 6."""

_STRING_TAGS = {der.TAG_UTF8_STRING, der.TAG_PRINTABLE_STRING, der.TAG_IA5_STRING}
_DATE_PATTERN = re.compile(r"([0-9]{2})/([0-9]{2})/([0-9]{4})")
_MULTI_VALUED = {13: 2, 14: 1}
"""Fields holding a list of names, and the most names each may hold (father and mother; spouse)."""

_PRINTABLE_FIELDS = frozenset({1, 3, 11, 15, 16})
"""Fields a CCCD encodes as PrintableString (facts §2.2); all others are UTF8String."""

_Slots = list[str | None]


@dataclass(frozen=True, slots=True)
class CardDate:
    """A date as the card prints it, and its value when it has the form ``dd/MM/yyyy``.

    The format on real cards is inferred, not confirmed (facts §7 item 5), so the text is always
    kept and ``value`` is None for anything else.
    """

    text: str
    value: date | None


@dataclass(frozen=True, slots=True)
class DG13File:
    """The decoded DG13: every field is None when the card omits it. Personal data: never log.

    Attributes:
        id_number: field 1, the 12-digit personal identification number.
        father_name, mother_name: field 13, first and second name held there.
        spouse_name: field 14.
        old_id_number: field 15, the 9-digit CMND number or another document's number.
        field_16: field 16, a 16-character string of unknown meaning (facts §2.2).
        unknown: fields not understood, as (number, the encoded data objects after the number).
    """

    id_number: str | None = None
    full_name: str | None = None
    date_of_birth: CardDate | None = None
    sex: str | None = None
    nationality: str | None = None
    ethnicity: str | None = None
    religion: str | None = None
    place_of_origin: str | None = None
    place_of_residence: str | None = None
    identifying_features: str | None = None
    date_of_issue: CardDate | None = None
    date_of_expiry: CardDate | None = None
    father_name: str | None = None
    mother_name: str | None = None
    spouse_name: str | None = None
    old_id_number: str | None = None
    field_16: str | None = None
    unknown: tuple[tuple[int, bytes], ...] = ()

    @property
    def is_lifetime(self) -> bool:
        """Whether field 12 says the card never expires (then it carries no expiry date)."""
        return self.date_of_expiry is not None and self.date_of_expiry.text == LIFETIME_TEXT


def parse(data: bytes) -> DG13File:
    """Decode DG13; only the envelope is strict, odd fields land in ``DG13File.unknown``."""
    known, unknown = _fields(_field_set(data))
    parents = known.get(13, [])
    return DG13File(
        id_number=_text(known, 1),
        full_name=_text(known, 2),
        date_of_birth=_date(known, 3),
        sex=_text(known, 4),
        nationality=_text(known, 5),
        ethnicity=_text(known, 6),
        religion=_text(known, 7),
        place_of_origin=_text(known, 8),
        place_of_residence=_text(known, 9),
        identifying_features=_text(known, 10),
        date_of_issue=_date(known, 11),
        date_of_expiry=_date(known, 12),
        father_name=parents[0] if parents else None,
        mother_name=parents[1] if len(parents) > 1 else None,
        spouse_name=next(iter(known.get(14, [])), None),
        old_id_number=_text(known, 15),
        field_16=_text(known, 16),
        unknown=tuple(unknown),
    )


def parse_date(text: str) -> CardDate:
    """Read a card date: ``dd/MM/yyyy`` gets a value, any other text keeps only its text."""
    match = _DATE_PATTERN.fullmatch(text)
    if match is None:
        return CardDate(text, None)
    day, month, year = (int(part) for part in match.groups())
    try:
        return CardDate(text, date(year, month, day))
    except ValueError:
        return CardDate(text, None)


def _field_set(data: bytes) -> list[tlv.TLV]:
    content = tlv.decode(data, TAG_DG13).child(der.TAG_SEQUENCE).children()
    if [item.tag for item in content] != [der.TAG_INTEGER, der.TAG_OID, der.TAG_SET]:
        raise MalformedData("DG13", "expected version, encoding and field set")
    return content[2].children()


def _fields(items: list[tlv.TLV]) -> tuple[dict[int, _Slots], list[tuple[int, bytes]]]:
    known: dict[int, _Slots] = {}
    unknown: list[tuple[int, bytes]] = []
    for item in items:
        number, values = _field(item)
        try:
            slots = _slots(values)
        except _IrregularFieldError:
            slots = None
        if number in known or slots is None or not _fits(number, slots):
            unknown.append((number, b"".join(tlv.encode(v.tag, v.value) for v in values)))
        else:
            known[number] = slots
    return known, unknown


def _field(item: tlv.TLV) -> tuple[int, list[tlv.TLV]]:
    children = item.children() if item.tag == der.TAG_SEQUENCE else []
    if not children or children[0].tag != der.TAG_INTEGER:
        raise MalformedData("DG13", "field is not SEQUENCE { INTEGER, value }", item.offset)
    return der.decode_integer(children[0].value, "DG13"), children[1:]


def _fits(number: int, slots: _Slots) -> bool:
    if number in _MULTI_VALUED:
        return len(slots) <= _MULTI_VALUED[number]
    return 1 <= number <= 16 and len(slots) == 1 and slots[0] is not None


class _IrregularFieldError(Exception):
    """A field value of a shape this parser does not understand; the field is kept raw."""


def _slots(values: list[tlv.TLV]) -> _Slots:
    """The names a field holds, one slot per string; an empty SEQUENCE is one empty slot."""
    slots: _Slots = []
    for value in values:
        if value.tag == der.TAG_SEQUENCE:
            slots.extend([_string(child) for child in value.children()] or [None])
        else:
            slots.append(_string(value))
    return slots


def _string(item: tlv.TLV) -> str:
    if item.tag not in _STRING_TAGS:
        raise _IrregularFieldError
    codec = "utf-8" if item.tag == der.TAG_UTF8_STRING else "ascii"
    try:
        return unicodedata.normalize("NFC", item.value.decode(codec))
    except UnicodeDecodeError as err:
        raise _IrregularFieldError from err


def _text(known: dict[int, _Slots], number: int) -> str | None:
    slots = known.get(number)
    return slots[0] if slots else None


def _date(known: dict[int, _Slots], number: int) -> CardDate | None:
    text = _text(known, number)
    return None if text is None else parse_date(text)


def encode(dg13: DG13File) -> bytes:
    """Build DG13 in the form observed on CCCD cards (facts §2), as the simulated chip serves it.

    Fields are written in ascending number with the string types of facts §2.2, field 13 as one
    wrapped SEQUENCE per parent and field 14 always present (empty without a spouse).
    """
    fields = [(n, _encode_string(n, v)) for n, v in _single_values(dg13) if v is not None]
    if dg13.father_name is not None or dg13.mother_name is not None:
        fields.append((13, _encode_names(13, dg13.father_name, dg13.mother_name)))
    fields.append((14, _encode_names(14, dg13.spouse_name)))
    fields.extend(dg13.unknown)
    body = b"".join(
        der.sequence(der.encode_integer(n), raw) for n, raw in sorted(fields, key=_number)
    )
    header = der.encode_integer(1) + der.encode_oid(UTF8_ENCODING_OID)
    return tlv.encode(TAG_DG13, der.sequence(header, tlv.encode(der.TAG_SET, body)))


def _number(field: tuple[int, bytes]) -> int:
    return field[0]


def _single_values(dg13: DG13File) -> list[tuple[int, str | None]]:
    dates = [dg13.date_of_birth, dg13.date_of_issue, dg13.date_of_expiry]
    birth, issue, expiry = (None if d is None else d.text for d in dates)
    return [
        (1, dg13.id_number), (2, dg13.full_name), (3, birth), (4, dg13.sex),
        (5, dg13.nationality), (6, dg13.ethnicity), (7, dg13.religion),
        (8, dg13.place_of_origin), (9, dg13.place_of_residence),
        (10, dg13.identifying_features), (11, issue), (12, expiry),
        (15, dg13.old_id_number), (16, dg13.field_16),
    ]  # fmt: skip


def _encode_string(number: int, text: str) -> bytes:
    if number in _PRINTABLE_FIELDS:
        return tlv.encode(der.TAG_PRINTABLE_STRING, text.encode("ascii"))
    return tlv.encode(der.TAG_UTF8_STRING, text.encode("utf-8"))


def _encode_names(number: int, *names: str | None) -> bytes:
    present = [name for name in names if name is not None]
    if not present:
        return b""
    return b"".join(
        der.sequence(b"" if name is None else _encode_string(number, name)) for name in names
    )
