"""The overall chip verdict, case by case from design.md's rule."""

from __future__ import annotations

import pytest

from kiosk.emrtd.auth.verdict import (
    CheckResult,
    ChipVerdict,
    ChipVerdictResult,
    Verdict,
    decide_chip_verdict,
)

V, INV, U, NS, NP = (CheckResult(v) for v in Verdict)


@pytest.mark.parametrize(
    ("passive", "chip", "active", "expected"),
    [
        (V, V, NS, ChipVerdictResult(ChipVerdict.GENUINE)),
        (V, NS, V, ChipVerdictResult(ChipVerdict.GENUINE)),
        (V, V, V, ChipVerdictResult(ChipVerdict.GENUINE)),
        (V, NS, NS, ChipVerdictResult(ChipVerdict.GENUINE, ("no_clone_check",))),
        (V, NP, NS, ChipVerdictResult(ChipVerdict.UNVERIFIABLE, ("clone_check_incomplete",))),
        (V, NS, U, ChipVerdictResult(ChipVerdict.UNVERIFIABLE, ("clone_check_incomplete",))),
        (
            U,
            V,
            V,
            ChipVerdictResult(ChipVerdict.UNVERIFIABLE, ("passive_authentication_unverified",)),
        ),
        (
            NP,
            NS,
            NS,
            ChipVerdictResult(ChipVerdict.UNVERIFIABLE, ("passive_authentication_not_performed",)),
        ),
        (
            NS,
            V,
            NS,
            ChipVerdictResult(ChipVerdict.UNVERIFIABLE, ("passive_authentication_not_supported",)),
        ),
        (
            INV,
            V,
            V,
            ChipVerdictResult(ChipVerdict.NOT_GENUINE, ("passive_authentication_invalid",)),
        ),
        (
            V,
            V,
            INV,
            ChipVerdictResult(
                ChipVerdict.NOT_GENUINE, ("active_authentication_invalid", "suspected_clone")
            ),
        ),
        (
            U,
            INV,
            NS,
            ChipVerdictResult(
                ChipVerdict.NOT_GENUINE, ("chip_authentication_invalid", "suspected_clone")
            ),
        ),
        (
            INV,
            INV,
            INV,
            ChipVerdictResult(
                ChipVerdict.NOT_GENUINE,
                (
                    "passive_authentication_invalid",
                    "chip_authentication_invalid",
                    "active_authentication_invalid",
                    "suspected_clone",
                ),
            ),
        ),
    ],
)
def test_chip_verdict(
    passive: CheckResult, chip: CheckResult, active: CheckResult, expected: ChipVerdictResult
) -> None:
    assert decide_chip_verdict(passive, chip, active) == expected


def test_values_are_stable_strings() -> None:
    assert [v.value for v in Verdict] == [
        "valid",
        "invalid",
        "unverified",
        "not_supported",
        "not_performed",
    ]
    assert [v.value for v in ChipVerdict] == ["genuine", "not_genuine", "unverifiable"]
