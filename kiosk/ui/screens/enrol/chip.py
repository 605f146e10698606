"""Step 2, the chip: read with progress per file, then the verdict, which the officer acknowledges.

The policy (design.md): a ``not_genuine`` chip is recorded but the application can go no
further (the only way on is to cancel it); ``unverifiable`` goes on, flagged, with the reason
shown; a card without an eMRTD chip gets the plain message that Level 2 cannot be done with it
here. A failed read (no card, card lifted, wrong key) shows its message and Enter reads again.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from kiosk.domain.application import ReasonCode
from kiosk.domain.chip import ChipVerdict
from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.domain.progress import Progress
from kiosk.i18n import N_, _
from kiosk.services.counter import ChipStep
from kiosk.ui.citizen.pictures import Picture
from kiosk.ui.citizen.view_model import CitizenPage
from kiosk.ui.jobs import Job
from kiosk.ui.models.enrolment import Step
from kiosk.ui.models.review import citizen_lines, reason_text
from kiosk.ui.screens.enrol.base import ACCESS, FACE, HOME, EnrolContext, FlowScreen
from kiosk.ui.widgets.step_progress import StepProgress

READING = CitizenPage(
    N_("Đang đọc thẻ"),
    N_("Xin giữ yên thẻ trên đầu đọc cho đến khi có thông báo."),
    picture=Picture.CARD,
)

PUT_BACK = CitizenPage(
    N_("Xin đặt lại thẻ"),
    N_("Thẻ vừa rời khỏi đầu đọc. Xin đặt lại đúng thẻ này lên đầu đọc và giữ yên."),
    picture=Picture.CARD,
)

NOT_EMRTD = CitizenPage(
    N_("Thẻ này không dùng được để định danh mức 2"),
    N_(
        "Thẻ này không có chip căn cước điện tử, nên không thể định danh điện tử mức 2 bằng "
        "thẻ này tại quầy. Cán bộ sẽ hướng dẫn ông/bà."
    ),
    picture=Picture.CARD,
)
"""design.md's plain message for a card without the eMRTD application (a barcode CCCD, a
CMND, a bank card, a dead chip), on the citizen's window; the officer's banner says the same."""

LIFTED = N_(
    "Thẻ đã rời đầu đọc: đặt lại đúng thẻ này, việc đọc sẽ tiếp tục từ chỗ dừng (lần {count})."
)

VERDICT_TEXTS = {
    ChipVerdict.GENUINE: N_("Chip xác thực: thẻ thật."),
    ChipVerdict.UNVERIFIABLE: N_(
        "Chip chưa kiểm chứng được (chưa có chứng thư CSCA tin cậy): hồ sơ được gửi kèm cảnh "
        "báo, máy chủ trung ương sẽ kiểm tra lại."
    ),
    ChipVerdict.NOT_GENUINE: N_(
        "Chip KHÔNG xác thực: nghi thẻ giả hoặc bị sao chép. Không được tiếp nhận hồ sơ này."
    ),
}


class ChipScreen(FlowScreen):
    """Reads the card, shows who it belongs to and what the checks concluded."""

    citizen_page = READING

    def __init__(self, context: EnrolContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.progress = StepProgress(self)
        self.files = QLabel(self)
        self.lifted = QLabel(self)
        self.lifted.setWordWrap(True)
        self.identity = QLabel(self)
        self.identity.setWordWrap(True)
        self.verdict = QLabel(self)
        self.verdict.setWordWrap(True)
        self.verdict.setObjectName("verdict")
        self.acknowledge = self.primary(N_("Xác nhận kết quả đọc chip (Enter)"), self._acknowledge)
        self.again = self.primary(N_("Đọc lại (Enter)"), self.read)
        self.cancel_button = self.primary(N_("Hủy hồ sơ (F8)"), self.cancel_application)
        self.step: ChipStep | None = None
        self._done: dict[str, str] = {}
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading(N_("Đọc chip thẻ căn cước")))
        widgets = (self.progress, self.files, self.lifted, self.banner, self.identity, self.verdict)
        for widget in widgets:
            layout.addWidget(widget)
        for button in (self.acknowledge, self.again, self.cancel_button):
            layout.addWidget(button)
        layout.addStretch(1)
        self.enter_hint(N_("Xác nhận / đọc lại"))
        self.add_key("Esc", N_("Dừng đọc"), self.progress.cancel)
        self.add_key("F8", N_("Hủy hồ sơ"), self.cancel_application)

    def entered(self) -> None:
        """Start reading as soon as the step opens."""
        self.read()

    def read(self) -> None:
        """Read the card with the access key of step 1."""
        draft = self.flow.draft
        counter = self.context.counter
        if draft is None or draft.access is None:
            self.go(ACCESS)
            return
        self.step = None
        self._done = {}
        self.files.clear()
        self.lifted.clear()
        self.identity.clear()
        self.verdict.clear()
        for button in (self.acknowledge, self.again, self.cancel_button):
            button.hide()
        self.flow.begin(Step.CHIP)
        given = draft.access.access_input()
        if counter is None:
            self._failed_read(DomainError(ErrorCode.READER_UNAVAILABLE, "no counter devices"))
            return
        handle = self.context.runner.prepare(
            Job(
                "chip read",
                "card",
                lambda progress, cancel: counter().read_chip(given, progress, cancel),
            )
        )
        handle.progress.connect(self._on_progress)
        handle.succeeded.connect(self._read_done)
        handle.failed.connect(lambda _m: self._failed_read(handle.error))
        handle.cancelled.connect(self._cancelled)
        self.progress.follow(handle, N_("Đang đọc chip…"))
        self.focus(self.progress.cancel_button)
        self.context.citizen.show(READING)  # again after a refused card: the citizen tries anew
        self.context.runner.start(handle)

    def cancel_application(self) -> None:
        """F8: abandon the application (the citizen leaves; a refused card)."""
        if self.flow.draft is None or self.progress.is_busy():
            return
        reason = ReasonCode.CITIZEN_WITHDREW
        if self.step is not None and self.step.outcome.verdict is ChipVerdict.NOT_GENUINE:
            reason = ReasonCode.CHIP_NOT_GENUINE
        elif self.banner.error is not None and self.banner.error.code is ErrorCode.CARD_NOT_EMRTD:
            reason = ReasonCode.DOCUMENT_INVALID
        self.run(
            "cancel", "store", lambda _p, _c: self.flow.cancel(reason), lambda _r: self.go(HOME)
        )

    def _on_progress(self, report: Progress) -> None:
        # The service waits for a lifted card and reads on once it is back: say so on both
        # screens rather than listing the pause as if it were a file.
        if report.step == "chip:card_lifted":
            self.lifted.setText(_(LIFTED).format(count=report.done))
            self.context.citizen.show(PUT_BACK)
            return
        if report.step == "chip:card_back":
            self.lifted.clear()
            self.context.citizen.show(READING)
            return
        name = report.step.removeprefix("chip:")
        fraction = report.fraction
        self._done[name] = "…" if fraction is None else f"{round(fraction * 100)} %"
        self.files.setText("   ".join(f"{key} {value}" for key, value in self._done.items()))

    def _read_done(self, step: ChipStep) -> None:
        self.step = step
        self.identity.setText("\n".join(citizen_lines(step.outcome.citizen)))
        verdict = step.outcome.verdict
        reasons = ", ".join(reason_text(r) for r in step.outcome.read.verdict.reasons)
        text = _(VERDICT_TEXTS[verdict])
        self.verdict.setText(f"{text}\n{_('Lý do')}: {reasons}" if reasons else text)
        self.verdict.setProperty("state", "failed" if verdict is ChipVerdict.NOT_GENUINE else "")
        self.acknowledge.show()
        self.focus(self.acknowledge)

    def _acknowledge(self) -> None:
        step = self.step
        if step is None:
            return
        self.acknowledge.hide()
        blocked = step.outcome.verdict is ChipVerdict.NOT_GENUINE
        self.run(
            "record chip",
            "store",
            lambda _p, _c: self.flow.record_chip(step),
            lambda _a: self._recorded(blocked),
        )

    def _recorded(self, blocked: bool) -> None:
        self.flow.finish(Step.CHIP)
        if blocked and self.step is not None:
            reasons = ", ".join(reason_text(r) for r in self.step.outcome.read.verdict.reasons)
            self.banner.show_error(
                DomainError(ErrorCode.CHIP_NOT_GENUINE, "refused", reason=reasons)
            )
            self.cancel_button.show()
            self.focus(self.cancel_button)
            return
        self.go(FACE)

    def _failed_read(self, error: DomainError | None) -> None:
        if error is not None and error.code is ErrorCode.CARD_NOT_EMRTD:
            self.context.citizen.show(NOT_EMRTD)
            self.run(
                "record refused card",
                "store",
                lambda _p, _c: self.flow.record_card_refused(error),
                lambda _r: self.banner.show_error(error),
            )
        else:
            self.banner.show_error(error or DomainError(ErrorCode.INTERNAL))
        self.again.show()
        self.cancel_button.show()
        self.focus(self.again)

    def _cancelled(self) -> None:
        self.again.show()
        self.cancel_button.show()
        self.focus(self.again)
