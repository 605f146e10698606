"""Check verdicts and the overall chip verdict (design.md, "Reading a CCCD chip").

Each check (Passive, Chip and Active Authentication) ends in a ``CheckResult``: a verdict from a
fixed vocabulary and stable snake_case reason codes. ``decide_chip_verdict`` folds the three
into ``genuine``, ``not_genuine`` or ``unverifiable`` by design.md's rule, which the application
policy then acts on (a chip that is not genuine cannot be submitted).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Verdict(StrEnum):
    """The outcome of one check.

    ``unverified`` means no trusted anchor could judge the data (no CSCA with the signer's
    issuer name and key identifier); ``invalid`` means a check ran and failed.
    """

    VALID = "valid"
    INVALID = "invalid"
    UNVERIFIED = "unverified"
    NOT_SUPPORTED = "not_supported"
    NOT_PERFORMED = "not_performed"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """A check's verdict and its reasons (stable codes such as ``dg_hash_mismatch:DG13``)."""

    verdict: Verdict
    reasons: tuple[str, ...] = ()


class ChipVerdict(StrEnum):
    """What the three checks prove about the chip, in the words the policy uses."""

    GENUINE = "genuine"
    NOT_GENUINE = "not_genuine"
    UNVERIFIABLE = "unverifiable"


@dataclass(frozen=True, slots=True)
class ChipVerdictResult:
    """The overall verdict and why (``suspected_clone``, ``no_clone_check``, ...)."""

    verdict: ChipVerdict
    reasons: tuple[str, ...] = ()


def decide_chip_verdict(
    passive: CheckResult, chip: CheckResult, active: CheckResult
) -> ChipVerdictResult:
    """Combine Passive, Chip and Active Authentication into the chip verdict.

    The rule of design.md: ``not_genuine`` if any check is ``invalid`` (a failed Chip or Active
    Authentication adds ``suspected_clone``); else ``unverifiable`` unless Passive Authentication
    is ``valid``; else ``genuine`` when Chip or Active Authentication is ``valid``, or when the
    chip offers neither (``no_clone_check``). A clone check offered but not completed leaves the
    chip ``unverifiable``. Chip and Active Authentication only count here because Passive
    Authentication was given DG14 and DG15: the caller must include every file it used.
    """
    checks = {"passive": passive, "chip": chip, "active": active}
    invalid = [
        f"{name}_authentication_invalid" for name, c in checks.items() if _is(c, Verdict.INVALID)
    ]
    if invalid:
        clone = ["suspected_clone"] if invalid != ["passive_authentication_invalid"] else []
        return ChipVerdictResult(ChipVerdict.NOT_GENUINE, (*invalid, *clone))
    if passive.verdict is not Verdict.VALID:
        return ChipVerdictResult(
            ChipVerdict.UNVERIFIABLE, (f"passive_authentication_{passive.verdict}",)
        )
    if _is(chip, Verdict.VALID) or _is(active, Verdict.VALID):
        return ChipVerdictResult(ChipVerdict.GENUINE)
    if _is(chip, Verdict.NOT_SUPPORTED) and _is(active, Verdict.NOT_SUPPORTED):
        return ChipVerdictResult(ChipVerdict.GENUINE, ("no_clone_check",))
    return ChipVerdictResult(ChipVerdict.UNVERIFIABLE, ("clone_check_incomplete",))


def _is(check: CheckResult, verdict: Verdict) -> bool:
    return check.verdict is verdict
