"""The thresholds of every liveness rule, in one value that configuration can replace.

They are engineering defaults chosen on the synthetic tuning set (seed ``TUNING_SEED`` of
``kiosk.face.liveness.evaluation``), not values validated on real presentations: the
evaluation says what they do on synthetic data and nothing more (docs/liveness.md).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LivenessRules:
    """Amplitudes, time limits and passive-cue limits.

    Attributes:
        baseline_seconds: the opening stretch whose median eye openness and yaw are "at rest".
        min_turn: degrees of yaw away from rest that count as a turn (a 5 degree turn fails).
        turn_noise: degrees beyond which a movement is a (possibly partial) turn at all.
        blink_drop: the share by which eye openness must fall below rest for a blink.
        partial_drop: the share from which a smaller closure counts as a partial blink.
        blink_reopen: the share of rest openness at which the eyes count as open again.
        max_blink: seconds the eyes may stay shut for it to be a blink.
        step_limit: seconds allowed for each action, counted from its cue (the start, or the
            previous action done).
        min_face_share: the share of frames that must show exactly one face.
        min_parallax: the median residual of a homography fit between the rest frame and the
            turned frames, over the eye span, below which the face moved as one plane.
        require_blink: whether a clip with no blink at all fails (a picture never blinks).
        max_moire: the median moiré score above which the face is taken to be on a screen.
        max_glare: the median share of saturated face pixels above which it is taken to be
            behind glass or on glossy paper.
    """

    baseline_seconds: float = 0.6
    min_turn: float = 20.0
    turn_noise: float = 4.0
    blink_drop: float = 0.3
    partial_drop: float = 0.15
    blink_reopen: float = 0.8
    max_blink: float = 1.0
    step_limit: float = 5.0
    min_face_share: float = 0.7
    min_parallax: float = 0.04
    require_blink: bool = True
    max_moire: float = 30.0
    max_glare: float = 0.02


DEFAULT_LIVENESS_RULES = LivenessRules()
