from __future__ import annotations

import unicodedata

import pytest

from kiosk.documents.crosscheck import Outcome, cross_check
from kiosk.documents.layouts import bhyt, cccd, gplx

QR = "079190001234||Lê Thị Hòa|05111990|Nữ|Số 5 Lê Lợi, TP Hồ Chí Minh|01072021"
CHIP = {
    "id_number": "079190001234",
    "full_name": "LÊ THỊ HOÀ",
    "date_of_birth": "1990-11-05",
    "sex": "F",
    "mrz": {"surname": "LE", "given_names": "THI HOA", "document_number": "190001234"},
}


def outcomes(chip: dict[str, object], text: str = QR) -> dict[str, Outcome]:
    result = cross_check(cccd.parse_qr(text), chip)
    return {check.field: check.outcome for check in result.checks}


def test_same_person_matches_on_every_field() -> None:
    result = cross_check(cccd.parse_qr(QR), CHIP)
    assert {c.field for c in result.checks} == {
        "full_name",
        "full_name_mrz",
        "date_of_birth",
        "sex",
        "id_number",
    }
    assert all(c.outcome is Outcome.MATCH for c in result.checks)
    assert result.mismatches == ()


@pytest.mark.parametrize(
    "chip_name",
    [
        "Lê Thị Hoà",
        "LÊ THỊ HÒA",
        "lê thị hoà",
        unicodedata.normalize("NFD", "Lê Thị Hoà"),
        "  Lê  Thị Hòa ",
    ],
)
def test_tone_mark_styles_case_and_forms_are_the_same_name(chip_name: str) -> None:
    assert outcomes({**CHIP, "full_name": chip_name})["full_name"] is Outcome.MATCH


def test_a_different_tone_is_a_different_name_with_both_values_listed() -> None:
    result = cross_check(cccd.parse_qr(QR), {**CHIP, "full_name": "Lê Thị Hỏa"})
    (mismatch,) = result.mismatches
    assert (mismatch.field, mismatch.document_value, mismatch.chip_value) == (
        "full_name",
        "Lê Thị Hòa",
        "Lê Thị Hỏa",
    )


def test_mrz_name_is_compared_without_diacritics() -> None:
    chip = {**CHIP, "mrz": {"surname": "LE", "given_names": "THI HUA"}}
    assert outcomes(chip)["full_name_mrz"] is Outcome.MISMATCH


def test_mrz_name_truncated_at_the_line_end_still_matches() -> None:
    long_name = "Tôn Nữ Hoàng Thị Thanh Xuân Nguyệt"
    text = f"079190001234||{long_name}|05111990|Nữ|addr|01072021"
    # SURNAME<<GIVEN<NAMES cut to 30 characters (ICAO 9303-3 truncation)
    mrz = {"surname": "TON", "given_names": "NU HOANG THI THANH XUAN N"}
    assert len("TON<<NU<HOANG<THI<THANH<XUAN<N") == 30
    assert (
        outcomes({**CHIP, "full_name": long_name, "mrz": mrz}, text)["full_name_mrz"]
        is Outcome.MATCH
    )
    short = {"surname": "TON", "given_names": "NU HOANG"}
    assert (
        outcomes({**CHIP, "full_name": long_name, "mrz": short}, text)["full_name_mrz"]
        is Outcome.MISMATCH
    )


def test_birth_sex_and_id_mismatches_list_both_values() -> None:
    chip = {**CHIP, "date_of_birth": "1990-11-06", "sex": "M", "id_number": "079190001235"}
    result = cross_check(cccd.parse_qr(QR), chip)
    found = {c.field: (c.document_value, c.chip_value) for c in result.mismatches}
    assert found == {
        "date_of_birth": ("1990-11-05", "1990-11-06"),
        "sex": ("F", "M"),
        "id_number": ("079190001234", "079190001235"),
    }


def test_missing_and_unreadable_chip_values_are_reported_not_skipped() -> None:
    chip = {"full_name": 42, "date_of_birth": "05/11/1990", "sex": "", "mrz": "garbage"}
    got = outcomes(chip)
    assert got == {
        "full_name": Outcome.INVALID_IN_CHIP,
        "full_name_mrz": Outcome.ABSENT_IN_CHIP,
        "date_of_birth": Outcome.INVALID_IN_CHIP,
        "sex": Outcome.INVALID_IN_CHIP,
        "id_number": Outcome.ABSENT_IN_CHIP,
    }


def bhyt_text(birth: str) -> str:
    name = "Lê Thị Hòa".encode().hex()
    return f"HC4790123456789|{name}|{birth}|2|{b'addr'.hex()}|79 - 014|01/01/2025|31/12/2025|a|b"


def test_bhyt_year_only_birth_is_compared_by_year() -> None:
    result = cross_check(bhyt.parse_qr(bhyt_text("1990")), CHIP)
    birth = next(c for c in result.checks if c.field == "date_of_birth")
    assert (birth.outcome, birth.rule) == (Outcome.MATCH, "year")
    other = cross_check(bhyt.parse_qr(bhyt_text("1991")), CHIP)
    assert [c.field for c in other.mismatches] == ["date_of_birth"]


def test_bhyt_has_no_id_number_and_says_so() -> None:
    result = cross_check(bhyt.parse_qr(bhyt_text("05/11/1990")), CHIP)
    got = {c.field: c.outcome for c in result.checks}
    assert got["id_number"] is Outcome.ABSENT_ON_DOCUMENT
    assert got["date_of_birth"] is Outcome.MATCH


def test_gplx_qr_content_is_not_interpreted_so_every_field_is_absent() -> None:
    result = cross_check(gplx.parse_qr("anything"), CHIP)
    assert {c.outcome for c in result.checks} == {Outcome.ABSENT_ON_DOCUMENT}
    assert {c.chip_value for c in result.checks if c.field == "id_number"} == {"079190001234"}
