"""Matching: the decision rule, best-frame choice, the portrait crop and bad stills.

These check the decision logic and the rejection of bad input, not accuracy: the two demo
faces are far apart (about 0.7) and one face against itself is far below any threshold.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from kiosk.config import FaceSettings
from kiosk.domain.biometrics import FaceDecision
from kiosk.face.detect import Box
from kiosk.face.errors import MultipleFaces, NoFace
from kiosk.face.match import (
    PORTRAIT_SIZE,
    Candidate,
    best_frame,
    compare,
    encode_single,
    frame_score,
    portrait_crop,
)
from kiosk.face.quality import Measures, Pose, analyse

THRESHOLD = FaceSettings().match_threshold


# --- the decision rule ----------------------------------------------------------------------


def test_compare_keeps_distance_threshold_and_decision() -> None:
    live, chip = np.zeros(128), np.full(128, 0.05)
    result = compare(live, chip, threshold=0.6)
    assert result.distance == pytest.approx(0.05 * np.sqrt(128))
    assert result.threshold == 0.6
    assert result.decision is FaceDecision.MATCH


def test_a_distance_at_the_threshold_matches_and_above_it_does_not() -> None:
    live, chip = np.zeros(2), np.array([0.3, 0.4])
    assert compare(live, chip, threshold=0.5).decision is FaceDecision.MATCH
    assert compare(live, chip, threshold=0.4999).decision is FaceDecision.MISMATCH


def test_the_configured_default_is_stricter_than_dlibs() -> None:
    assert THRESHOLD < 0.6


# --- real stills ----------------------------------------------------------------------------


def test_the_same_person_in_another_crop_and_scale_matches(faces) -> None:
    chip = encode_single(faces.portrait(faces.HOPPER))
    live = encode_single(faces.frame(faces.HOPPER, face_width=150, centre=(0.4, 0.5)))
    assert compare(live, chip, THRESHOLD).decision is FaceDecision.MATCH


def test_different_people_do_not_match(faces) -> None:
    chip = encode_single(faces.portrait(faces.HOPPER))
    live = encode_single(faces.frame(faces.ASTRONAUT))
    assert compare(live, chip, THRESHOLD).decision is FaceDecision.MISMATCH


def test_a_printed_photo_still_matches_which_is_why_liveness_exists(faces) -> None:
    chip = encode_single(faces.portrait(faces.HOPPER))
    printed = encode_single(faces.printed(faces.frame()))
    assert compare(printed, chip, THRESHOLD).decision is FaceDecision.MATCH


def test_a_small_chip_sized_portrait_is_found_at_a_finer_scale(faces) -> None:
    small = faces.frame(faces.HOPPER, face_width=60, centre=(0.5, 0.5), size=(120, 160))
    assert encode_single(small).shape == (128,)


def test_a_still_without_a_face_is_refused() -> None:
    with pytest.raises(NoFace):
        encode_single(np.full((240, 320, 3), 90, np.uint8))


def test_a_still_with_two_faces_is_refused(faces) -> None:
    with pytest.raises(MultipleFaces) as caught:
        encode_single(faces.two_faces())
    assert caught.value.params == {"count": 2}


# --- best frame and portrait crop -----------------------------------------------------------


BASE = Measures(
    box=Box(0, 0, 10, 10), width=0.3, offset_x=0.0, offset_y=0.0, brightness=128.0,
    contrast=50.0, sharpness=0.3, pose=Pose(0.0, 0.0, 0.0), eye_openness=0.3,
)  # fmt: skip


def _measures(sharpness: float, yaw: float = 0.0, eyes: float = 0.3) -> Measures:
    pose = Pose(yaw=yaw, pitch=0.0, roll=0.0)
    return dataclasses.replace(BASE, sharpness=sharpness, pose=pose, eye_openness=eyes)


def test_frontal_beats_sharper_but_turned() -> None:
    assert frame_score(_measures(0.30)) > frame_score(_measures(0.40, yaw=12.0))


def test_open_eyes_beat_half_closed() -> None:
    assert frame_score(_measures(0.30)) > frame_score(_measures(0.30, eyes=0.18))


def test_best_frame_picks_the_highest_score(faces) -> None:
    image = faces.frame()
    landmarks = faces.landmarks(image)
    candidates = [
        Candidate(image, _measures(sharpness), landmarks) for sharpness in (0.2, 0.5, 0.3)
    ]
    assert best_frame(candidates).measures.sharpness == 0.5


def test_best_frame_of_nothing_is_no_face() -> None:
    with pytest.raises(NoFace):
        best_frame([])


def test_the_portrait_crop_is_upright_3_by_4_with_the_eyes_placed(faces) -> None:
    tilted = faces.rotated(faces.frame(), 8)
    crop = portrait_crop(tilted, faces.landmarks(tilted))
    width, height = PORTRAIT_SIZE
    assert crop.shape == (height, width, 3)
    measures = analyse(crop).measures
    assert measures is not None
    assert abs(measures.pose.roll) < 4
    eyes = faces.landmarks(crop)
    eye_y = np.mean([y for _, y in (*eyes.left_eye, *eyes.right_eye)])
    assert eye_y == pytest.approx(0.45 * height, abs=0.03 * height)
