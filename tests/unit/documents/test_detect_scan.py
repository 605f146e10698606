"""Detection, flattening, quality and QR decoding on generated photographs (hard cases pinned)."""

from __future__ import annotations

import json
import random
import zlib

import cv2
import numpy as np
import pytest

from kiosk.documents.detect import find_card
from kiosk.documents.report import scan_report
from kiosk.documents.scan import scan_image
from kiosk.documents.warp import FLAT_SIZE
from kiosk.domain.cccd import CccdQr
from kiosk.domain.documents import DocumentKind, QualityReason
from tests.support.specimens import Background, Card, Kind, Photo, empty_photo, photograph_with


def corner_errors(photo: Photo, corners: object) -> float:
    """The largest corner error over the card's diagonal, in the best cyclic order."""
    assert photo.corners is not None
    truth = np.array(photo.corners)
    found = np.array(corners)
    diagonal = float(np.linalg.norm(truth[0] - truth[2]))
    return (
        min(
            float(np.linalg.norm(np.roll(found, k, axis=0) - truth, axis=1).max()) for k in range(4)
        )
        / diagonal
    )


HARD_CASES = {
    "full tilt on cloth": {
        "tilt": 35.0,
        "background": Background.CLOTH,
        "width_fraction": 0.55,
        "blur_sigma": 1.0,
    },
    "card-coloured surface": {
        "background": Background.CARD_COLOURED,
        "tilt": 20.0,
        "width_fraction": 0.6,
    },
    "wood, strong blur and glare": {
        "background": Background.WOOD,
        "blur_sigma": 2.0,
        "glare_fraction": 0.15,
    },
    "white paper, small card": {
        "background": Background.PAPER,
        "width_fraction": 0.36,
        "tilt": 25.0,
        "finger_corner": None,
        "glare_fraction": 0.0,  # glare on the edge against white paper: see the report
    },
    "finger over a corner": {"finger_corner": 2, "width_fraction": 0.6, "tilt": 15.0},
}


# "wood, strong blur and glare" on the CCCD: the header, printed close to the card's top edge,
# merged with it when the search copy was 640 pixels wide, and that side was fitted along the text.
@pytest.mark.parametrize(("case", "kind"), [(case, kind) for case in HARD_CASES for kind in Kind])
def test_card_found_within_two_percent_of_its_diagonal(
    cards: dict[Kind, Card], case: str, kind: Kind
) -> None:
    photo = photograph_with(
        cards[kind], seed=zlib.crc32(f"{case}/{kind}".encode()) % 1000, **HARD_CASES[case]
    )
    outline = find_card(photo.image)
    assert outline is not None
    assert corner_errors(photo, outline.corners) < 0.02


@pytest.mark.parametrize("background", list(Background))
def test_no_card_is_found_on_an_empty_surface(qapp: object, background: Background) -> None:
    for seed in range(3):
        assert find_card(empty_photo(background, random.Random(seed)).image) is None


def test_scan_flattens_turns_upright_and_decodes(cards: dict[Kind, Card]) -> None:
    card = cards[Kind.CCCD]
    photo = photograph_with(
        card,
        seed=4,
        rotation=200.0,
        tilt=10.0,
        width_fraction=0.7,
        blur_sigma=0.5,
        glare_fraction=0.0,
        finger_corner=None,
    )
    result = scan_image(photo.image, DocumentKind.CCCD)
    assert result.found
    assert result.upright
    assert result.flat is not None
    assert result.flat.shape == (FLAT_SIZE[1], FLAT_SIZE[0], 3)
    assert photo.corners is not None
    assert result.corners is not None
    truth, found = np.array(photo.corners), np.array(result.corners)
    assert np.linalg.norm(found - truth, axis=1).max() < 0.02 * np.linalg.norm(truth[0] - truth[2])
    assert result.qr_text == card.payload
    assert isinstance(result.fields, CccdQr)
    assert result.access is not None
    assert result.access.id_number == card.person.id_number
    assert result.png().startswith(b"\x89PNG")


def test_scan_cross_checks_with_the_chip(cards: dict[Kind, Card]) -> None:
    card = cards[Kind.BHYT]
    person = card.person
    photo = photograph_with(
        card,
        seed=5,
        tilt=5.0,
        width_fraction=0.75,
        blur_sigma=0.3,
        glare_fraction=0.0,
        finger_corner=None,
    )
    chip = {
        "full_name": person.full_name.upper(),
        "date_of_birth": "1900-01-01",
        "sex": "F" if person.is_female else "M",
    }
    result = scan_image(photo.image, DocumentKind.BHYT, chip)
    assert result.cross_check is not None
    assert [c.field for c in result.cross_check.mismatches] == ["date_of_birth"]
    report = json.loads(json.dumps(scan_report(result)))
    assert report["mismatches"] == 1
    assert report["fields"]["full_name"] == person.full_name
    assert report["fields"]["code"]["social_insurance_number"] == person.bhyt_code[5:]


def test_quality_reasons_name_what_to_fix(cards: dict[Kind, Card]) -> None:
    card = cards[Kind.GPLX]
    small = scan_image(
        photograph_with(card, seed=6, width_fraction=0.36, tilt=0.0, finger_corner=None).image,
        DocumentKind.GPLX,
    )
    assert small.quality is not None
    assert QualityReason.TOO_SMALL in small.quality.reasons
    dark = scan_image(
        photograph_with(card, seed=7, width_fraction=0.7, light=0.2, finger_corner=None).image,
        DocumentKind.GPLX,
    )
    assert dark.quality is not None
    assert QualityReason.TOO_DARK in dark.quality.reasons
    finger = scan_image(
        photograph_with(card, seed=8, width_fraction=0.6, finger_corner=1, tilt=10.0).image,
        DocumentKind.GPLX,
    )
    assert finger.quality is not None
    assert QualityReason.CORNER_CUT in finger.quality.reasons
    clean = scan_image(
        photograph_with(
            card,
            seed=9,
            width_fraction=0.75,
            tilt=5.0,
            blur_sigma=0.0,
            glare_fraction=0.0,
            finger_corner=None,
            light=0.85,
        ).image,
        DocumentKind.GPLX,
    )
    assert clean.quality is not None
    assert clean.quality.reasons == ()


def test_blur_up_to_two_pixels_passes_and_heavy_blur_does_not(cards: dict[Kind, Card]) -> None:
    photo = photograph_with(
        cards[Kind.BHYT],
        seed=11,
        width_fraction=0.7,
        tilt=8.0,
        blur_sigma=2.0,
        glare_fraction=0.0,
        finger_corner=None,
        light=0.8,
    )
    soft = scan_image(photo.image, DocumentKind.BHYT)
    assert soft.quality is not None
    assert soft.quality.reasons == ()
    assert soft.qr_text == cards[Kind.BHYT].payload
    blurred = np.asarray(cv2.GaussianBlur(photo.image, (0, 0), 5.0), np.uint8)
    heavy = scan_image(blurred, DocumentKind.BHYT)
    assert heavy.quality is not None
    assert QualityReason.BLUR in heavy.quality.reasons
