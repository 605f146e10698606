"""Check digits, TD1 MRZ parsing (facts 1.2 synthetic CCCD) and the MRZ and CAN keys."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.emrtd.errors import MalformedData
from kiosk.emrtd.keys import (
    CANKey,
    MRZKey,
    birth_date,
    check_digit,
    expiry_date,
    parse_td1,
)

TODAY = dt.date(2026, 11, 27)
# facts/cccd.md §1.2: synthetic CCCD, ID 001090001234, born 1990-01-01, expiry 2030-01-01.
LINE1 = "IDVNM0900012345001090001234<<6"
LINE2 = "9001011M3001019VNM<<<<<<<<<<<8"
LINE3 = "NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<"
SAMPLE = f"{LINE1}\n{LINE2}\n{LINE3}"


@pytest.mark.parametrize(
    ("text", "digit"),
    [("L898902C<", "3"), ("690806", "1"), ("940623", "6"), ("", "0"), ("AZ<09", "2")],
)
def test_check_digit_icao_9303_3(text: str, digit: str) -> None:
    assert check_digit(text) == digit


def test_check_digit_refuses_other_characters() -> None:
    with pytest.raises(MalformedData, match="character"):
        check_digit("ab")


def test_parse_facts_1_2_synthetic_cccd() -> None:
    mrz = parse_td1(SAMPLE, today=TODAY)
    assert mrz.document_code == "ID"
    assert mrz.issuing_state == "VNM"
    assert mrz.document_number == "090001234"
    assert mrz.id_number == "001090001234"
    assert mrz.date_of_birth == dt.date(1990, 1, 1)
    assert mrz.sex == "M"
    assert mrz.date_of_expiry == dt.date(2030, 1, 1)
    assert mrz.nationality == "VNM"
    assert (mrz.surname, mrz.given_names) == ("NGUYEN", "VAN A")
    assert mrz.warnings == ()


def test_parse_run_together_and_padded_text() -> None:
    assert parse_td1(f"  {LINE1}{LINE2}{LINE3}\n", today=TODAY) == parse_td1(SAMPLE, today=TODAY)
    assert parse_td1(f"{LINE1}\r\n{LINE2}\r\n{LINE3}", today=TODAY).id_number == "001090001234"


def test_repr_holds_no_personal_data() -> None:
    text = repr(parse_td1(SAMPLE, today=TODAY)) + repr(MRZKey("090001234", TODAY, TODAY))
    assert "0900" not in text
    assert "NGUYEN" not in text
    assert "1990" not in text
    assert "123" not in repr(CANKey("123456"))


def _replace(line: str, position: int, char: str) -> str:
    return line[:position] + char + line[position + 1 :]


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ((_replace(LINE1, 14, "4"), LINE2, LINE3), "document_number"),
        ((LINE1, _replace(LINE2, 6, "2"), LINE3), "date_of_birth"),
        ((LINE1, _replace(LINE2, 14, "0"), LINE3), "date_of_expiry"),
        ((LINE1, _replace(LINE2, 29, "9"), LINE3), "composite"),
    ],
)
def test_bad_check_digit_names_the_field(lines: tuple[str, str, str], field: str) -> None:
    with pytest.raises(MalformedData, match=f"check digit of {field} does not match") as caught:
        parse_td1("\n".join(lines), today=TODAY)
    assert "090001234" not in str(caught.value)


def test_bad_position_30_is_only_a_warning() -> None:
    # Changing position 30 also changes the composite check digit, recomputed here.
    line1 = _replace(LINE1, 29, "0")
    composite = check_digit(line1[5:30] + LINE2[0:7] + LINE2[8:15] + LINE2[18:29])
    mrz = parse_td1("\n".join((line1, _replace(LINE2, 29, composite), LINE3)), today=TODAY)
    assert mrz.warnings == ("line 1 position 30 is not the check digit of the 12-digit ID",)


def test_document_number_not_from_the_id_is_a_warning() -> None:
    line1 = _replace(LINE1, 13, "5")  # document number 090001235
    line1 = _replace(line1, 14, check_digit(line1[5:14]))
    composite = check_digit(line1[5:30] + LINE2[0:7] + LINE2[8:15] + LINE2[18:29])
    mrz = parse_td1("\n".join((line1, _replace(LINE2, 29, composite), LINE3)), today=TODAY)
    assert mrz.warnings == ("document number is not the last 9 digits of the 12-digit ID",)


def test_other_td1_has_no_id_number_and_no_cccd_warnings() -> None:
    # ICAO 9303-5 style sample with alphanumeric optional data, check digits computed here.
    line1 = "I<UTOD231458907ABC<<<<<<<<<<<<"
    line2 = "7408122F1204159UTO<<<<<<<<<<<"
    line2 += check_digit(line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29])
    mrz = parse_td1(f"{line1}\n{line2}\nERIKSSON<<ANNA<MARIA<<<<<<<<<<", today=TODAY)
    assert mrz.id_number is None
    assert mrz.document_code == "I"
    assert mrz.sex == "F"
    assert mrz.date_of_birth == dt.date(1974, 8, 12)
    assert mrz.date_of_expiry == dt.date(2012, 4, 15)
    assert mrz.warnings == ()


def test_unspecified_sex_is_x() -> None:
    line2 = _replace(LINE2, 7, "<")
    line2 = _replace(line2, 29, check_digit(LINE1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]))
    assert parse_td1(f"{LINE1}\n{line2}\n{LINE3}", today=TODAY).sex == "X"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (f"{LINE1}\n{LINE2}", "three lines"),
        (f"{LINE1}\n{LINE2}\n{LINE3}<", "three lines"),
        (f"{LINE1}\n{LINE2}\n{LINE3.replace('N', 'n', 1)}", "character"),
        (f"{LINE1}\n{_replace(LINE2, 7, 'Z')}\n{LINE3}", "sex"),
    ],
)
def test_malformed_layout(text: str, reason: str) -> None:
    with pytest.raises(MalformedData, match=reason):
        parse_td1(text, today=TODAY)


def test_invalid_date_names_the_field() -> None:
    line2 = f"901301{check_digit('901301')}M3001019VNM<<<<<<<<<<<"  # month 13
    line2 += check_digit(LINE1[5:30] + line2[0:7] + line2[8:15] + line2[18:29])
    with pytest.raises(MalformedData, match="date_of_birth is not a valid"):
        parse_td1(f"{LINE1}\n{line2}\n{LINE3}", today=TODAY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("261127", dt.date(2026, 11, 27)),
        ("261128", dt.date(1926, 11, 28)),
        ("900101", dt.date(1990, 1, 1)),
    ],
)
def test_birth_dates_are_not_after_today(text: str, expected: dt.date) -> None:
    assert birth_date(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("760101", dt.date(2076, 1, 1)),
        ("770101", dt.date(1977, 1, 1)),
        ("991231", dt.date(1999, 12, 31)),
        ("300101", dt.date(2030, 1, 1)),
    ],
)
def test_expiry_dates_in_the_window(text: str, expected: dt.date) -> None:
    assert expiry_date(text, TODAY) == expected


def test_mrz_information_icao_app_d1() -> None:
    key = MRZKey("L898902C", dt.date(1969, 8, 6), dt.date(1994, 6, 23))
    assert key.mrz_information == "L898902C<369080619406236"


def test_mrz_key_from_id_number_facts_5_5() -> None:
    key = MRZKey.from_id_number("001090001234", dt.date(1990, 1, 1), dt.date(2030, 1, 1))
    assert key.document_number == "090001234"
    assert key.mrz_information == "090001234590010113001019"
    assert MRZKey.from_td1(parse_td1(SAMPLE, today=TODAY)) == key


def test_long_document_number_keeps_every_character() -> None:
    key = MRZKey("D23145890734", dt.date(1974, 8, 12), dt.date(2012, 4, 15))
    assert key.mrz_information == "D23145890734" + "9" + "7408122" + "1204159"


@pytest.mark.parametrize("number", ["", "0900<1234", "09000123a"])
def test_mrz_key_refuses_a_bad_document_number(number: str) -> None:
    with pytest.raises(MalformedData, match="document number"):
        MRZKey(number, TODAY, TODAY)


@pytest.mark.parametrize("id_number", ["00109000123", "00109000123X", "\uff10" * 12])
def test_bad_id_numbers_are_refused(id_number: str) -> None:
    with pytest.raises(MalformedData, match="ID number must be 12 digits"):
        MRZKey.from_id_number(id_number, TODAY, TODAY)
    with pytest.raises(MalformedData, match="ID number must be 12 digits"):
        CANKey.from_id_number(id_number)


def test_can_key() -> None:
    assert CANKey.from_id_number("001090001234") == CANKey("001234")
    with pytest.raises(MalformedData, match="CAN must be 6 digits"):
        CANKey("12345")
