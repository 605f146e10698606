"""One verdict over a challenge's samples: the active steps and the passive checks together.

``judge`` is a pure function of the challenge, the samples and the rules, so a recorded clip,
a live session and a unit test reach the same verdict from the same landmarks. The result says
``live`` only when every step and every check passed, and lists a stable reason code for each
one that did not (the screens and the command line translate the codes).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from kiosk.face.detect import Landmarks
from kiosk.face.liveness.active import StepResult, check_steps
from kiosk.face.liveness.challenge import Action, Challenge
from kiosk.face.liveness.passive import parallax
from kiosk.face.liveness.rules import DEFAULT_LIVENESS_RULES, LivenessRules
from kiosk.face.liveness.series import Event, Sample, Signals, blinks, signals, turns


class Check(StrEnum):
    """The passive checks, by their stable names."""

    FACE = "face"
    PLANARITY = "planarity"
    BLINK = "any_blink"
    MOIRE = "moire"
    GLARE = "glare"


CHECK_REASONS: dict[Check, str] = {
    Check.FACE: "no_face",
    Check.PLANARITY: "flat_picture",
    Check.BLINK: "no_blink",
    Check.MOIRE: "screen_pattern",
    Check.GLARE: "glare",
}
"""The reason code a failed passive check adds to ``LivenessResult.reasons``."""


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One passive check: its measured value (None when it could not be measured), its limit."""

    check: Check
    passed: bool
    value: float | None
    limit: float


@dataclass(frozen=True, slots=True)
class LivenessResult:
    """The verdict on one challenge.

    Attributes:
        challenge: the actions asked for, in order.
        live: every step and every check passed.
        steps: one result per action of the challenge.
        checks: one result per passive check.
        reasons: stable codes, one per failed step (``left_too_late``) or check (``no_blink``).
        frames: samples judged; ``faces`` of them with exactly one face.
        seconds: from the first cue to the last sample.
    """

    challenge: Challenge
    live: bool
    steps: tuple[StepResult, ...]
    checks: tuple[CheckResult, ...]
    reasons: tuple[str, ...]
    frames: int
    faces: int
    seconds: float


def _events(found: Signals | None, rules: LivenessRules) -> list[Event]:
    if found is None:
        return []
    return sorted([*turns(found, rules), *blinks(found, rules)], key=lambda e: e.start)


def steps_so_far(
    challenge: Challenge,
    samples: Sequence[Sample],
    rules: LivenessRules = DEFAULT_LIVENESS_RULES,
) -> tuple[StepResult, ...]:
    """The challenge's steps as measured so far: what a live run checks after every frame.

    Cheap (the passive checks, which fit homographies, wait for ``judge`` at the end).
    """
    start = samples[0].t if samples else 0.0
    return check_steps(challenge, _events(signals(samples, rules), rules), start, rules)


def judge(
    challenge: Challenge,
    samples: Sequence[Sample],
    rules: LivenessRules = DEFAULT_LIVENESS_RULES,
) -> LivenessResult:
    """The verdict on ``samples`` (in time order, from the first cue) for ``challenge``."""
    found = signals(samples, rules)
    start = samples[0].t if samples else 0.0
    seconds = samples[-1].t - start if samples else 0.0
    faces = sum(1 for sample in samples if sample.landmarks is not None)
    events = _events(found, rules)
    steps = check_steps(challenge, events, start, rules)
    checks = _checks(samples, found, events, rules)
    reasons = [f"{step.action.value}_{step.failure.value}" for step in steps if step.failure]
    reasons += [CHECK_REASONS[check.check] for check in checks if not check.passed]
    live = all(step.passed for step in steps) and all(check.passed for check in checks)
    return LivenessResult(
        challenge, live, steps, checks, tuple(reasons), len(samples), faces, seconds
    )


def _checks(
    samples: Sequence[Sample], found: Signals | None, events: list[Event], rules: LivenessRules
) -> tuple[CheckResult, ...]:
    share = sum(1 for s in samples if s.landmarks is not None) / len(samples) if samples else 0.0
    face = CheckResult(Check.FACE, share >= rules.min_face_share, share, rules.min_face_share)
    marks: list[Landmarks] = [s.landmarks for s in samples if s.landmarks is not None]
    depth = None if found is None else parallax(marks, found, rules.min_turn)
    planarity = CheckResult(
        Check.PLANARITY,
        depth is not None and depth >= rules.min_parallax,
        depth,
        rules.min_parallax,
    )
    blinked = any(e.action is Action.BLINK and e.complete for e in events)
    blink = CheckResult(
        Check.BLINK, blinked or not rules.require_blink, 1.0 if blinked else 0.0, 1.0
    )
    cues = [s.cues for s in samples if s.cues is not None]
    moire = statistics.median(c.moire for c in cues) if cues else None
    glare = statistics.median(c.glare for c in cues) if cues else None
    return (
        face,
        planarity,
        blink,
        CheckResult(
            Check.MOIRE, moire is not None and moire <= rules.max_moire, moire, rules.max_moire
        ),
        CheckResult(
            Check.GLARE, glare is not None and glare <= rules.max_glare, glare, rules.max_glare
        ),
    )
