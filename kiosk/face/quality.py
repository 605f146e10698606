"""Live guidance: the rules one analysed frame must pass, and the one instruction to show.

A frame is measured (face count, size and position against a target box, sharpness,
brightness, contrast, head pose, eye openness) and the first broken rule, in the priority
order of ``Instruction``, becomes the instruction shown to the citizen. Only codes leave this
module: the Vietnamese and English texts belong to ``kiosk.messages``.

The thresholds are engineering defaults chosen on the demo faces, not values validated on the
target population; they live in ``GuidanceRules`` so configuration can tune them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np
import numpy.typing as npt

from kiosk.face.detect import (
    Box,
    Image,
    LandmarkFinder,
    Landmarks,
    Point,
    detect_faces,
    landmarks_68,
)


class Instruction(StrEnum):
    """What the citizen is asked to do next, in priority order: the first broken rule wins.

    Placement comes first (nothing else can be measured without one face at a usable size),
    then lighting (landmarks are unreliable on a badly lit face), then sharpness, pose and
    eyes. ``READY`` is last: every rule passed.
    """

    FACE_CAMERA = "face_camera"
    ONE_PERSON = "one_person"
    MOVE_CLOSER = "move_closer"
    MOVE_BACK = "move_back"
    CENTRE_FACE = "centre_face"
    MORE_LIGHT = "more_light"
    LESS_LIGHT = "less_light"
    EVEN_LIGHT = "even_light"
    HOLD_STILL = "hold_still"
    LOOK_STRAIGHT = "look_straight"
    STRAIGHTEN_HEAD = "straighten_head"
    OPEN_EYES = "open_eyes"
    READY = "ready"


@dataclass(frozen=True, slots=True)
class GuidanceRules:
    """Thresholds of every rule; sizes and positions are fractions of the frame.

    The target box is centred at (``target_x``, ``target_y``); the face width must lie between
    ``min_width`` and ``max_width`` of the frame width and its centre within ``max_offset`` of
    the target (as a fraction of the frame's width and height).
    """

    target_x: float = 0.5
    target_y: float = 0.45
    min_width: float = 0.2
    max_width: float = 0.45
    max_offset: float = 0.12
    min_brightness: float = 70.0
    max_brightness: float = 190.0
    min_contrast: float = 25.0
    min_sharpness: float = 0.03
    max_yaw: float = 15.0
    max_pitch: float = 15.0
    max_roll: float = 10.0
    min_eye_openness: float = 0.17


DEFAULT_RULES = GuidanceRules()


@dataclass(frozen=True, slots=True)
class Pose:
    """Head rotation in degrees: yaw (left/right), pitch (up/down), roll (in-plane tilt)."""

    yaw: float
    pitch: float
    roll: float


@dataclass(frozen=True, slots=True)
class Measures:
    """Every measure of one face, kept for ``kiosk face check`` and best-frame selection.

    ``width`` is the face width over the frame width; ``offset_x``/``offset_y`` the centre's
    distance from the target over the frame's width and height; ``brightness`` and
    ``contrast`` the mean and standard deviation of the face's grey levels; ``sharpness`` the
    variance of the Laplacian over the grey variance on a face scaled to 128 px, so that it
    does not depend on lighting or distance; ``eye_openness`` the smaller eye aspect ratio.
    """

    box: Box
    width: float
    offset_x: float
    offset_y: float
    brightness: float
    contrast: float
    sharpness: float
    pose: Pose
    eye_openness: float


@dataclass(frozen=True, slots=True)
class Guidance:
    """The verdict on one frame: the instruction to show and whether capture may proceed.

    With exactly one face, ``measures`` and ``landmarks`` describe it, so a ready frame can
    become a best-frame candidate and a portrait crop without running the models again.
    """

    instruction: Instruction
    face_count: int
    measures: Measures | None
    landmarks: Landmarks | None = None

    @property
    def is_ready(self) -> bool:
        """True when every rule passed and this frame may be the captured one."""
        return self.instruction is Instruction.READY


# A generic head (millimetre-like units, x right, y down, z away from the camera), after the
# six-point model popularised by learnopencv.com: nose tip, chin, outer eye corners, mouth
# corners. Only rough angles are needed, so one average head is enough.
_HEAD_MODEL = np.array(
    [
        (0.0, 0.0, 0.0),
        (0.0, 330.0, 65.0),
        (-225.0, -170.0, 135.0),
        (225.0, -170.0, 135.0),
        (-150.0, 150.0, 125.0),
        (150.0, 150.0, 125.0),
    ],
    dtype=np.float64,
)
_EYE_SPAN = 450.0  # between the outer eye corners of _HEAD_MODEL
_SHARPNESS_WIDTH = 128


def _face_grey(image: Image, box: Box) -> npt.NDArray[np.uint8]:
    height, width = image.shape[:2]
    crop = image[
        max(box.top, 0) : min(box.bottom, height), max(box.left, 0) : min(box.right, width)
    ]
    return np.asarray(cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY), dtype=np.uint8)


def measure_sharpness(grey: npt.NDArray[np.uint8]) -> float:
    """Variance of the Laplacian over the grey variance, on the face scaled to 128 px wide.

    Dividing by the grey variance makes a dim or flat face not count as blurred, and the
    fixed scale makes a near face not count as blurred either.
    """
    scale = _SHARPNESS_WIDTH / grey.shape[1]
    scaled = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    variance = float(scaled.var())
    if variance == 0.0:
        return 0.0
    return float(cv2.Laplacian(scaled, cv2.CV_64F).var()) / variance


def estimate_pose(landmarks: Landmarks, frame_size: tuple[int, int]) -> Pose:
    """Yaw, pitch and roll from six landmarks fitted to a generic head (solvePnP).

    The camera is modelled with a focal length equal to the frame width and no distortion,
    which is accurate enough to tell a frontal face from one turned by 15 degrees.
    """
    width, height = frame_size
    points = np.array(
        [
            landmarks.nose_tip,
            landmarks.chin,
            landmarks.left_eye[0],
            landmarks.right_eye[3],
            landmarks.mouth_left,
            landmarks.mouth_right,
        ],
        dtype=np.float64,
    )
    camera = np.array([[width, 0, width / 2], [0, width, height / 2], [0, 0, 1]], dtype=np.float64)
    # Start from a frontal head in front of the camera: without this guess the iterative
    # solver sometimes lands on the mirror solution (a head facing away, roll near 180).
    guess = np.zeros((3, 1), dtype=np.float64)
    translation = np.array([[0.0], [0.0], [_depth(points, focal=width)]], dtype=np.float64)
    _, rotation, _ = cv2.solvePnP(
        _HEAD_MODEL,
        points,
        camera,
        np.zeros(4),
        guess,
        translation,
        useExtrinsicGuess=True,
        flags=cv2.SOLVEPNP_ITERATIVE,
    )
    matrix, _ = cv2.Rodrigues(rotation)
    return _angles(np.asarray(matrix, dtype=np.float64))


def _depth(points: npt.NDArray[np.float64], focal: float) -> float:
    # Pinhole camera: the outer eye corners are 450 model units apart, so their distance in
    # pixels gives the head's distance in model units.
    eye_span = float(np.linalg.norm(points[3] - points[2]))
    return focal * _EYE_SPAN / max(eye_span, 1.0)


def _angles(matrix: npt.NDArray[np.float64]) -> Pose:
    # Read the angles off the head's own axes (its forward and right directions in camera
    # coordinates) rather than an Euler decomposition, which flips roll by 180 degrees when
    # pitch is large.
    forward_x, forward_y, forward_z = matrix[:, 2]
    right_x, right_y, _ = matrix[:, 0]
    depth = abs(float(forward_z))
    return Pose(
        yaw=math.degrees(math.atan2(float(forward_x), depth)),
        pitch=math.degrees(math.atan2(-float(forward_y), depth)),
        roll=math.degrees(math.atan2(float(right_y), float(right_x))),
    )


def _distance(a: Point, b: Point) -> float:
    return math.dist(a, b)


def eye_aspect_ratio(eye: tuple[Point, ...]) -> float:
    """Lid opening over eye width (Soukupova and Cech, 2016): about 0.3 open, under 0.15 shut."""
    outer, upper_1, upper_2, inner, lower_2, lower_1 = eye
    width = _distance(outer, inner)
    if width == 0.0:
        return 0.0
    return (_distance(upper_1, lower_1) + _distance(upper_2, lower_2)) / (2.0 * width)


def measure_face(
    image: Image, box: Box, landmarks: Landmarks, rules: GuidanceRules = DEFAULT_RULES
) -> Measures:
    """Every measure of the one face in ``box``."""
    height, width = image.shape[:2]
    grey = _face_grey(image, box)
    centre_x, centre_y = box.centre
    return Measures(
        box=box,
        width=box.width / width,
        offset_x=centre_x / width - rules.target_x,
        offset_y=centre_y / height - rules.target_y,
        brightness=float(grey.mean()),
        contrast=float(grey.std()),
        sharpness=measure_sharpness(grey),
        pose=estimate_pose(landmarks, (width, height)),
        eye_openness=min(
            eye_aspect_ratio(landmarks.left_eye), eye_aspect_ratio(landmarks.right_eye)
        ),
    )


def _placement(measures: Measures, rules: GuidanceRules) -> Instruction | None:
    if measures.width < rules.min_width:
        return Instruction.MOVE_CLOSER
    if measures.width > rules.max_width:
        return Instruction.MOVE_BACK
    if max(abs(measures.offset_x), abs(measures.offset_y)) > rules.max_offset:
        return Instruction.CENTRE_FACE
    return None


def _lighting(measures: Measures, rules: GuidanceRules) -> Instruction | None:
    if measures.brightness < rules.min_brightness:
        return Instruction.MORE_LIGHT
    if measures.brightness > rules.max_brightness:
        return Instruction.LESS_LIGHT
    if measures.contrast < rules.min_contrast:
        return Instruction.EVEN_LIGHT
    return None


def _stillness_and_pose(measures: Measures, rules: GuidanceRules) -> Instruction | None:
    if measures.sharpness < rules.min_sharpness:
        return Instruction.HOLD_STILL
    pose = measures.pose
    if abs(pose.yaw) > rules.max_yaw or abs(pose.pitch) > rules.max_pitch:
        return Instruction.LOOK_STRAIGHT
    if abs(pose.roll) > rules.max_roll:
        return Instruction.STRAIGHTEN_HEAD
    if measures.eye_openness < rules.min_eye_openness:
        return Instruction.OPEN_EYES
    return None


def instruct(measures: Measures, rules: GuidanceRules = DEFAULT_RULES) -> Instruction:
    """The first broken rule's instruction, or ``READY`` when every rule passes."""
    for check in (_placement, _lighting, _stillness_and_pose):
        broken = check(measures, rules)
        if broken is not None:
            return broken
    return Instruction.READY


def analyse(
    image: Image,
    rules: GuidanceRules = DEFAULT_RULES,
    find_landmarks: LandmarkFinder = landmarks_68,
) -> Guidance:
    """Detect, measure and judge one frame: the whole guidance step for one analysed frame."""
    boxes = detect_faces(image)
    if len(boxes) != 1:
        instruction = Instruction.ONE_PERSON if boxes else Instruction.FACE_CAMERA
        return Guidance(instruction, len(boxes), None)
    landmarks = find_landmarks(image, boxes[0])
    measures = measure_face(image, boxes[0], landmarks, rules)
    return Guidance(instruct(measures, rules), 1, measures, landmarks)
