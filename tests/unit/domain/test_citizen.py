from __future__ import annotations

import unicodedata
from dataclasses import FrozenInstanceError
from datetime import date

import pytest

from kiosk.domain.citizen import Citizen, IdNumberWarning, Sex, id_number_warnings
from kiosk.domain.validators import ValidationFailed

W = IdNumberWarning


def make(**changes: object) -> Citizen:
    values: dict[str, object] = {
        "id_number": "001090001234",
        "full_name": "Nguyễn Văn A",
        "date_of_birth": date(1990, 1, 1),
        "sex": Sex.MALE,
    }
    values.update(changes)
    return Citizen(**values)  # type: ignore[arg-type]


def test_texts_are_normalised_and_blanks_absent() -> None:
    citizen = make(
        full_name=unicodedata.normalize("NFD", "  Nguyễn  Văn A "),
        ethnicity="Kinh",
        religion="  ",
        father_name="",
        place_of_residence="Số 1,\nPhường Ba Đình",
    )
    assert citizen.full_name == "Nguyễn Văn A"
    assert unicodedata.is_normalized("NFC", citizen.full_name)
    assert citizen.ethnicity == "Kinh"
    assert citizen.religion is None
    assert citizen.father_name is None
    assert citizen.place_of_residence == "Số 1, Phường Ba Đình"
    assert citizen.nationality == "Việt Nam"


def test_sex_stays_an_enum() -> None:
    assert make(sex=Sex.FEMALE).sex is Sex.FEMALE
    assert make(sex="F").sex is Sex.FEMALE


def test_frozen() -> None:
    with pytest.raises(FrozenInstanceError):
        make().full_name = "X"  # type: ignore[misc]


def test_lifetime_and_dates() -> None:
    citizen = make(date_of_issue=date(2021, 7, 1), lifetime=True)
    assert citizen.lifetime
    assert citizen.date_of_expiry is None
    dated = make(date_of_issue=date(2021, 7, 1), date_of_expiry=date(2030, 1, 1))
    assert dated.date_of_expiry == date(2030, 1, 1)
    assert make(date_of_expiry=date(2030, 1, 1)).date_of_issue is None


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"id_number": "12345"}, "id_number", "id_number_format"),
        ({"full_name": " "}, "full_name", "required"),
        ({"sex": "X"}, "sex", "sex_value"),
        ({"sex": "Nữ"}, "sex", "sex_value"),
        ({"full_name": "A" * 501}, "full_name", "text_invalid"),
        ({"religion": "Không\x07"}, "religion", "text_invalid"),
        (
            {"lifetime": True, "date_of_expiry": date(2030, 1, 1)},
            "date_of_expiry",
            "lifetime_with_expiry",
        ),
        ({"date_of_issue": date(1989, 12, 31)}, "date_of_issue", "before_birth"),
        (
            {"date_of_issue": date(2021, 7, 1), "date_of_expiry": date(2021, 7, 1)},
            "date_of_expiry",
            "not_after_issue",
        ),
    ],
)
def test_refused(changes: dict[str, object], field: str, rule: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        make(**changes)
    assert caught.value.params == {"field": field, "rule": rule}


@pytest.mark.parametrize(
    ("number", "born", "sex", "warnings"),
    [
        ("001090001234", date(1990, 1, 1), Sex.MALE, ()),
        ("001190001234", date(1990, 1, 1), Sex.FEMALE, ()),
        ("079205000001", date(2005, 3, 1), Sex.MALE, ()),
        ("079305000001", date(2005, 3, 1), Sex.FEMALE, ()),
        ("001090001234", date(1991, 1, 1), Sex.MALE, (W.BIRTH_YEAR_MISMATCH,)),
        ("001090001234", date(1990, 1, 1), Sex.FEMALE, (W.SEX_MISMATCH,)),
        ("001290001234", date(1990, 1, 1), Sex.MALE, (W.BIRTH_YEAR_MISMATCH,)),  # 2090
        ("001390001234", date(1990, 1, 1), Sex.MALE, (W.BIRTH_YEAR_MISMATCH, W.SEX_MISMATCH)),
    ],
)
def test_id_number_structure_only_warns(
    number: str, born: date, sex: Sex, warnings: tuple[IdNumberWarning, ...]
) -> None:
    assert id_number_warnings(number, born, sex) == warnings
    assert make(id_number=number, date_of_birth=born, sex=sex).structure_warnings == warnings
