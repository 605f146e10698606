"""The passive liveness checks against each attack species, on exact landmark sequences.

A flat print turned on cue moves as one plane; a bent print does not, but it never blinks; a
screen replay of a live clip shows its pixel grid and its glare; an animated still performing
another challenge fails the challenge. The screen cues are also measured on pixels.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from kiosk.face.liveness.challenge import Action
from kiosk.face.liveness.passive import moire_score, parallax, plane_residual
from kiosk.face.liveness.rules import DEFAULT_LIVENESS_RULES
from kiosk.face.liveness.series import ScreenCues, signals
from kiosk.face.liveness.verdict import Check, judge
from tests.support.heads import Head, blink, samples, turn

B, L, R = Action.BLINK, Action.LEFT, Action.RIGHT
TURNS = [turn("left", 1.0), turn("right", 3.0)]


def _checks(result) -> dict[Check, bool]:
    return {check.check: check.passed for check in result.checks}


def test_a_head_has_parallax_and_a_flat_print_has_none() -> None:
    head, flat = Head(), Head("flat")
    assert plane_residual(head.landmarks(0.0), head.landmarks(30.0)) > 0.05
    assert plane_residual(flat.landmarks(0.0), flat.landmarks(30.0)) < 1e-4


def test_a_flat_print_turned_on_cue_is_a_flat_picture() -> None:
    result = judge((L, R), samples(TURNS, shape="flat"))
    assert not result.live
    assert "flat_picture" in result.reasons
    assert not _checks(result)[Check.PLANARITY]


def test_parallax_is_measured_only_on_turned_frames() -> None:
    still = samples([blink(1.0)])
    found = signals(still, DEFAULT_LIVENESS_RULES)
    assert found is not None
    marks = [s.landmarks for s in still if s.landmarks is not None]
    assert parallax(marks, found, DEFAULT_LIVENESS_RULES.min_turn) is None


def test_a_bent_print_turned_on_cue_never_blinks() -> None:
    result = judge((L, R), samples(TURNS, shape="bent"))
    assert not result.live
    assert "no_blink" in result.reasons


def test_a_live_head_turning_left_and_right_passes_only_with_a_blink() -> None:
    without = judge((L, R), samples(TURNS))
    with_blink = judge((L, R), samples([*TURNS, blink(5.0)]))
    assert without.reasons == ("no_blink",)
    assert with_blink.live, with_blink.reasons
    relaxed = dataclasses.replace(DEFAULT_LIVENESS_RULES, require_blink=False)
    assert judge((L, R), samples(TURNS), relaxed).live


def test_a_screen_replay_of_the_right_challenge_shows_its_grid_and_glare() -> None:
    moves = [blink(1.0), turn("left", 2.0)]
    grid = judge((B, L), samples(moves, cues=ScreenCues(moire=80.0, glare=0.0)))
    glare = judge((B, L), samples(moves, cues=ScreenCues(moire=5.0, glare=0.3)))
    clean = judge((B, L), samples(moves))
    assert clean.live, clean.reasons
    assert grid.reasons == ("screen_pattern",)
    assert glare.reasons == ("glare",)


def test_an_animated_still_doing_another_challenge_fails() -> None:
    for asked, done in (((B, L), (L, B)), ((L, R), (R, L)), ((R, B), (L, B))):
        moves = [
            blink(1.0 + 2 * i) if a is B else turn(a.value, 1.0 + 2 * i) for i, a in enumerate(done)
        ]
        result = judge(asked, samples([*moves, blink(6.0)]))
        assert not result.live, (asked, done)


def test_the_moire_score_finds_a_pixel_grid_and_not_skin() -> None:
    rng = np.random.default_rng(7)
    ys, xs = np.mgrid[0:96, 0:96]
    skin = 140 + 20 * np.sin(xs / 15.0) + rng.normal(0, 3, (96, 96))
    grid = skin + 12 * np.cos(2 * np.pi * (xs * 0.98 + ys * 0.17) / 2.7)
    limit = DEFAULT_LIVENESS_RULES.max_moire
    assert moire_score(np.clip(skin, 0, 255).astype(np.uint8)) < limit
    assert moire_score(np.clip(grid, 0, 255).astype(np.uint8)) > limit


def test_a_crop_too_small_to_measure_scores_nothing() -> None:
    assert moire_score(np.zeros((10, 80), dtype=np.uint8)) == 0.0
