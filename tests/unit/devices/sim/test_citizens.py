"""The demo citizens and the personality built from them."""

from __future__ import annotations

import dataclasses
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from kiosk.devices.sim import citizens
from kiosk.devices.sim.chip.profile import build_profile, jpeg_size, td1_mrz
from kiosk.domain.cccd import card_expiry
from kiosk.emrtd.keys import parse_td1

RECORDS = citizens.list_citizens()
ONE = """
id_number = "001185012345"
full_name = "Trần Thị Thu Hằng"
date_of_birth = 1985-06-15
sex = "F"
date_of_issue = 2023-08-20
date_of_expiry = 2045-06-15
portrait = "grace_hopper.portrait.jpg"
"""


def test_at_least_three_fictitious_citizens_with_vietnamese_diacritics() -> None:
    assert len(RECORDS) >= 3
    for record in RECORDS:
        name = record.citizen.full_name
        assert unicodedata.is_normalized("NFC", name)
        assert any(unicodedata.decomposition(c) for c in name), name


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.citizen.id_number)
def test_expiry_follows_the_renewal_rules(record: citizens.CitizenRecord) -> None:
    citizen = record.citizen
    assert citizen.date_of_issue is not None
    expiry = card_expiry(citizen.date_of_birth, citizen.date_of_issue)
    assert expiry.dates == (citizen.date_of_expiry,)
    assert not expiry.lifetime


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.citizen.id_number)
def test_mrz_parses_with_every_check_digit_and_the_cccd_layout(
    record: citizens.CitizenRecord,
) -> None:
    mrz = parse_td1(td1_mrz(record.citizen), today=date(2026, 11, 27))
    assert mrz.id_number == record.citizen.id_number
    assert mrz.document_number == record.citizen.id_number[3:]
    assert mrz.warnings == ()


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.citizen.id_number)
def test_portrait_is_a_small_jpeg_of_300_by_400(record: citizens.CitizenRecord) -> None:
    image = record.portrait_bytes()
    assert 15_000 <= len(image) <= 20_000
    assert jpeg_size(image) == (300, 400)


def test_find_by_id_number_and_by_path(tmp_path: Path) -> None:
    assert citizens.find("079197004321").citizen.full_name == "Huỳnh Thị Ngọc Ánh"
    path = tmp_path / "mine.toml"
    path.write_text(ONE, encoding="utf-8")
    record = citizens.find(str(path))
    assert (record.citizen.full_name, record.source) == ("Trần Thị Thu Hằng", str(path))
    with pytest.raises(LookupError):
        citizens.find("000000000000")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('sex = "F"', 'sex = "X"'), "X"),
        (("date_of_birth = 1985-06-15", 'date_of_birth = "15/06/1985"'), "date_of_birth"),
        (('portrait = "grace_hopper.portrait.jpg"', 'portrait = "nobody.jpg"'), "portrait"),
        (('id_number = "001185012345"', 'id_number = "12345"'), "id_number"),
        (('full_name = "Trần Thị Thu Hằng"', "full_name = 7"), "full_name"),
        (('sex = "F"', 'sex = "F"\nreligion = 3'), "religion"),
        (('sex = "F"', 'sex = = "F"'), "TOML"),
    ],
)
def test_bad_citizen_files_are_refused_naming_the_problem(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(ONE.replace(*change), encoding="utf-8")
    with pytest.raises(citizens.CitizenFileError, match=message):
        citizens.load_file(path)


def test_a_card_without_expiry_is_not_built(pki_folder: Path) -> None:
    # facts/cccd.md §1.2: a lifetime card's MRZ expiry is unconfirmed, so no BAC key exists.
    record = RECORDS[0]
    lifetime = dataclasses.replace(
        record, citizen=dataclasses.replace(record.citizen, date_of_expiry=None, lifetime=True)
    )
    with pytest.raises(ValueError, match="expiry"):
        build_profile(lifetime, pki_folder)


def test_jpeg_size_refuses_what_is_not_a_jpeg() -> None:
    with pytest.raises(ValueError, match="SOI"):
        jpeg_size(b"\x89PNG")
    with pytest.raises(ValueError, match="start-of-frame"):
        jpeg_size(b"\xff\xd8\xff\xe0\x00\x04ab")
