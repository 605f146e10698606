"""``read_document`` on the simulated CCCD: access order, PACE, Chip and Active Authentication.

Every fault and clone mode ends in the verdict design.md gives it, with the reason named; a
clone whose key is not covered by a valid SOD is never genuine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

import pytest

from kiosk.devices.sim.chip.faults import Fault
from kiosk.devices.sim.chip.os import ChipOS
from kiosk.devices.sim.chip.profile import CardProfile
from kiosk.emrtd.access import AccessKey
from kiosk.emrtd.auth.trust import TrustStore
from kiosk.emrtd.auth.verdict import ChipVerdict, Verdict
from kiosk.emrtd.errors import AccessDenied, MalformedData
from kiosk.emrtd.keys import CANKey, MRZKey
from kiosk.emrtd.lds import com, dg13
from kiosk.emrtd.lds.dg13 import CardDate
from kiosk.emrtd.reader import ChipRead, read_document
from kiosk.emrtd.transport import Recorder

TODAY = date(2026, 11, 27)
ProfileFactory = Callable[..., CardProfile]
WRONG_CAN = CANKey("999999")
WRONG_MRZ = MRZKey("090001234", date(1990, 1, 2), date(2030, 1, 1))


class CountingChip:
    """The chip with its transport recorded and its resets counted."""

    def __init__(self, profile: CardProfile) -> None:
        self.chip = ChipOS(profile)
        self.link = Recorder(self.chip)
        self.resets = 0

    def reset(self) -> None:
        self.resets += 1
        self.chip.reset()


def read(
    profile: CardProfile, keys: list[AccessKey], trust: TrustStore
) -> tuple[ChipRead, CountingChip]:
    card = CountingChip(profile)
    result = read_document(card.link, keys, trust, today=TODAY, reset=card.reset)
    return result, card


def all_keys(profile: CardProfile) -> list[AccessKey]:
    return [profile.can, profile.access_key]


def test_a_genuine_chip_reads_with_pace_can_and_both_clone_checks_valid(
    make_profile: ProfileFactory, trust: TrustStore
) -> None:
    profile = make_profile()
    result, card = read(profile, all_keys(profile), trust)
    assert result.access == "PACE-CAN"
    assert result.passive_authentication.verdict is Verdict.VALID
    assert result.chip_authentication.verdict is Verdict.VALID
    assert result.active_authentication.verdict is Verdict.VALID
    assert result.verdict.verdict is ChipVerdict.GENUINE
    assert result.verdict.reasons == ()
    assert card.resets == 0
    assert {"EF.CardAccess", "DG14", "DG15"} <= set(result.files)
    evidence = result.evidence
    assert evidence.active_authentication is not None
    assert len(evidence.active_authentication.challenge) == 8
    assert len(evidence.active_authentication.signature) == 64
    assert evidence.chip_authentication is not None
    assert evidence.chip_authentication.protocol == "0.4.0.127.0.7.2.2.3.2.2"


def test_ef_card_access_is_read_by_sfi_before_any_select(
    make_profile: ProfileFactory, trust: TrustStore
) -> None:
    profile = make_profile()
    _, card = read(profile, all_keys(profile), trust)
    first = card.link.exchanges[0].command
    assert (first.ins, first.p1) == (0xB0, 0x9C)
    commands = [e.command for e in card.link.exchanges]
    mse = next(i for i, c in enumerate(commands) if c.ins == 0x22)
    assert all(c.ins != 0xA4 or c.p1 != 0x04 for c in commands[:mse])


def test_the_mrz_password_is_used_when_there_is_no_can(
    make_profile: ProfileFactory, trust: TrustStore
) -> None:
    profile = make_profile()
    result, _ = read(profile, [profile.access_key], trust)
    assert result.access == "PACE-MRZ"
    assert result.verdict.verdict is ChipVerdict.GENUINE


def test_a_wrong_can_moves_on_to_the_mrz_after_a_reset(
    make_profile: ProfileFactory, trust: TrustStore
) -> None:
    profile = make_profile()
    result, card = read(profile, [WRONG_CAN, profile.access_key], trust)
    assert result.access == "PACE-MRZ"
    assert card.resets == 1


def test_wrong_keys_everywhere_are_access_denied_with_wrong_key(
    make_profile: ProfileFactory, trust: TrustStore
) -> None:
    with pytest.raises(AccessDenied) as caught:
        read(make_profile(), [WRONG_CAN, WRONG_MRZ], trust)
    assert caught.value.wrong_key
    assert caught.value.protocol == "BAC"


def test_no_pace_falls_back_to_the_constant_then_bac(
    make_profile: ProfileFactory, trust: TrustStore
) -> None:
    profile = make_profile(fault=Fault.NO_PACE)
    result, card = read(profile, all_keys(profile), trust)
    assert result.access == "BAC"
    assert "EF.CardAccess" not in result.files
    assert card.resets == 1  # one PACE attempt refused (MSE:Set AT 6A80), then BAC
    assert result.verdict.verdict is ChipVerdict.GENUINE


def test_no_pace_with_only_a_can_is_a_protocol_refusal(
    make_profile: ProfileFactory, trust: TrustStore
) -> None:
    profile = make_profile(fault=Fault.NO_PACE)
    with pytest.raises(AccessDenied) as caught:
        read(profile, [profile.can], trust)
    assert (caught.value.protocol, caught.value.step, caught.value.wrong_key) == (
        "PACE",
        "MSE:Set AT",
        False,
    )


@pytest.mark.parametrize(
    ("fault", "check", "reason"),
    [
        (Fault.CLONE_CA, "chip_authentication", "chip_authentication_failed"),
        (Fault.CLONE_AA, "active_authentication", "active_authentication_failed"),
    ],
)
def test_a_clone_is_not_genuine_and_named_a_suspected_clone(
    make_profile: ProfileFactory, trust: TrustStore, fault: Fault, check: str, reason: str
) -> None:
    profile = make_profile(fault=fault)
    result, _ = read(profile, all_keys(profile), trust)
    assert result.passive_authentication.verdict is Verdict.VALID  # the data is the genuine card's
    assert getattr(result, check).verdict is Verdict.INVALID
    assert getattr(result, check).reasons == (reason,)
    assert result.verdict.verdict is ChipVerdict.NOT_GENUINE
    assert result.verdict.reasons == (f"{check}_invalid", "suspected_clone")


def test_a_clone_ca_loses_the_session_so_aa_is_not_performed(
    make_profile: ProfileFactory, trust: TrustStore
) -> None:
    profile = make_profile(fault=Fault.CLONE_CA)
    result, _ = read(profile, all_keys(profile), trust)
    assert result.active_authentication.reasons == ("active_authentication_session_lost",)
    assert result.evidence.chip_authentication is None


@pytest.mark.parametrize(
    ("fault", "verdict", "reasons"),
    [
        (Fault.FORGED_SOD, ChipVerdict.NOT_GENUINE, ("passive_authentication_invalid",)),
        (Fault.UNKNOWN_SIGNER, ChipVerdict.UNVERIFIABLE, ("passive_authentication_unverified",)),
        (Fault.NO_EXTENDED_LENGTH, ChipVerdict.GENUINE, ()),
    ],
)
def test_the_other_faults_keep_their_verdicts_with_pace(
    make_profile: ProfileFactory,
    trust: TrustStore,
    fault: Fault,
    verdict: ChipVerdict,
    reasons: tuple[str, ...],
) -> None:
    profile = make_profile(fault=fault)
    result, _ = read(profile, all_keys(profile), trust)
    assert result.access == "PACE-CAN"
    assert (result.verdict.verdict, result.verdict.reasons) == (verdict, reasons)


def test_a_clone_carrying_its_own_keys_under_an_unknown_signer_is_never_genuine(
    make_profile: ProfileFactory, trust: TrustStore
) -> None:
    # The copier signs its own SOD over its own DG14/DG15: both clone checks pass, but no
    # trusted CSCA covers the keys, so the chip is at best unverifiable.
    profile = make_profile(fault=Fault.UNKNOWN_SIGNER)
    result, _ = read(profile, all_keys(profile), trust)
    assert result.chip_authentication.verdict is Verdict.VALID
    assert result.active_authentication.verdict is Verdict.VALID
    assert result.verdict.verdict is not ChipVerdict.GENUINE


def test_without_dg14_and_dg15_the_clone_checks_are_not_supported(
    make_profile: ProfileFactory, trust: TrustStore
) -> None:
    profile = make_profile()
    application = profile.files.applications[0]
    com_file = com.parse(next(ef.content for ef in application.files if ef.name == "EF.COM"))
    tags = tuple(t for t in com_file.tags if t not in (0x6E, 0x6F))
    listed = com.encode(replace(com_file, tags=tags))
    kept = tuple(
        replace(ef, content=listed) if ef.name == "EF.COM" else ef
        for ef in application.files
        if ef.name not in ("DG14", "DG15")
    )
    files = replace(profile.files, applications=(replace(application, files=kept),))
    result, _ = read(replace(profile, files=files), all_keys(profile), trust)
    assert result.chip_authentication.verdict is Verdict.NOT_SUPPORTED
    assert result.active_authentication.verdict is Verdict.NOT_SUPPORTED


def with_groups(profile: CardProfile, served: dict[str, bytes | None]) -> CardProfile:
    """``profile`` with data groups replaced (bytes) or removed (None), EF.COM to match."""
    application = profile.files.applications[0]
    kept = [
        replace(ef, content=served[ef.name] or b"") if ef.name in served else ef
        for ef in application.files
        if served.get(ef.name, b"") is not None
    ]
    com_file = com.parse(next(ef.content for ef in kept if ef.name == "EF.COM"))
    gone = {com.DATA_GROUP_TAGS[int(name[2:])] for name, data in served.items() if data is None}
    listed = com.encode(replace(com_file, tags=tuple(t for t in com_file.tags if t not in gone)))
    kept = [replace(ef, content=listed) if ef.name == "EF.COM" else ef for ef in kept]
    files = replace(profile.files, applications=(replace(application, files=tuple(kept)),))
    return replace(profile, files=files)


def test_a_chip_without_the_portrait_group_is_malformed(
    make_profile: ProfileFactory, trust: TrustStore
) -> None:
    profile = with_groups(make_profile(), {"DG2": None})
    with pytest.raises(MalformedData, match="DG2 is not listed"):
        read(profile, all_keys(make_profile()), trust)


def test_a_chip_without_dg13_warns(make_profile: ProfileFactory, trust: TrustStore) -> None:
    profile = make_profile()
    result, _ = read(with_groups(profile, {"DG13": None}), all_keys(profile), trust)
    assert result.personal is None
    assert "dg13_absent" in result.warnings


def test_dg1_and_dg13_disagreements_are_warnings(
    make_profile: ProfileFactory, trust: TrustStore
) -> None:
    profile = make_profile()
    application = profile.files.applications[0]
    original = dg13.parse(next(ef.content for ef in application.files if ef.name == "DG13"))
    changed = replace(
        original,
        id_number="001090009999",
        date_of_birth=CardDate("02/01/1990", date(1990, 1, 2)),
        sex="Nữ",
    )
    result, _ = read(with_groups(profile, {"DG13": dg13.encode(changed)}), all_keys(profile), trust)
    assert {
        "id_number_dg1_dg13_differ",
        "date_of_birth_dg1_dg13_differ",
        "sex_dg1_dg13_differ",
    } <= set(result.warnings)
    assert result.passive_authentication.verdict is Verdict.INVALID
