"""Threshold evaluation: error rates per threshold, the threshold at the target FMR."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.face.eval import ErrorRates, error_rates, evaluate, pair_distances, threshold_at


def test_error_rates_count_at_or_under_as_a_match() -> None:
    rates = error_rates(genuine=[0.2, 0.4, 0.6], impostor=[0.4, 0.7, 0.8, 0.9], thresholds=[0.4])
    assert rates == (ErrorRates(threshold=0.4, fmr=0.25, fnmr=1 / 3),)


def test_no_pairs_give_zero_rates() -> None:
    assert error_rates([], [], [0.5]) == (ErrorRates(0.5, 0.0, 0.0),)


def test_the_threshold_at_target_is_the_largest_safe_one() -> None:
    rates = [ErrorRates(0.3, 0.0, 0.5), ErrorRates(0.4, 0.0, 0.2), ErrorRates(0.5, 0.01, 0.1)]
    assert threshold_at(rates, target_fmr=0.001) == 0.4
    assert threshold_at(rates[2:], target_fmr=0.001) is None


def test_pairs_are_genuine_within_a_person_and_impostor_across() -> None:
    labelled = [("a", np.zeros(2)), ("a", np.array([0.0, 0.3])), ("b", np.array([0.4, 0.0]))]
    genuine, impostor = pair_distances(labelled)
    assert genuine == pytest.approx([0.3])
    assert sorted(impostor) == pytest.approx([0.4, 0.5])


def _labelled_folder(root: Path, faces) -> Path:
    variants = {
        "hopper": [faces.frame(faces.HOPPER), faces.frame(faces.HOPPER, face_width=140)],
        "collins": [faces.frame(faces.ASTRONAUT), faces.frame(faces.ASTRONAUT, face_width=150)],
    }
    for person, images in variants.items():
        (root / person).mkdir()
        for index, image in enumerate(images):
            cv2.imwrite(str(root / person / f"{index}.jpg"), image)
    (root / "collins" / "notes.txt").write_text("ignored")
    cv2.imwrite(str(root / "collins" / "blank.png"), np.full((240, 320, 3), 80, np.uint8))
    return root


def test_evaluate_a_labelled_folder(tmp_path: Path, faces) -> None:
    report = evaluate(_labelled_folder(tmp_path, faces))
    assert (report.people, report.images, report.skipped) == (2, 5, 1)
    assert (report.genuine_pairs, report.impostor_pairs) == (2, 4)
    assert not report.is_resolved  # 4 impostor pairs cannot measure an FMR of 0.1 %
    at_target = {rate.threshold: rate for rate in report.rates}[report.threshold_at_target]
    assert at_target.fmr <= report.target_fmr


def test_evaluate_uses_the_given_encoder(tmp_path: Path) -> None:
    for person in ("p", "q"):
        (tmp_path / person).mkdir()
        for index in range(3):
            (tmp_path / person / f"{index}.png").write_bytes(b"")
    codes = {"p": 0.0, "q": 1.0}
    report = evaluate(tmp_path, encode=lambda path: np.array([codes[path.parent.name]]))
    assert report.threshold_at_target == 0.70
    assert all(rate.fnmr == 0.0 for rate in report.rates)
