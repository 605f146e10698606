"""Measuring liveness on a labelled set: APCER per attack species, the worst, and BPCER.

The set is a folder with ``manifest.json`` and one video per presentation. The manifest names
the seed that generated it and, for each clip, its file, ``species`` (``bona_fide`` or an
attack species), the ``challenge`` asked for and the actions ``performed``. Each clip is
judged against the challenge asked for. As ISO/IEC 30107-3 defines them: the attack
presentation classification error rate (APCER) of a species is the share of its attack
presentations classified as bona fide; the worst is the highest over species; the bona fide
presentation classification error rate (BPCER) is the share of bona fide presentations
classified as attacks. Counts are reported beside every rate.

The figures are labelled ``LABEL``: the set is synthetic (``kiosk face liveness-set``), and
says nothing about real prints, screens or masks. A set made with a tuning seed is reported
as not held out, since the thresholds were chosen on it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.face.liveness.challenge import Challenge, parse_challenge
from kiosk.face.liveness.verdict import LivenessResult

BONA_FIDE = "bona_fide"
TUNING_SEEDS = frozenset({1, 2})
"""Seeds of the sets the thresholds of ``LivenessRules`` were chosen on: never held out."""

LABEL = "synthetic — not evidence of attack detection on real presentations"


@dataclass(frozen=True, slots=True)
class SpeciesRate:
    """APCER of one attack species: ``accepted`` of ``attacks`` were classified bona fide."""

    species: str
    attacks: int
    accepted: int
    apcer: float
    reasons: dict[str, int]


@dataclass(frozen=True, slots=True)
class LivenessEvaluation:
    """The report of ``kiosk face liveness-eval``.

    Attributes:
        seed: the generator's seed; ``held_out`` is False when it was used for tuning.
        worst_apcer: the highest APCER over species (``worst_species``), None without attacks.
        bpcer: ``rejected`` of ``bona_fide`` presentations classified as attacks.
    """

    label: str
    seed: int | None
    held_out: bool
    species: tuple[SpeciesRate, ...]
    worst_apcer: float | None
    worst_species: str | None
    bona_fide: int
    rejected: int
    bpcer: float | None
    bona_fide_reasons: dict[str, int]


Judge = Callable[[Path, Challenge], LivenessResult]


def read_manifest(folder: Path) -> dict[str, Any]:
    """The set's manifest.

    Raises:
        DomainError: USAGE when the folder holds no readable ``manifest.json``.
    """
    try:
        manifest: dict[str, Any] = json.loads((folder / "manifest.json").read_text("utf-8"))
        if not isinstance(manifest.get("clips"), list):
            raise ValueError("no clips")
    except (OSError, ValueError) as err:
        raise DomainError(ErrorCode.USAGE, "not a liveness set (manifest.json)") from err
    return manifest


def evaluate(folder: Path, judge: Judge) -> LivenessEvaluation:
    """Judge every clip of the set in ``folder`` and report APCER per species and BPCER."""
    manifest = read_manifest(folder)
    verdicts: dict[str, list[LivenessResult]] = {}
    for clip in manifest["clips"]:
        result = judge(folder / clip["file"], parse_challenge(clip["challenge"]))
        verdicts.setdefault(clip["species"], []).append(result)
    genuine = verdicts.pop(BONA_FIDE, [])
    rates = tuple(
        SpeciesRate(
            name,
            len(results),
            accepted := sum(1 for r in results if r.live),
            accepted / len(results),
            _reasons(results),
        )
        for name, results in sorted(verdicts.items())
    )
    worst = max(rates, key=lambda rate: rate.apcer, default=None)
    rejected = sum(1 for r in genuine if not r.live)
    seed = manifest.get("seed")
    return LivenessEvaluation(
        label=LABEL,
        seed=seed,
        held_out=seed is not None and seed not in TUNING_SEEDS,
        species=rates,
        worst_apcer=None if worst is None else worst.apcer,
        worst_species=None if worst is None else worst.species,
        bona_fide=len(genuine),
        rejected=rejected,
        bpcer=rejected / len(genuine) if genuine else None,
        bona_fide_reasons=_reasons(genuine),
    )


def _reasons(results: list[LivenessResult]) -> dict[str, int]:
    counts = Counter(reason for result in results for reason in result.reasons)
    return dict(sorted(counts.items()))
