"""The citizen window: its placement, and blank between citizens, after idle time and on lock."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, QSize
from pytestqt.qtbot import QtBot

from kiosk.ui.citizen.pictures import Picture, render
from kiosk.ui.citizen.placement import choose_placement
from kiosk.ui.citizen.view_model import PREPARING, CitizenPage, CitizenViewModel
from kiosk.ui.citizen.window import CitizenWindow
from kiosk.ui.main_window import MainWindow

LAPTOP = QRect(0, 0, 1366, 768)
MONITOR = QRect(1366, 0, 1920, 1080)
TABLET = QRect(-800, 0, 800, 1280)
PAGE = CitizenPage("Mời công dân nhìn vào camera", "Xin chào {name}", (("name", "Nguyễn Văn An"),))


def test_one_screen_gives_the_side_panel() -> None:
    assert choose_placement([LAPTOP], LAPTOP).is_panel


def test_a_second_screen_gets_the_citizen_window() -> None:
    placement = choose_placement([LAPTOP, MONITOR], LAPTOP)
    assert placement.screen == MONITOR
    assert choose_placement([MONITOR, LAPTOP], LAPTOP).screen == MONITOR


def test_with_three_screens_the_largest_other_one_is_chosen() -> None:
    assert choose_placement([TABLET, LAPTOP, MONITOR], LAPTOP).screen == MONITOR


def test_the_window_goes_full_screen_on_the_chosen_screen(qtbot: QtBot) -> None:
    window = CitizenWindow(CitizenViewModel(), demo=True)
    qtbot.addWidget(window)
    screen = QRect(0, 0, 1024, 768)
    window.place(choose_placement([LAPTOP, screen], LAPTOP))
    assert window.isWindow()
    assert window.isFullScreen()


def test_it_shows_only_what_the_view_model_sends(qtbot: QtBot) -> None:
    model = CitizenViewModel()
    window = CitizenWindow(model, demo=False)
    qtbot.addWidget(window)
    assert window.is_blank()
    model.show(PAGE)
    assert window.title.text() == PAGE.title
    assert window.instruction.text() == "Xin chào Nguyễn Văn An"
    model.blank()
    assert window.is_blank()
    assert "Nguyễn" not in window.instruction.text()


def test_it_blanks_itself_after_idle_time(qtbot: QtBot) -> None:
    model = CitizenViewModel(idle_ms=100)
    window = CitizenWindow(model, demo=False)
    qtbot.addWidget(window)
    model.show(PAGE)
    qtbot.waitUntil(window.is_blank, timeout=5_000)


def test_lock_blanks_it_and_no_page_gets_through_until_unlocked(qtbot: QtBot) -> None:
    model = CitizenViewModel()
    window = CitizenWindow(model, demo=False)
    qtbot.addWidget(window)
    model.show(PAGE)
    model.set_locked(True)
    assert window.is_blank()
    model.show(PAGE)
    assert window.is_blank()
    model.set_locked(False)
    model.show(PREPARING)
    assert window.title.text() == PREPARING.title


def test_the_shell_keeps_it_in_vietnamese_as_a_side_panel(window: MainWindow) -> None:
    assert window.citizen.parentWidget() is not None
    assert window.citizen.isVisible()
    assert window.citizen.is_blank()


def test_a_page_shows_its_picture_and_the_blank_page_none(qtbot: QtBot) -> None:
    model = CitizenViewModel()
    window = CitizenWindow(model, demo=False)
    qtbot.addWidget(window)
    window.show()
    assert window.picture.isHidden()
    model.show(CitizenPage("t", "x", picture=Picture.CARD))
    assert window.shown_picture is Picture.CARD
    assert window.picture.isVisible()
    model.show(CitizenPage("t", "x"))
    assert window.picture.isHidden()
    model.show(PREPARING)
    assert window.shown_picture is Picture.WAIT
    model.blank()
    assert window.shown_picture is None
    assert window.picture.isHidden()


@pytest.mark.parametrize("picture", list(Picture))
def test_every_picture_is_drawn(picture: Picture) -> None:
    image = render(picture, QSize(150, 100), 2.0).toImage()
    assert (image.width(), image.height()) == (300, 200)
    inked = sum(
        1 for x in range(0, 300, 5) for y in range(0, 200, 5) if image.pixelColor(x, y).alpha()
    )
    assert inked > 100
