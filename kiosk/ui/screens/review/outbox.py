"""The outbox: each approved application's packet on its way to the central server.

One line per packet: its delivery state, the server's verdict (a separate word), the attempts,
when it is tried next and the last error in plain Vietnamese. F5 retries every pending packet
now; F6 sends the chosen failed packet again (once its cause was fixed); F9 reloads.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from kiosk.domain.application import DeliveryState
from kiosk.domain.clock import to_local
from kiosk.i18n import N_, _
from kiosk.messages import describe
from kiosk.services.sync_control import OutboxLine, SyncControlService
from kiosk.ui.screens.enrol.base import HOME, EnrolContext, FlowScreen
from kiosk.ui.texts import DATA_PROPERTY

STATE_TEXTS = {
    DeliveryState.PENDING: N_("Chờ gửi"),
    DeliveryState.SENDING: N_("Đang gửi"),
    DeliveryState.DELIVERED: N_("Đã gửi"),
    DeliveryState.FAILED: N_("Gửi lỗi"),
}


class OutboxScreen(FlowScreen):
    """Lists the packets; retry now, resend a failed one."""

    def __init__(
        self, context: EnrolContext, sync: SyncControlService, parent: QWidget | None = None
    ) -> None:
        super().__init__(context, parent)
        self.sync = sync
        self.lines: list[OutboxLine] = []
        self.items = QListWidget(self)
        self.items.setProperty(DATA_PROPERTY, True)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading(N_("Hàng đợi gửi hồ sơ")))
        layout.addWidget(self.banner)
        layout.addWidget(self.items, 1)
        layout.addWidget(self.status)
        self.add_key("F5", N_("Gửi lại ngay"), self.retry_now)
        self.add_key("F6", N_("Gửi lại gói lỗi đã chọn"), self.resend)
        self.add_key("F9", N_("Tải lại"), self.reload)
        self.add_key("Esc", N_("Màn hình chính"), lambda: self.go(HOME))

    def entered(self) -> None:
        """Load the packets; the focus on the list."""
        self.focus(self.items)
        self.reload()

    def reload(self) -> None:
        """Read the outbox again."""
        user = self.officer()
        if user is not None:
            self.run("outbox", "store", lambda _p, _c: self.sync.outbox(user), self._show)

    def retry_now(self) -> None:
        """F5: every pending packet is due now; the relay is woken."""
        user = self.officer()
        if user is not None:
            self.run("retry now", "store", lambda _p, _c: self.sync.retry_now(user), self._retried)

    def resend(self) -> None:
        """F6: send the chosen failed packet again."""
        user, row = self.officer(), self.items.currentRow()
        if user is None or not 0 <= row < len(self.lines):
            return
        line = self.lines[row]
        if line.state is not DeliveryState.FAILED:
            return
        self.run(
            "resend",
            "store",
            lambda _p, _c: self.sync.resend(user, line.packet_id),
            lambda _r: self.reload(),
        )

    def _retried(self, count: int) -> None:
        self.status.setText(_("Đã đưa {count} gói lên gửi ngay.").format(count=count))
        self.reload()

    def _show(self, lines: list[OutboxLine]) -> None:
        self.lines = lines
        row = max(self.items.currentRow(), 0)
        self.items.clear()
        for line in lines:
            self.items.addItem(QListWidgetItem(line_text(line)))
        if lines:
            self.items.setCurrentRow(min(row, len(lines) - 1))
        else:
            self.status.setText(_("Không có gói nào trong hàng đợi."))


def line_text(line: OutboxLine) -> str:
    """One packet: when, state, verdict, attempts, next try, the last error in plain words."""
    parts = [
        to_local(line.created_at).strftime("%H:%M %d/%m"),
        _(STATE_TEXTS[line.state]),
        _("lần gửi: {attempts}").format(attempts=line.attempts),
    ]
    if line.server_verdict is not None:
        parts.append(_("máy chủ: {verdict}").format(verdict=line.server_verdict.value))
    if line.next_attempt_at is not None and line.state is DeliveryState.PENDING:
        when = to_local(line.next_attempt_at).strftime("%H:%M:%S")
        parts.append(_("gửi lại lúc {when}").format(when=when))
    if line.problem is not None:
        parts.append(describe(line.problem).what)
    if line.held:
        parts.append(_("chờ đăng ký trạm với máy chủ"))
    return " — ".join(parts)
