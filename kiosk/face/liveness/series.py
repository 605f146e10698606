"""Per-frame liveness samples, their eye-openness and yaw signals, and the events in them.

A blink is the eye aspect ratio (``kiosk.face.quality.eye_aspect_ratio``, both eyes averaged)
falling well below its value at rest and coming back within a second; a turn is the yaw
(``kiosk.face.quality.estimate_pose``) moving away from its value at rest. Movements that start
but never reach the minimum amplitude are kept as incomplete events, so a 5 degree turn is
reported as partial rather than as nothing.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from kiosk.face.detect import Landmarks
from kiosk.face.liveness.challenge import Action
from kiosk.face.liveness.rules import LivenessRules
from kiosk.face.quality import estimate_pose, eye_aspect_ratio


@dataclass(frozen=True, slots=True)
class ScreenCues:
    """What the pixels of one face say about a screen or glossy print (``passive.screen_cues``).

    Attributes:
        moire: the strongest fine periodic pattern over the typical one (about 3 to 6 on skin).
        glare: the share of face pixels saturated in every channel.
    """

    moire: float
    glare: float


@dataclass(frozen=True, slots=True)
class Sample:
    """One analysed frame of a challenge.

    Attributes:
        t: seconds since the challenge started (its first cue).
        landmarks: the one face's landmarks, or None with no face or several.
        frame_size: the frame's width and height in pixels (the pose model needs them).
        cues: the face's screen cues, or None with no face.
        yaw, openness: the head's yaw (degrees) and the eyes' openness, measured from the
            landmarks on construction (None with no face).
    """

    t: float
    landmarks: Landmarks | None
    frame_size: tuple[int, int]
    cues: ScreenCues | None = None
    yaw: float | None = field(init=False, default=None)
    openness: float | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        # Measured once, when the frame is analysed: a live run judges its samples again
        # after every frame, and the pose fit is the costly part.
        if self.landmarks is not None:
            object.__setattr__(self, "yaw", estimate_pose(self.landmarks, self.frame_size).yaw)
            object.__setattr__(self, "openness", openness(self.landmarks))


@dataclass(frozen=True, slots=True)
class Event:
    """A blink or turn found in the signals.

    Attributes:
        start: when it reached its minimum amplitude (or, for an incomplete one, when it began).
        end: when the eyes were open again or the head back near rest.
        amplitude: degrees of yaw for a turn; the share of eye openness lost for a blink.
        complete: it reached the minimum amplitude (and a blink reopened in time).
    """

    action: Action
    start: float
    end: float
    amplitude: float
    complete: bool


@dataclass(frozen=True, slots=True)
class Signals:
    """The samples with a face, their mean eye aspect ratio and yaw, and the values at rest."""

    times: tuple[float, ...]
    openness: tuple[float, ...]
    yaw: tuple[float, ...]
    rest_openness: float
    rest_yaw: float
    rest_index: int


def openness(landmarks: Landmarks) -> float:
    """The mean eye aspect ratio of both eyes (one closing eye is a wink, half a blink)."""
    return (eye_aspect_ratio(landmarks.left_eye) + eye_aspect_ratio(landmarks.right_eye)) / 2


def signals(samples: Sequence[Sample], rules: LivenessRules) -> Signals | None:
    """Eye openness and yaw of every sample with a face; None when no sample has one.

    "At rest" is the median over the first ``baseline_seconds`` with a face: the challenge
    starts with guidance's ready frame, a frontal face with open eyes.
    """
    found = [(s.t, s.openness, s.yaw) for s in samples if s.openness is not None]
    if not found:
        return None
    times = tuple(t for t, _, _ in found)
    opened = tuple(value for _, value, _ in found if value is not None)
    yaw = tuple(value for _, _, value in found if value is not None)
    window = [i for i, t in enumerate(times) if t <= times[0] + rules.baseline_seconds]
    rest_yaw = statistics.median(yaw[i] for i in window)
    rest_index = min(window, key=lambda i: abs(yaw[i] - rest_yaw))
    return Signals(
        times, opened, yaw, statistics.median(opened[i] for i in window), rest_yaw, rest_index
    )


def turns(found: Signals, rules: LivenessRules) -> list[Event]:
    """Every movement of the yaw beyond ``turn_noise`` from rest, one event per excursion.

    ``LEFT`` is the citizen's left: on a camera that does not mirror, the nose then moves to
    the image's right and the yaw of ``estimate_pose`` (whose head model looks away from the
    camera) falls.
    """
    events: list[Event] = []
    current: list[tuple[float, float]] = []
    for t, yaw in zip(found.times, found.yaw, strict=True):
        turn = yaw - found.rest_yaw
        if abs(turn) >= rules.turn_noise and (not current or current[0][1] * turn > 0):
            current.append((t, turn))
            continue
        if current:
            events.append(_turn(current, t, rules))
            current = [(t, turn)] if abs(turn) >= rules.turn_noise else []
    if current:
        events.append(_turn(current, current[-1][0], rules))
    return events


def _turn(points: list[tuple[float, float]], end: float, rules: LivenessRules) -> Event:
    peak = max(abs(turn) for _, turn in points)
    complete = peak >= rules.min_turn
    start = next((t for t, turn in points if abs(turn) >= rules.min_turn), points[0][0])
    action = Action.LEFT if points[0][1] < 0 else Action.RIGHT
    return Event(action, start, end, peak, complete)


def blinks(found: Signals, rules: LivenessRules) -> list[Event]:
    """Every closure of the eyes by at least ``partial_drop`` of rest, one event per closure."""
    if found.rest_openness <= 0.0:
        return []
    events: list[Event] = []
    closed: list[tuple[float, float]] = []
    for t, value in zip(found.times, found.openness, strict=True):
        drop = 1.0 - value / found.rest_openness
        if drop >= rules.partial_drop:
            closed.append((t, drop))
        elif closed and value >= rules.blink_reopen * found.rest_openness:
            events.append(_blink(closed, t, rules, reopened=True))
            closed = []
    if closed:
        events.append(_blink(closed, closed[-1][0], rules, reopened=False))
    return events


def _blink(
    points: list[tuple[float, float]], end: float, rules: LivenessRules, *, reopened: bool
) -> Event:
    peak = max(drop for _, drop in points)
    start = next((t for t, drop in points if drop >= rules.blink_drop), points[0][0])
    in_time = end - points[0][0] <= rules.max_blink
    return Event(Action.BLINK, start, end, peak, peak >= rules.blink_drop and reopened and in_time)
