"""Each fault of the simulated chip has the effect its name promises, seen through the reader."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

import pytest

from kiosk.devices.sim.chip.faults import FAULTS, FORGED_RESIDENCE, Fault
from kiosk.devices.sim.chip.os import ChipOS
from kiosk.devices.sim.chip.profile import CardProfile
from kiosk.devices.sim.reader import SimulatedReader
from kiosk.emrtd import bac, files
from kiosk.emrtd.access import read_card_access
from kiosk.emrtd.apdu import CommandAPDU
from kiosk.emrtd.auth.passive import verify_passive
from kiosk.emrtd.auth.trust import TrustStore
from kiosk.emrtd.auth.verdict import Verdict
from kiosk.emrtd.errors import (
    CardRemoved,
    FileNotFound,
    MalformedData,
    PartialRead,
    SecureMessagingError,
    StatusWordError,
)
from kiosk.emrtd.files import EF_COM, EF_SOD, ReadSettings, data_group
from kiosk.emrtd.lds import dg13

TODAY = date(2026, 11, 27)
ISSUED = date(2021, 7, 1)

ProfileFactory = Callable[..., CardProfile]


def served(profile: CardProfile, fid: int) -> bytes:
    """The bytes the chip serves for the EF ``fid`` of the eMRTD application."""
    ef = profile.files.applications[0].by_fid(fid)
    assert ef is not None
    return ef.content


def read_groups(
    profile: CardProfile, settings: ReadSettings = files.DEFAULT_SETTINGS
) -> tuple[bytes, dict[int, bytes]]:
    chip = ChipOS(profile)
    channel = bac.run_bac(chip, profile.access_key).secure_channel(chip)
    sod = files.read_file(channel, EF_SOD, settings=settings)
    groups = {n: files.read_file(channel, data_group(n), settings=settings) for n in (1, 2, 13)}
    return sod, groups


def test_fault_names_are_the_stable_contract() -> None:
    # design.md, "Command line": printed by `kiosk card sim list`, in this order.
    assert FAULTS == (
        "bad-mac",
        "truncated-file",
        "removed-mid-read",
        "forged-sod",
        "unknown-signer",
        "no-extended-length",
        "clone-aa",
        "clone-ca",
        "no-pace",
        "no-emrtd",
    )


def test_a_card_without_the_emrtd_application_answers_6a82_to_its_selection(
    make_profile: ProfileFactory,
) -> None:
    profile = make_profile(fault=Fault.NO_EMRTD)
    chip = ChipOS(profile)
    with pytest.raises(FileNotFound) as refused:
        files.select_application(chip)
    assert refused.value.sw == 0x6A82
    with pytest.raises(FileNotFound):
        bac.run_bac(chip, profile.access_key)
    assert read_card_access(chip) is None
    assert not profile.pace


def test_bad_mac_makes_the_reader_drop_the_session(make_profile: ProfileFactory) -> None:
    profile = make_profile(fault=Fault.BAD_MAC)
    chip = ChipOS(profile)
    channel = bac.run_bac(chip, profile.access_key).secure_channel(chip)
    with pytest.raises(SecureMessagingError):
        files.read_file(channel, EF_COM)
    with pytest.raises(SecureMessagingError, match="closed"):
        files.read_file(channel, EF_COM)


def test_bad_mac_strikes_again_after_a_reset(make_profile: ProfileFactory) -> None:
    profile = make_profile(fault=Fault.BAD_MAC)
    chip = ChipOS(profile)
    for _ in range(2):
        chip.reset()
        channel = bac.run_bac(chip, profile.access_key).secure_channel(chip)
        with pytest.raises(SecureMessagingError):
            files.read_file(channel, data_group(1))


def test_truncated_file_ends_before_its_declared_length(make_profile: ProfileFactory) -> None:
    profile = make_profile(fault=Fault.TRUNCATED_FILE)
    chip = ChipOS(profile)
    channel = bac.run_bac(chip, profile.access_key).secure_channel(chip)
    assert files.read_file(channel, data_group(1))
    with pytest.raises(MalformedData) as raised:
        files.read_file(channel, data_group(2))
    assert raised.value.what == "DG2"


def test_removed_mid_read_pulls_the_card_during_dg2(make_profile: ProfileFactory) -> None:
    profile = make_profile(fault=Fault.REMOVED_MID_READ)
    reader = SimulatedReader(profile)
    session = reader.wait_for_card(1.0, threading.Event())
    channel = bac.run_bac(session.transport, profile.access_key).secure_channel(session.transport)
    assert files.read_file(channel, data_group(1))
    with pytest.raises(PartialRead) as raised:
        files.read_file(channel, data_group(2))
    dg2_size = len(served(profile, data_group(2).fid))
    assert (raised.value.file, 0 < raised.value.offset <= dg2_size // 2) == ("DG2", True)
    assert not reader.is_present
    with pytest.raises(CardRemoved):
        session.transport.transmit(CommandAPDU(0x00, 0xA4, 0x04, 0x0C, files.APPLICATION_AID))


def test_forged_sod_fails_passive_authentication_naming_dg13(
    make_profile: ProfileFactory, trust: TrustStore
) -> None:
    sod, groups = read_groups(make_profile(fault=Fault.FORGED_SOD))
    assert dg13.parse(groups[13]).place_of_residence == FORGED_RESIDENCE
    result = verify_passive(sod, groups, trust, issued_on=ISSUED, today=TODAY)
    assert result.verdict is Verdict.INVALID
    assert result.reasons == ("dg_hash_mismatch:DG13",)


def test_unknown_signer_is_unverified_against_the_installation_csca(
    make_profile: ProfileFactory, trust: TrustStore
) -> None:
    sod, groups = read_groups(make_profile(fault=Fault.UNKNOWN_SIGNER))
    result = verify_passive(sod, groups, trust, issued_on=ISSUED, today=TODAY)
    assert result.verdict is Verdict.UNVERIFIED
    assert result.reasons == ("csca_key_unknown",)


def test_no_extended_length_still_reads_with_short_apdus(
    make_profile: ProfileFactory, trust: TrustStore
) -> None:
    profile = make_profile(fault=Fault.NO_EXTENDED_LENGTH)
    assert not profile.extended_length
    sod, groups = read_groups(profile)
    result = verify_passive(sod, groups, trust, issued_on=ISSUED, today=TODAY)
    assert result.verdict is Verdict.VALID
    with pytest.raises(StatusWordError) as raised:
        read_groups(profile, ReadSettings(extended_length=True))
    assert raised.value.sw == 0x6700
