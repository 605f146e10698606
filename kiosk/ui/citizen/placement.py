"""Where the citizen window goes: full screen on a second monitor, else a side panel.

A pure decision over screen geometries, so it is tested without real monitors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRect


@dataclass(frozen=True, slots=True)
class Placement:
    """The citizen window's place: a screen's geometry, or None for the side panel."""

    screen: QRect | None

    @property
    def is_panel(self) -> bool:
        """Whether the citizen view shares the officer's screen as a side panel."""
        return self.screen is None


def choose_placement(screens: Sequence[QRect], primary: QRect) -> Placement:
    """The largest screen other than ``primary`` (the officer's), else the side panel."""
    others = [screen for screen in screens if screen != primary]
    if not others:
        return Placement(None)
    return Placement(max(others, key=lambda r: r.width() * r.height()))
