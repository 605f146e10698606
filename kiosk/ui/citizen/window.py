"""The citizen-facing window: large, plain Vietnamese telling the citizen what to do now.

It is fed only by ``CitizenViewModel.page_changed``. It always speaks Vietnamese (the citizen's
language at a commune counter), whatever language the officer chose, and shows a neutral
greeting when blank. A page that names a picture shows it above its title (``pictures``); a
page that asks for the citizen's phone number shows the fields and keypad of ``contact``.
"""

from __future__ import annotations

import gettext

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from kiosk.i18n import N_
from kiosk.ui.citizen.contact import ContactPanel
from kiosk.ui.citizen.pictures import Picture, render
from kiosk.ui.citizen.placement import Placement, choose_placement
from kiosk.ui.citizen.view_model import CitizenPage, CitizenViewModel
from kiosk.ui.widgets.watermark import DemoWatermark

BLANK_TITLE = N_("Xin kính chào")
BLANK_TEXT = N_("Xin vui lòng chờ đến lượt.")

_VIETNAMESE = gettext.NullTranslations()
"""The citizen's texts stay in the Vietnamese source, whatever the officer's language."""
PICTURE_SIZE = QSize(300, 200)


class CitizenWindow(QWidget):
    """Shows the view model's page; nothing else writes to it."""

    def __init__(self, model: CitizenViewModel, *, demo: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("citizenWindow")
        self.setWindowTitle(_VIETNAMESE.gettext(N_("Dành cho công dân")))
        self.picture = QLabel(self)
        self.picture.setObjectName("citizenPicture")
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.shown_picture: Picture | None = None
        self.title = QLabel(self)
        self.title.setObjectName("citizenTitle")
        self.instruction = QLabel(self)
        self.instruction.setObjectName("citizenText")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.picture)
        for label in (self.title, self.instruction):
            label.setWordWrap(True)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(label)
        layout.addStretch(1)
        self.setMinimumWidth(360)
        if demo:
            DemoWatermark(self)
        model.page_changed.connect(self.show_page)
        self.show_page(model.page)
        self.contact = ContactPanel(self, model)

    def show_page(self, page: CitizenPage | None) -> None:
        """Show ``page``, or the neutral greeting when it is None."""
        if page is None:
            self._set(BLANK_TITLE, BLANK_TEXT, {})
        else:
            self._set(page.title, page.instruction, dict(page.values))
        self._show_picture(page.picture if page is not None else None)

    def is_blank(self) -> bool:
        """Whether the neutral greeting is shown."""
        return self.title.text() == _VIETNAMESE.gettext(BLANK_TITLE)

    def place(self, placement: Placement) -> None:
        """Open full screen on the placement's screen (as its own top-level window)."""
        if placement.screen is not None:
            self.setParent(None)
            self.setGeometry(placement.screen)
            self.showFullScreen()

    def _show_picture(self, picture: Picture | None) -> None:
        self.shown_picture = picture
        self.picture.setVisible(picture is not None)
        if picture is not None:
            self.picture.setPixmap(render(picture, PICTURE_SIZE, self.devicePixelRatioF()))

    def _set(self, title: str, text: str, values: dict[str, str]) -> None:
        self.title.setText(_VIETNAMESE.gettext(title).format(**values))
        self.instruction.setText(_VIETNAMESE.gettext(text).format(**values))


def current_placement() -> Placement:
    """The placement for the screens attached now."""
    primary = QGuiApplication.primaryScreen()
    screens = [screen.geometry() for screen in QGuiApplication.screens()]
    return choose_placement(screens, primary.geometry() if primary else QRect())
