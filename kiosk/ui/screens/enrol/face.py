"""Step 3, the face: liveness challenge, live preview with guidance, score and decision, policy.

An attempt starts when the step opens: the liveness challenge cues each action (on the officer's
screen and the citizen's), then the best frame is captured and compared with the chip portrait;
every analysed frame is shown with its face box and the citizen's instruction. The officer
attests that they saw the citizen do the challenge and takes the decision with one Enter (F7:
not witnessed, which fails the attempt). The policy (``domain.biometrics.face_gate``) then
decides: go on, try again, or, after the third failure, a supervisor signs in here for this
one decision and gives a reason.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from kiosk.domain.application import Application, ReasonCode
from kiosk.domain.biometrics import FaceGate
from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.domain.ids import ApplicationId
from kiosk.domain.progress import Progress, ProgressSink
from kiosk.i18n import N_, _
from kiosk.messages import guidance_text, liveness_cue
from kiosk.services.counter import LivenessCheck, PreviewFrame
from kiosk.ui.bridges import Bridge
from kiosk.ui.citizen.pictures import Picture
from kiosk.ui.citizen.view_model import CitizenPage
from kiosk.ui.jobs import Job, Work
from kiosk.ui.models.enrolment import Step
from kiosk.ui.models.review import GATE_TEXTS, liveness_line, match_line
from kiosk.ui.screens.enrol.base import ACCESS, CONTACT, HOME, EnrolContext, FlowScreen
from kiosk.ui.widgets.camera_view import CameraView
from kiosk.ui.widgets.step_progress import StepProgress

if TYPE_CHECKING:
    from kiosk.services.face_capture import FaceCapture  # the face stack loads in its job

LOOK_AT_CAMERA = CitizenPage(
    N_("Mời nhìn vào camera"),
    N_("Xin nhìn thẳng vào camera, giữ yên và làm theo hướng dẫn trên màn hình của cán bộ."),
    picture=Picture.CAMERA,
)

CUE_PICTURES = {"blink": Picture.BLINK, "left": Picture.TURN, "right": Picture.TURN}

OVERRIDE_REASONS = (
    (ReasonCode.IDENTITY_CONFIRMED_IN_PERSON, N_("Đã xác minh trực tiếp với giấy tờ")),
    (ReasonCode.APPEARANCE_CHANGED, N_("Ngoại hình thay đổi so với ảnh trong chip")),
    (ReasonCode.PHOTO_QUALITY, N_("Ảnh trong chip kém chất lượng")),
)


class FaceScreen(FlowScreen):
    """Runs an attempt, shows the liveness result, score and decision, applies the policy."""

    citizen_page = LOOK_AT_CAMERA

    def __init__(self, context: EnrolContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.camera = CameraView(self)
        self.progress = StepProgress(self)
        self.cue = QLabel(self)
        self.cue.setObjectName("subheading")
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        self.acknowledge = self.primary(
            N_("Tôi đã chứng kiến công dân làm theo yêu cầu — xác nhận kết quả (Enter)"),
            self._acknowledge,
        )
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
        self.liveness: LivenessCheck | None = None
        self.capture_result: FaceCapture | None = None
        self._frames = Bridge(self)
        self._frames.delivered.connect(self._show_frame)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading(N_("Chụp ảnh khuôn mặt")))
        layout.addWidget(self.camera, 1)
        widgets: tuple[QWidget, ...] = (self.cue, self.progress, self.banner, self.result)
        for widget in (*widgets, self.acknowledge, self.retry, self.override_form):
            layout.addWidget(widget)
        self.enter_hint(N_("Xác nhận / chụp lại"))
        self.add_key("F7", N_("Không chứng kiến (lần chụp không đạt)"), self._not_witnessed)
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
        """Start an attempt, unless a result waits to be acknowledged or a job runs."""
        if self.progress.is_busy() or self.liveness is not None or self.override_form.isVisible():
            super().entered()
            return
        self.capture()

    def capture(self) -> None:
        """One attempt: the liveness challenge, then the capture and the comparison."""
        draft, counter = self.flow.draft, self.context.counter
        if draft is None or draft.chip is None:
            self.go(ACCESS)  # a resumed draft reads the card again for the portrait
            return
        self._reset()
        self.flow.begin(Step.FACE)
        if counter is None:
            self._capture_failed(DomainError(ErrorCode.CAMERA_UNAVAILABLE, "no counter"))
            return
        frames = self._frames.callback()
        self._camera_job(
            "liveness",
            lambda progress, cancel: counter().check_liveness(progress, cancel, frames),
            self._checked,
            N_("Kiểm tra người thật: mời công dân làm theo hướng dẫn…"),
        )

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

    def _camera_job(self, name: str, work: Work, done: Callable[[Any], object], step: str) -> None:
        handle = self.context.runner.prepare(Job(name, "camera", work))
        handle.progress.connect(self._on_progress)
        handle.succeeded.connect(done)
        handle.failed.connect(lambda _m: self._capture_failed(handle.error))
        handle.cancelled.connect(lambda: self._show_retry(None))
        self.progress.follow(handle, step)
        self.focus(self.progress.cancel_button)
        self.context.runner.start(handle)

    def _on_progress(self, report: Progress) -> None:
        action = report.step.removeprefix("liveness:")
        if action in CUE_PICTURES:
            self.cue.setText(liveness_cue(action))
            citizen_words = liveness_cue(action, "vi")  # the citizen window speaks Vietnamese
            page = CitizenPage(N_("Mời làm theo"), citizen_words, picture=CUE_PICTURES[action])
            self.context.citizen.show(page)

    def _checked(self, check: LivenessCheck) -> None:
        self.liveness = check
        self.cue.clear()
        self.context.citizen.show(LOOK_AT_CAMERA)
        self.result.setText(liveness_line(check.live, check.challenge, check.reasons))
        draft, counter = self.flow.draft, self.context.counter
        if not check.live or draft is None or draft.chip is None or counter is None:
            self.acknowledge.show()
            self.focus(self.acknowledge)
            return
        portrait, frames = draft.chip.portrait, self._frames.callback()
        self._camera_job(
            "face capture",
            lambda progress, cancel: counter().capture_face(portrait, progress, cancel, frames),
            self._captured,
            N_("Đang chụp và so khớp…"),
        )

    def _left(self) -> None:
        self._reset()
        self.go(HOME)

    def _reset(self) -> None:
        self.liveness = None
        self.capture_result = None
        self.camera.clear()
        self.cue.clear()
        self.result.clear()
        self.banner.clear()
        for widget in (self.acknowledge, self.retry, self.override_form):
            widget.hide()

    def _show_frame(self, frame: object) -> None:
        if isinstance(frame, PreviewFrame):
            self.camera.show_frame(frame, guidance_text(frame.instruction))

    def _captured(self, capture: FaceCapture) -> None:
        self.capture_result = capture
        self.result.setText(f"{self.result.text()}\n{match_line(capture.match)}")
        self.acknowledge.show()
        self.focus(self.acknowledge)

    def _capture_failed(self, error: DomainError | None) -> None:
        self.banner.show_error(error or DomainError(ErrorCode.INTERNAL))
        self.liveness = None
        self._show_retry(None)

    def _acknowledge(self, attested: bool = True) -> None:
        """Enter: the officer saw the citizen do the challenge and takes the decision."""
        check, capture, counter = self.liveness, self.capture_result, self.context.counter
        officer = self.officer()
        if check is None or counter is None or officer is None or not self.acknowledge.isVisible():
            return
        self.acknowledge.hide()

        def record(application_id: ApplicationId) -> Application:
            return counter().record_liveness(officer, application_id, check, attested)

        def work(_p: ProgressSink, _c: threading.Event) -> FaceGate:
            return self.flow.record_attempt(record, capture if attested else None)

        self.run("record face", "store", work, self._gated)

    def _not_witnessed(self) -> None:
        """F7: the officer did not see the citizen do the challenge: the attempt fails."""
        self._acknowledge(attested=False)

    def _gated(self, gate: FaceGate) -> None:
        self.liveness = None
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

        def work(_p: ProgressSink, _c: threading.Event) -> FaceGate:
            supervisor = session.login(name, password)
            return self.flow.override_face(supervisor, reason)

        self.password.clear()
        self.run("face override", "store", work, self._gated)
