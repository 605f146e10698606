"""The citizen types their phone number on their own window: keyboard or on-screen keypad.

What they type goes to the view model (and so to the officer's screen), what the officer types
comes back; nothing shows unless a page asks for it, nor while the station is locked.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from kiosk.ui.citizen.contact import ERASE, GO_ON
from kiosk.ui.citizen.view_model import CitizenPage, CitizenViewModel, ContactEntry
from kiosk.ui.citizen.window import CitizenWindow
from kiosk.ui.screens.enrol.contact import ENTER_CONTACT

OTHER = CitizenPage("Xin chờ", "Cán bộ đang kiểm tra.")


@pytest.fixture
def model() -> CitizenViewModel:
    return CitizenViewModel()


@pytest.fixture
def window(qtbot: QtBot, model: CitizenViewModel) -> Iterator[CitizenWindow]:
    """The citizen window on its own, as on a second screen, active."""
    citizen = CitizenWindow(model, demo=False)
    qtbot.addWidget(citizen)
    citizen.show()
    citizen.activateWindow()
    qtbot.waitExposed(citizen)
    yield citizen
    citizen.close()


def test_the_fields_show_only_for_a_page_that_asks_for_them(
    window: CitizenWindow, model: CitizenViewModel
) -> None:
    assert window.contact.isHidden()
    model.show(OTHER)
    assert window.contact.isHidden()
    model.show(ENTER_CONTACT)
    assert window.contact.isVisible()
    model.blank()
    assert window.contact.isHidden()


def test_the_citizen_types_on_the_focused_field_and_the_entry_follows(
    qtbot: QtBot, window: CitizenWindow, model: CitizenViewModel
) -> None:
    model.show(ENTER_CONTACT)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.contact.phone)
    seen: list[ContactEntry] = []
    model.contact_changed.connect(seen.append)
    qtbot.keyClicks(window.contact.phone, "0912")
    assert model.contact == ContactEntry("0912", "")
    assert [entry.phone for entry in seen] == ["0", "09", "091", "0912"]
    qtbot.keyClick(window.contact.phone, Qt.Key.Key_Tab)
    qtbot.keyClicks(QApplication.focusWidget(), "an@example.vn")
    assert model.contact == ContactEntry("0912", "an@example.vn")


def test_what_the_officer_types_shows_on_the_citizen_window(
    window: CitizenWindow, model: CitizenViewModel
) -> None:
    model.show(ENTER_CONTACT)
    model.set_contact(ContactEntry("0912345678", ""))
    assert window.contact.phone.text() == "0912345678"
    model.set_contact(ContactEntry())
    assert window.contact.phone.text() == ""


def test_the_keypad_types_into_the_field_and_never_takes_the_focus(
    qtbot: QtBot, window: CitizenWindow, model: CitizenViewModel
) -> None:
    model.show(ENTER_CONTACT)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.contact.phone)
    keys = window.contact.keys
    for digit in "0983":
        qtbot.mouseClick(keys[digit], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(keys[ERASE], Qt.MouseButton.LeftButton)
    assert model.contact.phone == "098"
    assert QApplication.focusWidget() is window.contact.phone
    window.contact.email.setFocus()
    qtbot.mouseClick(keys["7"], Qt.MouseButton.LeftButton)
    assert model.contact == ContactEntry("098", "7")


def test_going_on_is_heard_only_while_the_entry_page_is_up_and_unlocked(
    qtbot: QtBot, window: CitizenWindow, model: CitizenViewModel
) -> None:
    asked: list[None] = []
    model.contact_submitted.connect(lambda: asked.append(None))
    model.show(ENTER_CONTACT)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.contact.phone)
    qtbot.keyClick(window.contact.phone, Qt.Key.Key_Return)
    qtbot.mouseClick(window.contact.keys[GO_ON], Qt.MouseButton.LeftButton)
    assert len(asked) == 2
    model.show(OTHER)
    model.submit_contact()
    model.show(ENTER_CONTACT)
    model.set_locked(True)
    model.submit_contact()
    assert len(asked) == 2


def test_nothing_typed_shows_while_locked(window: CitizenWindow, model: CitizenViewModel) -> None:
    model.show(ENTER_CONTACT)
    model.set_contact(ContactEntry("0912345678", ""))
    model.set_locked(True)
    assert window.contact.isHidden()
    assert window.is_blank()
    model.show(ENTER_CONTACT)
    model.set_contact(ContactEntry("0900000000", ""))
    assert window.contact.isHidden()
    assert model.contact.phone == "0912345678"


def test_a_page_that_asks_never_blanks_on_idle_time() -> None:
    assert ENTER_CONTACT.asks
    assert CitizenPage("t", "x", confirm="ok").asks
    assert not OTHER.asks


def test_as_a_side_panel_the_officer_keeps_the_focus(qtbot: QtBot, model: CitizenViewModel) -> None:
    officer = QWidget()
    qtbot.addWidget(officer)
    layout = QHBoxLayout(officer)
    own = QLineEdit(officer)
    layout.addWidget(own)
    panel = CitizenWindow(model, demo=False, parent=officer)
    layout.addWidget(panel)
    officer.show()
    officer.activateWindow()
    own.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is own)
    model.show(ENTER_CONTACT)
    assert panel.contact.isVisible()
    assert QApplication.focusWidget() is own  # nothing taken from the officer
    assert panel.contact.phone.focusPolicy() == Qt.FocusPolicy.ClickFocus  # Tab stays out
    qtbot.mouseClick(panel.contact.keys["0"], Qt.MouseButton.LeftButton)
    assert model.contact.phone == "0"  # a touch on the keypad still types for the citizen
