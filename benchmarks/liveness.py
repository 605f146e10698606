"""Liveness verifier speed, as the service runs it over a challenge.

Per analysed frame the service builds one sample (its pose fit) and re-checks the steps over
every sample so far; at the end it judges once (steps and passive checks: the homography fits).
Landmark finding is the face pipeline's cost (benchmarks/face.py) and is not measured here.
The clip is 6 s at 15 analysed frames a second (90 samples), a whole two-action challenge.
Run: ``PYTHONPATH=. .venv/bin/python benchmarks/liveness.py``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from kiosk.face.liveness.challenge import Action
from kiosk.face.liveness.series import Sample
from kiosk.face.liveness.verdict import judge, steps_so_far
from tests.support.heads import blink, samples, turn

ROUNDS = 30
CHALLENGE = (Action.LEFT, Action.RIGHT)


def _timed(work: Callable[[], object]) -> tuple[float, float]:
    timings = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        work()
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return statistics.median(timings), timings[int(0.95 * ROUNDS)]


def main() -> None:
    """Print median and p95 of each part, and the CPU a whole run costs."""
    clip = samples([turn("left", 1.0), blink(3.0), turn("right", 4.0)], seconds=6.0, fps=15.0)
    if not judge(CHALLENGE, clip).live:
        raise SystemExit("the benchmark clip should be live")
    frame = clip[len(clip) // 2]
    build, build95 = _timed(lambda: Sample(frame.t, frame.landmarks, frame.frame_size, frame.cues))
    steps, steps95 = _timed(lambda: steps_so_far(CHALLENGE, clip))
    final, final95 = _timed(lambda: judge(CHALLENGE, clip))
    print(f"one sample (pose fit): median {build:.2f} ms, p95 {build95:.2f} ms")
    print(f"steps over {len(clip)} samples: median {steps:.1f} ms, p95 {steps95:.1f} ms")
    print(f"final verdict over {len(clip)} samples: median {final:.1f} ms, p95 {final95:.1f} ms")
    whole = len(clip) * build + steps * (len(clip) + 1) / 2 + final
    print(f"a whole run: about {whole:.0f} ms of CPU besides finding the landmarks")


if __name__ == "__main__":
    main()
