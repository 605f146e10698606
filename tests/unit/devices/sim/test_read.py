"""A full BAC + secure-messaging read of the simulated CCCD through the emrtd library itself."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date

import pytest

from kiosk.devices.sim import citizens
from kiosk.devices.sim.chip.os import ChipOS
from kiosk.devices.sim.chip.profile import CardProfile, td1_mrz
from kiosk.emrtd import bac, files
from kiosk.emrtd.auth.passive import verify_passive
from kiosk.emrtd.auth.trust import TrustStore
from kiosk.emrtd.auth.verdict import Verdict
from kiosk.emrtd.errors import SecurityStatusNotSatisfied
from kiosk.emrtd.files import EF_COM, EF_SOD, ReadSettings, data_group
from kiosk.emrtd.keys import MRZKey, parse_td1
from kiosk.emrtd.lds import com, dg1, dg2, dg13, sod
from kiosk.emrtd.lds.dg2 import ImageDataType
from kiosk.emrtd.sm import SecureChannel

TODAY = date(2026, 11, 27)
FACTS_MRZ = (
    "IDVNM0900012345001090001234<<69001011M3001019VNM<<<<<<<<<<<8NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<"
)
"""The synthetic CCCD MRZ of facts/cccd.md §1.2."""

SETTINGS = {
    "short": ReadSettings(),
    "extended": ReadSettings(extended_length=True),
    "short-sfi": ReadSettings(use_sfi=True),
    "odd-chunks": ReadSettings(chunk_size=97),
}

ProfileFactory = Callable[..., CardProfile]


def open_channel(chip: ChipOS, key: MRZKey) -> SecureChannel:
    return bac.run_bac(chip, key).secure_channel(chip)


def served(profile: CardProfile, fid: int) -> bytes:
    """The bytes the chip serves for the EF ``fid`` of the eMRTD application."""
    ef = profile.files.applications[0].by_fid(fid)
    assert ef is not None
    return ef.content


def read_all(channel: SecureChannel, settings: ReadSettings) -> dict[str, bytes]:
    wanted = (EF_COM, EF_SOD, data_group(1), data_group(2), data_group(13))
    return {ef.name: files.read_file(channel, ef, settings=settings) for ef in wanted}


def test_mrz_of_the_facts_citizen_is_the_facts_mrz_byte_for_byte() -> None:
    assert td1_mrz(citizens.find("001090001234").citizen) == FACTS_MRZ


def test_bac_key_of_the_facts_citizen_matches_the_facts_vector(
    make_profile: ProfileFactory,
) -> None:
    # facts/cccd.md §5.5: MRZ information and K_enc/K_mac of the synthetic CCCD.
    key = make_profile().access_key
    assert key.mrz_information == "090001234590010113001019"
    keys = bac.derive_bac_keys(key)
    assert keys.k_enc.hex().upper() == "B63DDF672946E9B304B3A7EF159BA894"
    assert keys.k_mac.hex().upper() == "4016D5FB2CEC2CAE3715C46415018CCD"


@pytest.mark.parametrize("settings", SETTINGS.values(), ids=SETTINGS.keys())
def test_full_read_parses_and_passive_authentication_is_valid(
    make_profile: ProfileFactory, trust: TrustStore, settings: ReadSettings
) -> None:
    profile = make_profile()
    read = read_all(open_channel(ChipOS(profile), profile.access_key), settings)

    assert com.parse(read["EF.COM"]).data_groups == (1, 2, 3, 13, 14, 15)
    mrz = parse_td1(dg1.parse(read["DG1"]).mrz, today=TODAY)
    assert (mrz.document_number, mrz.id_number, mrz.warnings) == ("090001234", "001090001234", ())
    details = dg13.parse(read["DG13"])
    assert details.full_name == "Nguyễn Văn A"
    assert details.place_of_residence == "Số 1, Phường Ba Đình, Hà Nội"
    assert (details.sex, details.nationality) == ("Nam", "Việt Nam")
    portrait = dg2.parse(read["DG2"]).portrait
    assert portrait.image_data_type is ImageDataType.JPEG
    assert (portrait.width, portrait.height) == (300, 400)
    assert portrait.image == citizens.find("001090001234").portrait_bytes()
    assert len(read["DG2"]) > 15_000
    groups = {1: read["DG1"], 2: read["DG2"], 13: read["DG13"]}
    result = verify_passive(read["EF.SOD"], groups, trust, issued_on=date(2021, 7, 1), today=TODAY)
    assert result.verdict is Verdict.VALID, result.reasons


@pytest.mark.parametrize("record", citizens.list_citizens(), ids=lambda r: r.citizen.id_number)
def test_every_demo_citizen_reads_back_as_stored(
    make_profile: ProfileFactory, trust: TrustStore, record: citizens.CitizenRecord
) -> None:
    citizen = record.citizen
    profile = make_profile(citizen.id_number)
    read = read_all(open_channel(ChipOS(profile), profile.access_key), ReadSettings())

    details = dg13.parse(read["DG13"])
    assert details.id_number == citizen.id_number
    assert details.full_name == citizen.full_name
    assert details.date_of_birth is not None
    assert details.date_of_birth.value == citizen.date_of_birth
    assert details.date_of_expiry is not None
    assert details.date_of_expiry.value == citizen.date_of_expiry
    assert (details.father_name, details.mother_name) == (citizen.father_name, citizen.mother_name)
    assert details.spouse_name == citizen.spouse_name
    mrz = parse_td1(dg1.parse(read["DG1"]).mrz, today=TODAY)
    assert MRZKey.from_td1(mrz) == profile.access_key
    groups = {1: read["DG1"], 2: read["DG2"], 13: read["DG13"]}
    result = verify_passive(
        read["EF.SOD"], groups, trust, issued_on=citizen.date_of_issue, today=TODAY
    )
    assert result.verdict is Verdict.VALID, result.reasons


def test_sod_hashes_every_data_group_the_chip_lists_including_the_unreadable_dg3(
    make_profile: ProfileFactory,
) -> None:
    profile = make_profile()
    security_object = sod.parse(served(profile, EF_SOD.fid))
    listed = com.parse(served(profile, EF_COM.fid)).data_groups
    assert sorted(security_object.data_group_hashes) == list(listed)
    for number in listed:
        content = served(profile, data_group(number).fid)
        assert security_object.data_group_hashes[number] == hashlib.sha256(content).digest()


def test_dg3_is_refused_without_terminal_authentication(make_profile: ProfileFactory) -> None:
    profile = make_profile()
    channel = open_channel(ChipOS(profile), profile.access_key)
    with pytest.raises(SecurityStatusNotSatisfied):
        files.read_file(channel, data_group(3))
    assert files.read_file(channel, data_group(1))  # a protected 6982: the session goes on
