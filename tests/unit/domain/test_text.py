from __future__ import annotations

import unicodedata

import pytest

from kiosk.domain.text import ascii_fold, name_key, normalise


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def test_normalise_is_nfc_and_single_spaced() -> None:
    assert normalise(nfd("  Nguyễn\tVăn \n A ")) == "Nguyễn Văn A"
    assert normalise(nfd("Nguyễn")) == unicodedata.normalize("NFC", "Nguyễn")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("hòa", "hoà"),
        ("Hóa", "Hoá"),
        ("Thủy", "Thuỷ"),
        ("thụy", "thuỵ"),
        ("khỏe", "khoẻ"),
        ("Xòe", "Xoè"),
        ("tùy", "tuỳ"),
        ("Lũy", "Luỹ"),
        ("Nguyễn Thị Hòa", "NGUYỄN THỊ HOÀ"),
        ("hoàng", "hòang"),  # closed syllable: the last vowel in both styles
        ("Quý", "Qúy"),  # the u of "qu" is not a vowel of the rhyme
        ("người", "ngừơi"),  # ươ: the tone goes on ơ
        ("ngoài", "ngòai"),  # three vowels: the middle one
        ("khuỷu", "khủyu"),
    ],
)
def test_tone_mark_styles_compare_equal(old: str, new: str) -> None:
    assert name_key(old) == name_key(new)
    assert name_key(nfd(old)) == name_key(new)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Hòa", "hoà"),
        ("THỦY", "thuỷ"),
        ("Mùa", "mùa"),  # open "ua" is not one of oa/oe/uy: first vowel
        ("gìn giữ", "gìn giữ"),  # gi + consonant keeps i; gi + vowel skips it
        ("Quỳnh", "quỳnh"),
        ("Nguyễn", "nguyễn"),
        ("Anh", "anh"),  # no tone mark
        ("B. Đ.", "b. đ."),  # no vowel at all
        ("hóà", "hóà"),  # two tone marks: malformed, left alone
        ("hm\u0300", "hm\u0300"),  # a tone mark but no vowel: left alone
        ("", ""),
    ],
)
def test_name_key(name: str, key: str) -> None:
    assert name_key(name) == unicodedata.normalize("NFC", key)


def test_different_tones_stay_different() -> None:
    assert name_key("Hòa") != name_key("Hóa")
    assert name_key("Hoa") != name_key("Hòa")


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Nguyễn Văn Đức", "Nguyen Van Duc"),
        ("đặng thị hoà", "dang thi hoa"),
        (nfd("Trần Thuỷ"), "Tran Thuy"),
        ("Ư Ơ Ă Â Ê Ô", "U O A A E O"),
    ],
)
def test_ascii_fold(text: str, folded: str) -> None:
    assert ascii_fold(text) == folded
