"""Every label and button, on every screen, in both languages, shows its whole text.

The measure is the text's tight bounding rect (the inked pixels, which for stacked Vietnamese
capitals such as Ễ reach above the font's ascent) placed where Qt paints it, against the
widget's contents rect.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QStyle, QStyleOptionButton
from pytestqt.qtbot import QtBot

from kiosk.ui.language import switch_language
from tests.ui.conftest import Station
from tests.ui.tour import tour, visible_texts


def label_overflow(label: QLabel) -> str | None:
    """Why ``label``'s text does not fit, or None."""
    area = label.contentsRect()
    metrics = label.fontMetrics()
    text = label.text()
    if label.wordWrap():
        flags = int(label.alignment()) | int(Qt.TextFlag.TextWordWrap)
        needed = metrics.boundingRect(QRect(0, 0, area.width(), 100_000), flags, text)
        first_line = text.split()[0] if text.split() else text
        top_ink = metrics.tightBoundingRect(first_line).top() + metrics.ascent()
        # boundingRect rounds the last line's descent up to a whole pixel, which QLabel does not.
        if needed.height() - 1 > area.height():
            return f"needs {needed.height()} px of height, has {area.height()}"
        if top_ink < 0 and area.height() - needed.height() < -top_ink * 2:
            return f"marks rise {-top_ink} px above the first line with no room"
        return None
    ink = metrics.tightBoundingRect(text)
    if ink.width() > area.width():
        return f"needs {ink.width()} px of width, has {area.width()}"
    baseline = area.top() + (area.height() - metrics.height()) // 2 + metrics.ascent()
    if label.alignment() & Qt.AlignmentFlag.AlignTop:
        baseline = area.top() + metrics.ascent()
    if baseline + ink.top() < area.top():
        return f"ink starts {area.top() - baseline - ink.top()} px above the contents"
    if baseline + ink.bottom() > area.bottom() + 1:
        return f"ink ends {baseline + ink.bottom() - area.bottom()} px below the contents"
    return None


def button_overflow(button: QAbstractButton) -> str | None:
    """Why ``button``'s text does not fit inside its bevel, or None."""
    option = QStyleOptionButton()
    option.initFrom(button)
    area = button.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, button)
    ink = button.fontMetrics().tightBoundingRect(button.text())
    if ink.width() > area.width():
        return f"needs {ink.width()} px of width, has {area.width()}"
    if ink.height() > area.height():
        return f"needs {ink.height()} px of height, has {area.height()}"
    return None


def test_every_text_fits_its_widget_in_both_languages(qtbot: QtBot, station: Station) -> None:
    problems: list[str] = []
    for state, window in tour(qtbot, station):
        for language in ("vi", "en"):
            switch_language(language)
            qtbot.wait(30)
            for widget in visible_texts(window):
                if isinstance(widget, QLabel):
                    why = label_overflow(widget)
                else:
                    why = button_overflow(widget)
                if why:
                    problems.append(f"{state} [{language}] {widget.text()!r}: {why}")
        switch_language("vi")
    assert not problems, "\n".join(problems)


def test_the_measure_catches_a_clipped_stacked_capital(qtbot: QtBot) -> None:
    tight = QLabel("ỄẤ")
    qtbot.addWidget(tight)
    font = tight.font()
    font.setPointSize(36)
    tight.setFont(font)
    tight.setFixedHeight(tight.fontMetrics().height())
    tight.show()
    assert label_overflow(tight) is not None
    roomy = QLabel("ỄẤ")
    qtbot.addWidget(roomy)
    roomy.setFont(font)
    roomy.setStyleSheet("padding-top: 0px")
    roomy.setFixedHeight(roomy.fontMetrics().height() + 16)
    roomy.show()
    assert label_overflow(roomy) is None
