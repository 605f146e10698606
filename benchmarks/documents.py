"""Benchmark of card scanning on generated photographs: found, decoded, false detections, time.

Usage: ``python benchmarks/documents.py --seed N [--count 300] [--no-card 20]``. The photographs
come from ``tests/support/specimens.py`` (specimen GPLX, BHYT and CCCD cards photographed with
the ranges of issue 9), 1920 x 1080, encoded as JPEG (quality 90) so decoding is timed too.
"Found" means every corner within 2 % of the card's diagonal of the generator's truth, in the
card's own corner order (so a card found but left upside down counts as found, and is counted
again under "upright"); "decoded" means the QR text is identical to the payload printed.
Decoding is also counted over the photographs whose QR symbol is intact (under 1 % of it beneath
the glare's core or a finger, as the generator reports): a covered symbol has lost what error
correction restores, and the scan must then give a reason to retake instead ("silent" counts
the cards neither decoded nor given any reason). ``--profile`` adds each stage's share of the
time (cProfile's cumulative time, so slower than the plain run). The script prints figures and
asserts nothing; the targets are in issue 9.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.documents.scan import ScanResult, scan
from kiosk.domain.documents import DocumentKind
from tests.support.specimens import Photo, iter_photos, qt_application


def main() -> None:
    """Generate, scan and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--count", type=int, default=300, help="photographs with a card")
    parser.add_argument("--no-card", type=int, default=20, help="photographs without a card")
    parser.add_argument("--verbose", action="store_true", help="list every failure")
    parser.add_argument("--profile", action="store_true", help="time each stage (cProfile)")
    args = parser.parse_args()
    qt_application()
    tally: Counter[str] = Counter()
    timings = []
    profile = cProfile.Profile() if args.profile else None
    for index, photo in enumerate(iter_photos(args.seed, args.count, args.no_card)):
        _, encoded = cv2.imencode(".jpg", photo.image, [cv2.IMWRITE_JPEG_QUALITY, 90])
        kind = DocumentKind(photo.card.kind.value) if photo.card else DocumentKind.CCCD
        if profile is not None:
            profile.enable()
        begin = time.perf_counter()
        result = scan(bytes(encoded), kind)
        timings.append((time.perf_counter() - begin) * 1000)
        if profile is not None:
            profile.disable()
        _count(tally, index, photo, result, args.verbose)
    _report(tally, timings)
    if profile is not None:
        _report_stages(profile, len(timings))


def _count(
    tally: Counter[str], index: int, photo: Photo, result: ScanResult, verbose: bool
) -> None:
    if photo.corners is None:
        tally["no_card"] += 1
        tally["false_detection"] += result.found
        return
    tally["cards"] += 1
    found, upright = _corners_match(photo, result)
    decoded = photo.card is not None and result.qr_text == photo.card.payload
    reasons = result.quality.reasons if result.quality else ()
    tally["found"] += found
    tally["upright"] += upright
    tally["decoded"] += decoded
    tally["parsed"] += result.fields is not None
    tally["wrong_text"] += result.qr_text is not None and not decoded
    if photo.qr_covered < _INTACT:
        tally["intact"] += 1
        tally["intact_decoded"] += decoded
    tally["silent"] += not decoded and not reasons
    for reason in reasons:
        tally[f"reason:{reason.value}"] += 1
    if verbose and not (found and upright and decoded) and photo.spec is not None:
        spec = photo.spec
        kind = photo.card.kind if photo.card else ""
        print(
            f"  #{index} {kind} found={found} upright={upright} decoded={decoded} "
            f"bg={spec.background} tilt={spec.tilt:.0f} blur={spec.blur_sigma:.1f} "
            f"glare={spec.glare_fraction:.2f} finger={spec.finger_corner} "
            f"width={spec.width_fraction:.2f} covered={photo.qr_covered:.2f} "
            f"reasons={','.join(reasons)}",
            flush=True,
        )


def _corners_match(photo: Photo, result: ScanResult) -> tuple[bool, bool]:
    """(found in some corner order, found in the upright order)."""
    if photo.corners is None or result.corners is None:
        return False, False
    truth = np.array(photo.corners)
    found = np.array(result.corners)
    limit = 0.02 * float(np.linalg.norm(truth[0] - truth[2]))
    shifts = [
        bool(np.all(np.linalg.norm(np.roll(found, k, axis=0) - truth, axis=1) < limit))
        for k in range(4)
    ]
    return any(shifts), shifts[0]


def _report(tally: Counter[str], timings: list[float]) -> None:
    cards, empty = tally["cards"], tally["no_card"]
    print(f"cards: {cards}, no-card images: {empty}")
    for name in ("found", "upright", "decoded", "parsed"):
        print(f"{name:>8}: {tally[name]:4d} / {cards} = {100 * tally[name] / max(1, cards):.1f} %")
    intact = tally["intact"]
    print(
        f"decoded, intact QR: {tally['intact_decoded']} / {intact} = "
        f"{100 * tally['intact_decoded'] / max(1, intact):.1f} %"
    )
    print(f"wrong QR text: {tally['wrong_text']}; neither decoded nor a reason: {tally['silent']}")
    print(f"false detections: {tally['false_detection']} / {empty}")
    reasons = {k.split(":", 1)[1]: v for k, v in tally.items() if k.startswith("reason:")}
    print(f"quality reasons: {dict(sorted(reasons.items()))}")
    ordered = sorted(timings)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    print(
        f"ms per image: mean {statistics.mean(timings):.0f}, "
        f"median {statistics.median(timings):.0f}, p95 {p95:.0f}, max {ordered[-1]:.0f}"
    )


def _report_stages(profile: cProfile.Profile, images: int) -> None:
    """Cumulative milliseconds per image of each stage of ``scan`` (under cProfile)."""
    stats = pstats.Stats(profile)
    rows = stats.stats  # type: ignore[attr-defined]  # pstats keeps its table untyped
    for stage in _STAGES:
        total = sum(row[3] for key, row in rows.items() if key[2] == stage)
        print(f"  {stage:>16}: {1000 * total / images:6.1f} ms per image (profiled)")


_INTACT = 0.01
_STAGES = (
    "decode_image",
    "find_card",
    "flatten",
    "decode_card_qr",
    "is_upside_down_by_layout",
    "assess",
)


if __name__ == "__main__":
    main()
