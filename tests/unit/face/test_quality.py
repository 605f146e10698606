"""Guidance: for each instruction a frame that breaks that rule alone, and a good frame.

The frames are real images through the real detector and landmark model (kiosk.face.detect);
the pure rule table is also checked on measures built by hand, including the priority order.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pytest

from kiosk.face.detect import Box, Image
from kiosk.face.quality import (
    DEFAULT_RULES,
    Instruction,
    Measures,
    Pose,
    analyse,
    eye_aspect_ratio,
    instruct,
)


def _broken_frames(faces) -> dict[str, tuple[Instruction, Callable[[], Image]]]:
    hopper = faces.frame
    return {
        "blank wall": (Instruction.FACE_CAMERA, lambda: np.full((480, 640, 3), 128, np.uint8)),
        "two faces": (Instruction.ONE_PERSON, faces.two_faces),
        "far away": (Instruction.MOVE_CLOSER, lambda: hopper(face_width=105)),
        "too near": (Instruction.MOVE_BACK, lambda: hopper(face_width=380)),
        "off centre": (Instruction.CENTRE_FACE, lambda: hopper(centre=(0.28, 0.45))),
        "dark": (Instruction.MORE_LIGHT, lambda: faces.shifted(hopper(), -90)),
        "glare": (Instruction.LESS_LIGHT, lambda: faces.shifted(hopper(), 90)),
        "flat light": (Instruction.EVEN_LIGHT, lambda: faces.flattened(hopper())),
        "motion blur": (Instruction.HOLD_STILL, lambda: faces.blurred(hopper())),
        "head turned": (Instruction.LOOK_STRAIGHT, lambda: faces.nose_moved(hopper(), 26, 0)),
        "chin down": (Instruction.LOOK_STRAIGHT, lambda: faces.nose_moved(hopper(), 0, 30)),
        "head tilted": (Instruction.STRAIGHTEN_HEAD, lambda: faces.rotated(hopper(), 18)),
        "eyes shut": (
            Instruction.OPEN_EYES,
            lambda: faces.eyes_closed(faces.frame(faces.ASTRONAUT)),
        ),
    }


CASES = [
    "blank wall", "two faces", "far away", "too near", "off centre", "dark", "glare",
    "flat light", "motion blur", "head turned", "chin down", "head tilted", "eyes shut",
]  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_a_frame_breaking_one_rule_gets_exactly_that_instruction(faces, case: str) -> None:
    expected, make = _broken_frames(faces)[case]
    guidance = analyse(make())
    assert guidance.instruction is expected
    assert not guidance.is_ready


def test_every_instruction_but_ready_has_a_breaking_frame(faces) -> None:
    covered = {instruction for instruction, _ in _broken_frames(faces).values()}
    assert covered == set(Instruction) - {Instruction.READY}


@pytest.mark.parametrize("name", ["grace_hopper.jpg", "astronaut.png"])
def test_a_good_frame_is_ready(faces, name: str) -> None:
    guidance = analyse(faces.frame(name))
    assert guidance.instruction is Instruction.READY
    assert guidance.is_ready
    assert guidance.face_count == 1
    assert guidance.landmarks is not None


def test_two_faces_are_counted_and_not_measured(faces) -> None:
    guidance = analyse(faces.two_faces())
    assert guidance.face_count == 2
    assert guidance.measures is None
    assert guidance.landmarks is None


def test_a_frontal_face_measures_as_frontal(faces) -> None:
    measures = analyse(faces.frame()).measures
    assert measures is not None
    assert abs(measures.pose.yaw) < DEFAULT_RULES.max_yaw
    assert abs(measures.pose.roll) < DEFAULT_RULES.max_roll


# --- the rule table on hand-made measures ---------------------------------------------------

GOOD = Measures(
    box=Box(left=250, top=130, right=390, bottom=270),
    width=0.25,
    offset_x=0.0,
    offset_y=0.0,
    brightness=128.0,
    contrast=50.0,
    sharpness=0.3,
    pose=Pose(yaw=0.0, pitch=0.0, roll=0.0),
    eye_openness=0.3,
)

BROKEN = {
    Instruction.MOVE_CLOSER: {"width": 0.1},
    Instruction.MOVE_BACK: {"width": 0.6},
    Instruction.CENTRE_FACE: {"offset_y": -0.2},
    Instruction.MORE_LIGHT: {"brightness": 40.0},
    Instruction.LESS_LIGHT: {"brightness": 220.0},
    Instruction.EVEN_LIGHT: {"contrast": 10.0},
    Instruction.HOLD_STILL: {"sharpness": 0.01},
    Instruction.LOOK_STRAIGHT: {"pose": Pose(yaw=0.0, pitch=-25.0, roll=0.0)},
    Instruction.STRAIGHTEN_HEAD: {"pose": Pose(yaw=0.0, pitch=0.0, roll=15.0)},
    Instruction.OPEN_EYES: {"eye_openness": 0.1},
}


def test_good_measures_are_ready() -> None:
    assert instruct(GOOD) is Instruction.READY


@pytest.mark.parametrize("instruction", list(BROKEN))
def test_each_rule_alone(instruction: Instruction) -> None:
    assert instruct(dataclasses.replace(GOOD, **BROKEN[instruction])) is instruction


@pytest.mark.parametrize("instruction", list(BROKEN))
def test_the_earlier_rule_wins(instruction: Instruction) -> None:
    order = list(Instruction)
    later = [other for other in BROKEN if order.index(other) > order.index(instruction)]
    changes: dict[str, object] = {}
    for other in later:
        changes |= BROKEN[other]
    changes |= BROKEN[instruction]
    assert instruct(dataclasses.replace(GOOD, **changes)) is instruction


def test_eye_aspect_ratio_of_an_open_and_a_shut_eye() -> None:
    open_eye = ((0.0, 0.0), (3.0, -3.0), (7.0, -3.0), (10.0, 0.0), (7.0, 3.0), (3.0, 3.0))
    shut_eye = ((0.0, 0.0), (3.0, -0.5), (7.0, -0.5), (10.0, 0.0), (7.0, 0.5), (3.0, 0.5))
    assert eye_aspect_ratio(open_eye) == pytest.approx(0.6)
    assert eye_aspect_ratio(shut_eye) == pytest.approx(0.1)
