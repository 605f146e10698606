"""Step 3, the face: live preview with guidance, the match score and decision, the policy.

The capture starts when the step opens: every analysed frame is shown with its face box and
the citizen's instruction; the best frame is compared with the chip portrait and the distance,
threshold and decision are shown for the officer to acknowledge (Enter), which records the
attempt. The policy (``domain.biometrics.face_gate``) then decides: go on, try again, or, after
the third failure, a supervisor signs in here for this one decision and gives a reason.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from kiosk.domain.application import ReasonCode
from kiosk.domain.biometrics import FaceGate
from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.i18n import N_, _
from kiosk.messages import guidance_text
from kiosk.services.counter import PreviewFrame
from kiosk.services.face_capture import FaceCapture
from kiosk.ui.bridges import Bridge
from kiosk.ui.citizen.pictures import Picture
from kiosk.ui.citizen.view_model import CitizenPage
from kiosk.ui.jobs import Job
from kiosk.ui.models.enrolment import Step
from kiosk.ui.models.review import GATE_TEXTS, match_line
from kiosk.ui.screens.enrol.base import ACCESS, CONTACT, HOME, EnrolContext, FlowScreen
from kiosk.ui.widgets.camera_view import CameraView
from kiosk.ui.widgets.step_progress import StepProgress

LOOK_AT_CAMERA = CitizenPage(
    N_("Mời nhìn vào camera"),
    N_("Xin nhìn thẳng vào camera, giữ yên và làm theo hướng dẫn trên màn hình của cán bộ."),
    picture=Picture.CAMERA,
)

OVERRIDE_REASONS = (
    (ReasonCode.IDENTITY_CONFIRMED_IN_PERSON, N_("Đã xác minh trực tiếp với giấy tờ")),
    (ReasonCode.APPEARANCE_CHANGED, N_("Ngoại hình thay đổi so với ảnh trong chip")),
    (ReasonCode.PHOTO_QUALITY, N_("Ảnh trong chip kém chất lượng")),
)


class FaceScreen(FlowScreen):
    """Captures, shows the score and decision, and applies the attempts policy."""

    citizen_page = LOOK_AT_CAMERA

    def __init__(self, context: EnrolContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.camera = CameraView(self)
        self.progress = StepProgress(self)
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        self.acknowledge = self.primary(N_("Xác nhận kết quả (Enter)"), self._acknowledge)
        self.retry = self.primary(N_("Chụp lại (Enter)"), self.capture)
        self.supervisor = QLineEdit(self)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.returnPressed.connect(self._override)
        self.supervisor.returnPressed.connect(self.password.setFocus)
        self.reason = QComboBox(self)
        self.override_form = QWidget(self)
        form = QFormLayout(self.override_form)
        self._form_labels = [QLabel(self.override_form) for _ in range(3)]
        sources = (N_("Lãnh đạo (tên đăng nhập)"), N_("Mật khẩu"), N_("Lý do cho phép"))
        for label, source, field in zip(
            self._form_labels, sources, (self.supervisor, self.password, self.reason), strict=True
        ):
            self.texts.bind(label.setText, source)
            form.addRow(label, field)
        self.override_form.hide()
        self.capture_result: FaceCapture | None = None
        self._frames = Bridge(self)
        self._frames.delivered.connect(self._show_frame)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading(N_("Chụp ảnh khuôn mặt")))
        layout.addWidget(self.camera, 1)
        for widget in (self.progress, self.banner, self.result, self.acknowledge, self.retry):
            layout.addWidget(widget)
        layout.addWidget(self.override_form)
        self.enter_hint(N_("Xác nhận / chụp lại"))
        self.add_key("Esc", N_("Dừng chụp"), self.progress.cancel)
        self.add_key("F8", N_("Hủy hồ sơ"), self.cancel_application)
        self.retranslate()

    def retranslate(self) -> None:
        """Translate the fixed texts and the reasons."""
        super().retranslate()
        current = self.reason.currentIndex()
        self.reason.clear()
        for code, source in OVERRIDE_REASONS:
            self.reason.addItem(_(source), code)
        self.reason.setCurrentIndex(max(current, 0))

    def entered(self) -> None:
        """Start capturing, unless a result waits to be acknowledged or a job runs."""
        if self.progress.is_busy() or self.capture_result is not None:
            super().entered()
            return
        self.capture()

    def capture(self) -> None:
        """One attempt: capture the best frame and compare it with the chip portrait."""
        draft, counter = self.flow.draft, self.context.counter
        if draft is None or draft.chip is None:
            self.go(ACCESS)  # a resumed draft reads the card again for the portrait
            return
        self._reset()
        self.flow.begin(Step.FACE)
        if counter is None:
            self._capture_failed(DomainError(ErrorCode.CAMERA_UNAVAILABLE, "no counter"))
            return
        portrait, frames = draft.chip.portrait, self._frames.callback()
        handle = self.context.runner.prepare(
            Job(
                "face capture",
                "camera",
                lambda progress, cancel: counter().capture_face(portrait, progress, cancel, frames),
            )
        )
        handle.succeeded.connect(self._captured)
        handle.failed.connect(lambda _m: self._capture_failed(handle.error))
        handle.cancelled.connect(lambda: self._show_retry(None))
        self.progress.follow(handle, N_("Đang chụp và so khớp…"))
        self.focus(self.progress.cancel_button)
        self.context.runner.start(handle)

    def cancel_application(self) -> None:
        """F8: abandon the application."""
        if self.flow.draft is None or self.progress.is_busy():
            return
        self.run(
            "cancel",
            "store",
            lambda _p, _c: self.flow.cancel(ReasonCode.CITIZEN_WITHDREW),
            lambda _r: self._left(),
        )

    def _left(self) -> None:
        self._reset()
        self.go(HOME)

    def _reset(self) -> None:
        self.capture_result = None
        self.camera.clear()
        self.result.clear()
        self.banner.clear()
        for widget in (self.acknowledge, self.retry, self.override_form):
            widget.hide()

    def _show_frame(self, frame: object) -> None:
        if isinstance(frame, PreviewFrame):
            self.camera.show_frame(frame, guidance_text(frame.instruction))

    def _captured(self, capture: FaceCapture) -> None:
        self.capture_result = capture
        self.result.setText(match_line(capture.match))
        self.acknowledge.show()
        self.focus(self.acknowledge)

    def _capture_failed(self, error: DomainError | None) -> None:
        self.banner.show_error(error or DomainError(ErrorCode.INTERNAL))
        self._show_retry(None)

    def _acknowledge(self) -> None:
        capture = self.capture_result
        if capture is None:
            return
        self.acknowledge.hide()
        self.run("record face", "store", lambda _p, _c: self.flow.record_face(capture), self._gated)

    def _gated(self, gate: FaceGate) -> None:
        self.capture_result = None
        if gate.may_continue:
            self.flow.finish(Step.FACE)
            self._reset()
            self.go(CONTACT)
            return
        self.result.setText(f"{self.result.text()}\n{_(GATE_TEXTS[gate])}")
        if gate is FaceGate.NEEDS_OVERRIDE:
            self.supervisor.clear()
            self.password.clear()
            self.override_form.show()
            self.focus(self.supervisor)
            return
        self._show_retry(gate)

    def _show_retry(self, _gate: FaceGate | None) -> None:
        self.retry.show()
        self.focus(self.retry)

    def _override(self) -> None:
        name, password = self.supervisor.text().strip(), self.password.text()
        reason = ReasonCode(self.reason.currentData())
        session = self.context.session

        def work(_p: object, _c: object) -> FaceGate:
            supervisor = session.login(name, password)
            return self.flow.override_face(supervisor, reason)

        self.password.clear()
        self.run("face override", "store", work, self._gated)
