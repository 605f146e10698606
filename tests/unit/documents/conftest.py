"""Specimen cards for the document tests, rendered once per session (Qt draws the text)."""

from __future__ import annotations

import os
import random

import pytest
from PySide6.QtWidgets import QApplication

from tests.support.specimens import Card, Kind, make_card, make_person

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session")
def cards(qapp: QApplication) -> dict[Kind, Card]:
    """One specimen card of each kind (``qapp`` starts Qt first)."""
    rng = random.Random(9)
    return {kind: make_card(kind, make_person(rng)) for kind in Kind}
