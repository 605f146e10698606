"""The active challenge's rules: each action in its turn, fully, within its time limit.

Each action must be done within ``step_limit`` seconds of its cue: the start for the first, the
moment the previous action was done for the next (the screen shows the next cue then). A head
turn that was not asked for at that point fails the step (``wrong_order`` when it is a later
action, ``unexpected_turn`` otherwise); blinks are never held against the citizen, since people
blink on their own, but an action done only before its cue is ``too_early``. A step that fails
stops the check: later steps are ``not_reached``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from kiosk.face.liveness.challenge import Action, Challenge
from kiosk.face.liveness.rules import LivenessRules
from kiosk.face.liveness.series import Event


class StepFailure(StrEnum):
    """Why one action of the challenge was not accepted (a stable reason code)."""

    NOT_DONE = "not_done"
    TOO_LATE = "too_late"
    PARTIAL = "partial"
    WRONG_ORDER = "wrong_order"
    TOO_EARLY = "too_early"
    UNEXPECTED_TURN = "unexpected_turn"
    NOT_REACHED = "not_reached"


@dataclass(frozen=True, slots=True)
class StepResult:
    """One action of the challenge as measured.

    Attributes:
        at: seconds from the start when it was done (or done too late), else None.
        amplitude: the best attempt's amplitude (degrees, or share of eye openness lost).
        failure: None when the step passed.
    """

    action: Action
    at: float | None
    amplitude: float | None
    failure: StepFailure | None

    @property
    def passed(self) -> bool:
        """True when the action was done fully, in its turn and in time."""
        return self.failure is None


def check_steps(
    challenge: Challenge, events: Sequence[Event], start: float, rules: LivenessRules
) -> tuple[StepResult, ...]:
    """Each action of ``challenge`` against the events, in order, from ``start``."""
    results: list[StepResult] = []
    cue = start
    for index, action in enumerate(challenge):
        result = _step(action, challenge[index + 1 :], events, cue, rules)
        results.append(result)
        if result.at is None or not result.passed:
            results.extend(
                StepResult(later, None, None, StepFailure.NOT_REACHED)
                for later in challenge[index + 1 :]
            )
            break
        cue = result.at
    return tuple(results)


def _step(
    action: Action,
    later: Sequence[Action],
    events: Sequence[Event],
    cue: float,
    rules: LivenessRules,
) -> StepResult:
    deadline = cue + rules.step_limit
    done = next((e for e in events if e.action is action and e.complete and e.start > cue), None)
    until = deadline if done is None else min(done.start, deadline)
    stray = [e for e in events if e.action.is_turn and e.complete and cue < e.start < until]
    stray = [e for e in stray if e.action is not action]
    if stray:
        tried = [e for e in events if e.action is action and cue < e.start < stray[0].start]
        if tried:
            return StepResult(action, None, max(e.amplitude for e in tried), StepFailure.PARTIAL)
        failure = (
            StepFailure.WRONG_ORDER if stray[0].action in later else StepFailure.UNEXPECTED_TURN
        )
        return StepResult(action, None, None, failure)
    if done is not None:
        late = StepFailure.TOO_LATE if done.start > deadline else None
        return StepResult(action, done.start, done.amplitude, late)
    return _missing(action, events, cue, deadline)


def _missing(action: Action, events: Sequence[Event], cue: float, deadline: float) -> StepResult:
    tries = [e for e in events if e.action is action and cue < e.start <= deadline]
    if tries:
        return StepResult(action, None, max(e.amplitude for e in tries), StepFailure.PARTIAL)
    earlier = any(e.action is action and e.complete and e.start <= cue for e in events)
    return StepResult(
        action, None, None, StepFailure.TOO_EARLY if earlier else StepFailure.NOT_DONE
    )
