"""The review queue: submitted applications waiting for a decision, most recent first.

Up and Down choose, Enter opens the chosen one with everything captured; F5 reloads.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from kiosk.domain.application import Application
from kiosk.domain.chip import ChipVerdict
from kiosk.domain.clock import to_local
from kiosk.domain.users import User
from kiosk.i18n import N_, _
from kiosk.ui.screens.enrol.base import HOME, EnrolContext, FlowScreen
from kiosk.ui.screens.review.base import DETAIL, ReviewContext
from kiosk.ui.texts import DATA_PROPERTY


class ReviewQueueScreen(FlowScreen):
    """Lists the queue; the list has the focus, Enter opens."""

    def __init__(
        self, context: EnrolContext, review: ReviewContext, parent: QWidget | None = None
    ) -> None:
        super().__init__(context, parent)
        self.review = review
        self.items = QListWidget(self)
        self.items.setProperty(DATA_PROPERTY, True)
        self.items.itemActivated.connect(lambda _item: self.open_selected())
        self.empty = QLabel(self)
        self.texts.bind(self.empty.setText, N_("Không có hồ sơ chờ duyệt."))
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading(N_("Hồ sơ chờ duyệt")))
        layout.addWidget(self.banner)
        layout.addWidget(self.empty)
        layout.addWidget(self.items, 1)
        self.enter_hint(N_("Mở hồ sơ"))
        self.add_key("F5", N_("Tải lại"), self.reload)
        self.add_key("Esc", N_("Màn hình chính"), lambda: self.go(HOME))

    def entered(self) -> None:
        """Load the queue; the focus on the list."""
        self.focus(self.items)
        self.reload()

    def reload(self) -> None:
        """Read the queue again."""
        supervisor = self.officer()
        if supervisor is None:
            return
        self.run("review queue", "store", lambda _p, _c: self._queue(supervisor), self._show)

    def open_selected(self) -> None:
        """Enter: open the chosen application."""
        if self.items.currentRow() < 0:
            return
        item = self.items.currentItem()
        self.review.selection.application_id = item.data(Qt.ItemDataRole.UserRole)
        self.go(DETAIL)

    def _queue(self, supervisor: User) -> list[Application]:
        return self.review.review.queue(supervisor)

    def _show(self, applications: list[Application]) -> None:
        self.items.clear()
        for application in applications:
            item = QListWidgetItem(_line(application))
            item.setData(Qt.ItemDataRole.UserRole, application.id)
            self.items.addItem(item)
        self.empty.setVisible(not applications)
        if applications:
            self.items.setCurrentRow(0)


def _line(application: Application) -> str:
    when = to_local(application.updated_at).strftime("%H:%M %d/%m")
    name = application.citizen.full_name if application.citizen else "—"
    flags = []
    if application.chip_verdict is ChipVerdict.UNVERIFIABLE:
        flags.append(_("chip chưa kiểm chứng"))
    if application.face.override is not None:
        flags.append(_("lãnh đạo cho phép qua bước khuôn mặt"))
    suffix = f"  [{'; '.join(flags)}]" if flags else ""
    return f"{when} — {name}{suffix}"
