"""The specimen photographs' glare spot keeps to issue 9's range: the whole spot, not its core;
and ``glared_card`` (the benchmark's ceiling) is the card under that spot and the light, exactly.

The benchmark's figures rest on the generator's ranges. The spot's strength was once still 0.8
on the ellipse drawn with the asked area, so the visible spot covered twice the asked share of
the card (up to 30 % where the issue says 15 %).
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from tests.support.specimens import (
    TEMPLATE_HEIGHT,
    TEMPLATE_WIDTH,
    Background,
    Card,
    Kind,
    _add_glare,
    _glare_spot,
    empty_photo,
    glared_card,
    photograph_with,
)


@pytest.mark.parametrize("seed", range(4))
def test_the_whole_spot_covers_the_asked_share_and_its_core_three_eighths(seed: int) -> None:
    card = np.full((TEMPLATE_HEIGHT, TEMPLATE_WIDTH, 3), 128, np.uint8)
    fraction = 0.02  # small enough that no drawn centre puts the spot past the card's edge
    _, strength = _add_glare(card, _glare_spot(fraction, 400.0, random.Random(seed)))
    assert float(np.mean(strength > 0)) == pytest.approx(fraction, rel=0.02)
    assert float(np.mean(strength >= 1)) == pytest.approx(fraction * 3 / 8, rel=0.03)


def test_no_glare_leaves_the_card_as_it_is() -> None:
    card = np.full((TEMPLATE_HEIGHT, TEMPLATE_WIDTH, 3), 128, np.uint8)
    assert _glare_spot(0.0, 400.0, random.Random(0)) is None
    lit, strength = _add_glare(card, None)
    assert not strength.any()
    assert np.array_equal(lit, card)


def test_the_glared_card_is_the_card_under_its_glare_and_light(cards: dict[Kind, Card]) -> None:
    card = cards[Kind.BHYT]
    photo = photograph_with(card, seed=3, glare_fraction=0.1, light=0.8, finger_corner=None)
    assert photo.glare is not None
    glared = glared_card(photo)
    centre_x, centre_y = (round(v) for v in photo.glare.centre)
    assert (glared[centre_y, centre_x] == 255).all()  # the plateau saturates
    _, strength = _add_glare(card.image, photo.glare)
    untouched = strength == 0
    expected = np.clip(card.image.astype(np.float32) * np.float32(0.8), 0, 255).astype(np.uint8)
    assert np.array_equal(glared[untouched], expected[untouched])


def test_a_photograph_without_glare_or_card(cards: dict[Kind, Card]) -> None:
    card = cards[Kind.CCCD]
    plain = photograph_with(card, seed=3, glare_fraction=0.0, light=0.7)
    assert plain.glare is None
    expected = np.clip(card.image.astype(np.float32) * np.float32(0.7), 0, 255).astype(np.uint8)
    assert np.array_equal(glared_card(plain), expected)
    with pytest.raises(ValueError, match="without a card"):
        glared_card(empty_photo(Background.WOOD, random.Random(0)))
