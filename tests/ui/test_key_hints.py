"""The key-hint bar wraps its pairs onto more rows when they do not fit, each pair kept whole."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from kiosk.i18n import N_
from kiosk.ui.keys import bind_key
from kiosk.ui.widgets.key_hints import KeyHints

LABELS = [N_("Màn hình chính"), N_("Kiểm tra lại"), N_("Hủy"), N_("Khóa máy"), N_("Đăng xuất")]


def hints_in(qtbot: QtBot, width: int) -> tuple[QWidget, KeyHints]:
    window = QWidget()
    qtbot.addWidget(window)
    column = QVBoxLayout(window)
    column.addStretch(1)
    hints = KeyHints(window)
    column.addWidget(hints)
    keys = [f"F{number}" for number in range(1, len(LABELS) + 1)]
    hints.set_bindings(
        [bind_key(window, k, t, lambda: None) for k, t in zip(keys, LABELS, strict=True)]
    )
    window.resize(width, 400)
    window.show()
    qtbot.waitExposed(window)
    return window, hints


def rows(hints: KeyHints) -> list[int]:
    return sorted({pair.geometry().top() for pair in hints.pairs})


def test_the_pairs_fit_one_row_in_a_wide_window(qtbot: QtBot) -> None:
    _window, hints = hints_in(qtbot, 1600)
    assert len(rows(hints)) == 1


def test_a_narrow_window_wraps_them_inside_the_bar(qtbot: QtBot) -> None:
    _window, hints = hints_in(qtbot, 320)
    assert len(rows(hints)) > 1
    for pair in hints.pairs:
        assert hints.rect().contains(pair.geometry())
        assert pair.width() >= pair.sizeHint().width()
