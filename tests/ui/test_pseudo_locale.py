"""Every visible text comes from the catalogue: under a pseudo-locale each is wrapped in ⟪ ⟫.

What may stay unwrapped is data, not wording: names and user names, key names, numbers, the
station's unit name (marked with the ``kioskData`` property) and the DEMO mark.
"""

from __future__ import annotations

import re
from pathlib import Path

from pytestqt.qtbot import QtBot

from kiosk.ui.language import switch_language
from kiosk.ui.main_window import MainWindow
from kiosk.ui.texts import DATA_PROPERTY
from tests.support.pseudo_locale import build_pseudo_locale, unwrapped_text
from tests.ui.conftest import Station
from tests.ui.tour import tour, visible_texts

LETTER = re.compile(r"[^\W\d_]")
KEY_NAME = re.compile(r"\((?:F\d+|Esc|Enter|Ctrl\+\w)\)")


def leftover(text: str, window: MainWindow) -> str:
    """What of ``text`` is wording that did not come from the catalogue."""
    rest = unwrapped_text(text)
    if window.user is not None:
        rest = rest.replace(window.user.full_name, "")
    rest = KEY_NAME.sub("", rest).replace("DEMO", "")
    return rest if LETTER.search(rest) else ""


def test_no_visible_text_bypasses_the_catalogue(
    qtbot: QtBot, station: Station, tmp_path: Path
) -> None:
    catalogues = build_pseudo_locale(tmp_path)
    problems: list[str] = []
    for state, window in tour(qtbot, station):
        switch_language("pseudo", catalogues)
        for widget in visible_texts(window):
            if widget.property(DATA_PROPERTY) or window.citizen.isAncestorOf(widget):
                continue
            if rest := leftover(widget.text(), window):
                problems.append(f"{state}: {widget.text()!r} leaves {rest!r}")
        if rest := leftover(window.windowTitle(), window):
            problems.append(f"{state}: window title leaves {rest!r}")
        switch_language("vi")
    assert not problems, "\n".join(problems)


def test_the_citizen_window_shows_catalogue_texts_in_vietnamese(
    qtbot: QtBot, station: Station, tmp_path: Path
) -> None:
    catalogues = build_pseudo_locale(tmp_path)
    for _state, window in tour(qtbot, station):
        switch_language("pseudo", catalogues)
        for label in (window.citizen.title, window.citizen.instruction):
            assert "⟪" not in label.text()
            assert label.text()
        switch_language("vi")
