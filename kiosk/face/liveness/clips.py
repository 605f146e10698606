"""Liveness samples from frames: one analysed frame becomes one ``Sample``; a clip, a list.

The live session (``kiosk.services.liveness``) and the command line share ``sample_of``, so a
recorded clip is judged exactly as a live one would be. A clip's time is its frame number over
its frame rate, not the wall clock: judging a clip on a slow machine gives the same verdict.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from kiosk.face.detect import Image
from kiosk.face.engine import FaceEngine
from kiosk.face.errors import ImageUnreadable
from kiosk.face.liveness.challenge import Challenge
from kiosk.face.liveness.passive import screen_cues
from kiosk.face.liveness.rules import DEFAULT_LIVENESS_RULES, LivenessRules
from kiosk.face.liveness.series import Sample
from kiosk.face.liveness.verdict import LivenessResult, judge
from kiosk.face.quality import Guidance

MAX_CLIP_SECONDS = 60.0
"""Longer clips are judged on their first minute: a challenge takes seconds."""

DEFAULT_FPS = 30.0


def sample_of(t: float, image: Image, guidance: Guidance) -> Sample:
    """The sample of one analysed frame (landmarks and screen cues only with exactly one face)."""
    height, width = image.shape[:2]
    landmarks = guidance.landmarks if guidance.face_count == 1 else None
    cues = None if landmarks is None else screen_cues(image, landmarks)
    return Sample(t, landmarks, (width, height), cues)


def clip_frames(path: Path) -> Iterator[tuple[float, Image]]:
    """Each frame of a video file with its time in seconds (frame number over frame rate).

    Raises:
        ImageUnreadable: the file cannot be opened as a video or holds no frame.
    """
    capture = cv2.VideoCapture(str(path))
    try:
        if not capture.isOpened():
            raise ImageUnreadable("video cannot be opened")
        fps = float(capture.get(cv2.CAP_PROP_FPS)) or DEFAULT_FPS
        index = 0
        while index < MAX_CLIP_SECONDS * fps:
            ok, image = capture.read()
            if not ok:
                break
            yield index / fps, np.asarray(image, dtype=np.uint8)
            index += 1
        if index == 0:
            raise ImageUnreadable("video without frames")
    finally:
        capture.release()


def judge_clip(
    path: Path,
    challenge: Challenge,
    engine: FaceEngine,
    rules: LivenessRules = DEFAULT_LIVENESS_RULES,
) -> LivenessResult:
    """The verdict on a recorded clip for ``challenge``, its first frame being the first cue."""
    samples = [sample_of(t, image, engine.analyse(image)) for t, image in clip_frames(path)]
    return judge(challenge, samples, rules)
