"""Turning a card upright by its text's baselines when its QR cannot be read."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from kiosk.documents.scan import scan_image
from kiosk.documents.text_orientation import is_upside_down_by_text
from kiosk.documents.warp import FLAT_SIZE
from kiosk.domain.documents import DocumentKind
from tests.support.specimens import Card, Kind, photograph_with, without_qr


@pytest.mark.parametrize("kind", list(Kind))
def test_flat_card_orientation_from_text(cards: dict[Kind, Card], kind: Kind) -> None:
    flat = np.asarray(cv2.resize(without_qr(cards[kind]).image, FLAT_SIZE), np.uint8)
    assert is_upside_down_by_text(flat) is False
    assert is_upside_down_by_text(np.asarray(cv2.rotate(flat, cv2.ROTATE_180))) is True


def test_a_card_without_text_does_not_decide() -> None:
    blank = np.full((FLAT_SIZE[1], FLAT_SIZE[0], 3), 210, np.uint8)
    assert is_upside_down_by_text(blank) is None


# Turned past 90 degrees, so the detector's corner order starts at the card's bottom right.
TURNED = {"rotation": 170.0, "tilt": 12.0, "width_fraction": 0.7, "blur_sigma": 0.8}
STILL = {"glare_fraction": 0.0, "finger_corner": None}


@pytest.mark.parametrize("kind", [Kind.GPLX, Kind.BHYT])
def test_scan_turns_a_card_upright_without_its_qr(cards: dict[Kind, Card], kind: Kind) -> None:
    photo = photograph_with(without_qr(cards[kind]), seed=5, **TURNED, **STILL)
    result = scan_image(photo.image, DocumentKind(kind.value))
    assert (result.qr_text, result.upright) == (None, True)
    truth, found = np.array(photo.corners), np.array(result.corners)
    assert np.linalg.norm(found - truth, axis=1).max() < 0.02 * np.linalg.norm(truth[0] - truth[2])
