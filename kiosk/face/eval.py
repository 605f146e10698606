"""Measuring the matcher on a labelled folder: FMR and FNMR per threshold.

The folder holds one sub-folder per person with that person's images (``person/image.jpg``).
Every pair of images is compared: pairs of one person are genuine, pairs across people are
impostors. The false match rate (FMR) at a threshold is the share of impostor pairs at or
under it; the false non-match rate (FNMR) the share of genuine pairs above it. The operating
threshold is the largest one whose FMR stays at or under the target (0.1 %), which is only
meaningful with at least 1 / target impostor pairs: ``is_resolved`` says whether there were.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kiosk.face.detect import Encoding
from kiosk.face.errors import FaceError
from kiosk.face.images import decode_image
from kiosk.face.match import encode_single

_log = logging.getLogger(__name__)

TARGET_FMR = 0.001
THRESHOLDS = tuple(round(0.30 + 0.01 * step, 2) for step in range(41))
"""0.30 to 0.70 in steps of 0.01: the range where dlib's descriptors are decided."""

_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".jp2", ".j2k"})


@dataclass(frozen=True, slots=True)
class ErrorRates:
    """FMR and FNMR at one threshold."""

    threshold: float
    fmr: float
    fnmr: float


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The whole report of ``kiosk face eval``.

    ``threshold_at_target`` is None when no threshold reaches the target FMR. ``skipped``
    counts images without exactly one readable face (they are left out of every pair).
    """

    rates: tuple[ErrorRates, ...]
    target_fmr: float
    threshold_at_target: float | None
    genuine_pairs: int
    impostor_pairs: int
    people: int
    images: int
    skipped: int

    @property
    def is_resolved(self) -> bool:
        """True when there are enough impostor pairs to measure the target FMR at all."""
        return self.impostor_pairs * self.target_fmr >= 1.0


def error_rates(
    genuine: Sequence[float], impostor: Sequence[float], thresholds: Sequence[float]
) -> tuple[ErrorRates, ...]:
    """FMR and FNMR at each threshold, from the genuine and impostor distances."""
    same, other = np.asarray(genuine), np.asarray(impostor)
    return tuple(
        ErrorRates(
            threshold=threshold,
            fmr=float(np.mean(other <= threshold)) if other.size else 0.0,
            fnmr=float(np.mean(same > threshold)) if same.size else 0.0,
        )
        for threshold in thresholds
    )


def threshold_at(rates: Sequence[ErrorRates], target_fmr: float) -> float | None:
    """The largest threshold whose FMR is at most ``target_fmr`` (the least strict safe one)."""
    safe = [rate.threshold for rate in rates if rate.fmr <= target_fmr]
    return max(safe) if safe else None


def pair_distances(
    labelled: Sequence[tuple[str, Encoding]],
) -> tuple[list[float], list[float]]:
    """Distances of every genuine pair and every impostor pair."""
    genuine: list[float] = []
    impostor: list[float] = []
    for (person_a, a), (person_b, b) in itertools.combinations(labelled, 2):
        distance = float(np.linalg.norm(a - b))
        (genuine if person_a == person_b else impostor).append(distance)
    return genuine, impostor


def _images(folder: Path) -> list[tuple[str, Path]]:
    return [
        (person.name, image)
        for person in sorted(p for p in folder.iterdir() if p.is_dir())
        for image in sorted(person.iterdir())
        if image.suffix.lower() in _SUFFIXES
    ]


def _encode_file(path: Path) -> Encoding | None:
    try:
        return encode_single(decode_image(path.read_bytes()))
    except FaceError as err:
        _log.info("eval: skipping an image: %s", err.code)
        return None


def evaluate(
    folder: Path,
    thresholds: Sequence[float] = THRESHOLDS,
    target_fmr: float = TARGET_FMR,
    encode: Callable[[Path], Encoding | None] = _encode_file,
) -> Evaluation:
    """Encode every image of a labelled folder and report the error rates.

    Args:
        folder: one sub-folder per person, each holding that person's images.
        thresholds: the thresholds to report.
        target_fmr: the FMR the operating threshold must not exceed.
        encode: turns an image file into a descriptor, or None to skip it.
    """
    files = _images(folder)
    encoded = [(person, encode(path)) for person, path in files]
    labelled = [(person, encoding) for person, encoding in encoded if encoding is not None]
    genuine, impostor = pair_distances(labelled)
    rates = error_rates(genuine, impostor, thresholds)
    return Evaluation(
        rates=rates,
        target_fmr=target_fmr,
        threshold_at_target=threshold_at(rates, target_fmr),
        genuine_pairs=len(genuine),
        impostor_pairs=len(impostor),
        people=len({person for person, _ in files}),
        images=len(files),
        skipped=len(files) - len(labelled),
    )
