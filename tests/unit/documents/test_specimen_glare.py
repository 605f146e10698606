"""The specimen photographs' glare spot keeps to issue 9's range: the whole spot, not its core.

The benchmark's figures rest on the generator's ranges. The spot's strength was once still 0.8
on the ellipse drawn with the asked area, so the visible spot covered twice the asked share of
the card (up to 30 % where the issue says 15 %).
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from tests.support.specimens import TEMPLATE_HEIGHT, TEMPLATE_WIDTH, _add_glare


@pytest.mark.parametrize("seed", range(4))
def test_the_whole_spot_covers_the_asked_share_and_its_core_three_eighths(seed: int) -> None:
    card = np.full((TEMPLATE_HEIGHT, TEMPLATE_WIDTH, 3), 128, np.uint8)
    fraction = 0.02  # small enough that no drawn centre puts the spot past the card's edge
    _, strength = _add_glare(card, fraction, 400.0, random.Random(seed))
    assert float(np.mean(strength > 0)) == pytest.approx(fraction, rel=0.02)
    assert float(np.mean(strength >= 1)) == pytest.approx(fraction * 3 / 8, rel=0.03)


def test_no_glare_leaves_the_card_as_it_is() -> None:
    card = np.full((TEMPLATE_HEIGHT, TEMPLATE_WIDTH, 3), 128, np.uint8)
    lit, strength = _add_glare(card, 0.0, 400.0, random.Random(0))
    assert not strength.any()
    assert np.array_equal(lit, card)
