"""The liveness verifier's rules on exact landmark sequences (no dlib): order, amplitude, time.

The sequences come from ``tests.support.heads``: a 3-D head (or a flat or bent print) turned
and blinking on a script, projected frame by frame.
"""

from __future__ import annotations

import itertools

import pytest

from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.face.liveness.active import StepFailure
from kiosk.face.liveness.challenge import (
    Action,
    draw_challenge,
    format_challenge,
    parse_challenge,
)
from kiosk.face.liveness.rules import DEFAULT_LIVENESS_RULES
from kiosk.face.liveness.verdict import CHECK_REASONS, Check, judge
from kiosk.messages import liveness_cue, liveness_reason
from tests.support.heads import blink, samples, turn

B, L, R = Action.BLINK, Action.LEFT, Action.RIGHT
ORDERS = list(itertools.permutations((B, L, R), 2))


def performing(challenge: tuple[Action, ...], start: float = 1.0) -> list:
    """Moves doing ``challenge`` in order with a pause between them, and one blink of its own."""
    moves = []
    t = start
    for action in challenge:
        move = blink(t) if action is B else turn(action.value, t)
        moves.append(move)
        t += move.duration + 0.5
    if B not in challenge:
        moves.append(blink(t))
    return moves


def test_a_drawn_challenge_is_two_different_actions() -> None:
    drawn = {draw_challenge() for _ in range(300)}
    assert all(len(set(c)) == 2 for c in drawn)
    assert drawn == set(ORDERS)


def test_challenges_parse_and_print() -> None:
    assert parse_challenge(" Blink, left ") == (B, L)
    assert format_challenge((R, B)) == "right,blink"
    for text in ("", "blink,blink", "nod", "blink,left,right,blink"):
        with pytest.raises(DomainError) as raised:
            parse_challenge(text)
        assert raised.value.code is ErrorCode.USAGE


@pytest.mark.parametrize("challenge", ORDERS, ids=format_challenge)
def test_each_challenge_done_in_order_is_live(challenge: tuple[Action, ...]) -> None:
    result = judge(challenge, samples(performing(challenge)))
    assert result.live, result.reasons
    assert [step.action for step in result.steps] == list(challenge)
    assert all(step.passed for step in result.steps)
    assert result.reasons == ()


def test_turns_in_the_wrong_order_fail() -> None:
    result = judge((L, R), samples(performing((R, L))))
    assert not result.live
    assert result.steps[0].failure is StepFailure.WRONG_ORDER
    assert result.reasons[:2] == ("left_wrong_order", "right_not_reached")


def test_a_blink_asked_after_a_turn_but_done_before_it_fails() -> None:
    result = judge((L, B), samples([blink(1.0), turn("left", 2.0)]))
    assert [s.failure for s in result.steps] == [None, StepFailure.TOO_EARLY]
    assert result.reasons[0] == "blink_too_early"


def test_a_turn_nobody_asked_for_fails() -> None:
    moves = [turn("right", 1.0), turn("left", 3.0), blink(5.0)]
    result = judge((L, B), samples(moves))
    assert result.steps[0].failure is StepFailure.UNEXPECTED_TURN


def test_a_five_degree_turn_is_partial() -> None:
    result = judge((L, B), samples([turn("left", 1.0, degrees=5.0), blink(3.0)]))
    assert result.steps[0].failure is StepFailure.PARTIAL
    assert result.reasons[0] == "left_partial"


def test_a_turn_just_past_the_minimum_passes_and_one_short_of_it_does_not() -> None:
    rules = DEFAULT_LIVENESS_RULES
    wide = judge((R, B), samples([turn("right", 1.0, degrees=rules.min_turn + 4), blink(3.0)]))
    short = judge((R, B), samples([turn("right", 1.0, degrees=rules.min_turn - 5), blink(3.0)]))
    assert wide.steps[0].passed
    assert wide.steps[0].amplitude is not None
    assert wide.steps[0].amplitude >= rules.min_turn
    assert short.steps[0].failure is StepFailure.PARTIAL


def test_a_half_closed_blink_is_partial() -> None:
    result = judge((B, L), samples([blink(1.0, closure=0.25), turn("left", 2.0)]))
    assert result.steps[0].failure is StepFailure.PARTIAL


def test_eyes_kept_shut_are_not_a_blink() -> None:
    result = judge((B, L), samples([blink(1.0, seconds=3.0), turn("left", 4.5)]))
    assert result.steps[0].failure is not None


def test_an_action_after_its_time_limit_is_too_late() -> None:
    limit = DEFAULT_LIVENESS_RULES.step_limit
    result = judge((R, B), samples([turn("right", limit + 0.5), blink(limit + 3.0)]))
    assert result.steps[0].failure is StepFailure.TOO_LATE
    assert result.reasons[0] == "right_too_late"


def test_the_second_action_is_timed_from_the_first() -> None:
    limit = DEFAULT_LIVENESS_RULES.step_limit
    late = judge((L, B), samples([turn("left", 1.0), blink(1.0 + limit + 1.0)]))
    in_time = judge((L, B), samples([turn("left", 1.0), blink(1.0 + limit - 1.5)]))
    assert late.steps[1].failure is StepFailure.TOO_LATE
    assert in_time.live, in_time.reasons


def test_nothing_done_is_not_done() -> None:
    result = judge((B, R), samples([], seconds=4.0))
    assert result.steps[0].failure is StepFailure.NOT_DONE
    assert result.steps[1].failure is StepFailure.NOT_REACHED


def test_no_face_fails_every_step_and_the_face_check() -> None:
    result = judge((B, L), [])
    assert not result.live
    assert "no_face" in result.reasons
    checks = {c.check: c for c in result.checks}
    assert not checks[Check.FACE].passed


def test_every_cue_and_reason_code_has_a_text() -> None:
    for action in Action:
        assert liveness_cue(action.value)
        for failure in StepFailure:
            assert liveness_reason(f"{action.value}_{failure.value}")
    for code in CHECK_REASONS.values():
        assert liveness_reason(code)
