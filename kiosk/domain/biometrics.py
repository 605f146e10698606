"""Face comparison outcomes and the face-attempt policy (design.md, verdict policy).

A citizen gets three face attempts in all (match and liveness together); after the third failure
only a supervisor override with a reason code lets the application go on. The policy is data
(``FaceAttempts``) plus one rule (``face_gate``), so the screens, the services and the packet
all read the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from kiosk.domain.ids import UserId

MAX_FACE_ATTEMPTS = 3


class FaceDecision(StrEnum):
    """Whether two faces are taken to be one person."""

    MATCH = "match"
    MISMATCH = "mismatch"


@dataclass(frozen=True, slots=True)
class FaceMatch:
    """One comparison of a live face with the chip portrait.

    Attributes:
        distance: the embedding distance (lower is more alike).
        threshold: the largest distance accepted, from the signed server configuration; kept
            with the result so review and the packet show what the decision was made against.
        decision: ``match`` when ``distance <= threshold``.
    """

    distance: float
    threshold: float
    decision: FaceDecision


def compare_faces(distance: float, threshold: float) -> FaceMatch:
    """The decision for ``distance`` under ``threshold`` (a tie counts as a match)."""
    decision = FaceDecision.MATCH if distance <= threshold else FaceDecision.MISMATCH
    return FaceMatch(distance, threshold, decision)


class FaceOutcome(StrEnum):
    """The result of one face attempt (a capture with liveness, then a match)."""

    PASSED = "passed"
    MISMATCH = "mismatch"
    LIVENESS_FAILED = "liveness_failed"


class FaceGate(StrEnum):
    """What the face step lets the application do next."""

    PASSED = "passed"
    RETRY = "retry"
    NEEDS_OVERRIDE = "needs_override"
    OVERRIDDEN = "overridden"

    @property
    def may_continue(self) -> bool:
        """Whether the application may leave the face step."""
        return self in (FaceGate.PASSED, FaceGate.OVERRIDDEN)


@dataclass(frozen=True, slots=True)
class FaceOverride:
    """A supervisor's decision to go on after the attempts ran out; audited and sent along.

    Attributes:
        reason: a stable reason code (``kiosk.domain.application.ReasonCode`` value).
    """

    supervisor: UserId
    at: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class FaceAttempts:
    """The attempts made so far and the override, if one was given."""

    outcomes: tuple[FaceOutcome, ...] = ()
    override: FaceOverride | None = None

    @property
    def failures(self) -> int:
        """How many attempts failed."""
        return sum(1 for outcome in self.outcomes if outcome is not FaceOutcome.PASSED)


def face_gate(attempts: FaceAttempts) -> FaceGate:
    """The policy: pass on any passed attempt; retry while fewer than three have failed."""
    if FaceOutcome.PASSED in attempts.outcomes:
        return FaceGate.PASSED
    if attempts.failures < MAX_FACE_ATTEMPTS:
        return FaceGate.RETRY
    if attempts.override is None:
        return FaceGate.NEEDS_OVERRIDE
    return FaceGate.OVERRIDDEN
