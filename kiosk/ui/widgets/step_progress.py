"""The running job's step, its progress bar and a Cancel button bound to Esc.

Every long screen shows one: the officer sees that something is happening, how far it is, and
always has a way out. It only displays a ``JobHandle``'s signals and forwards Cancel to it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from kiosk.domain.progress import Progress
from kiosk.i18n import N_, _
from kiosk.ui.jobs import JobHandle
from kiosk.ui.texts import TextBinder

CANCEL_KEY = "Esc"


class StepProgress(QWidget):
    """Follows one job at a time; hidden while no job runs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._texts = TextBinder()
        self._handle: JobHandle | None = None
        self._step = QLabel(self)
        self._bar = QProgressBar(self)
        self._bar.setTextVisible(False)
        self.cancel_button = QPushButton(self)
        self._texts.bind(self.cancel_button.setText, N_("Hủy (Esc)"))
        self.cancel_button.clicked.connect(self.cancel)
        layout = QHBoxLayout(self)
        layout.addWidget(self._step, 2)
        layout.addWidget(self._bar, 3)
        layout.addWidget(self.cancel_button)
        self._step_source = ""
        self.hide()

    def follow(self, handle: JobHandle, step: str) -> None:
        """Show ``handle``'s progress under the Vietnamese source text ``step`` until it ends."""
        self._handle = handle
        self._step_source = step
        self._step.setText(_(step))
        self._bar.setRange(0, 0)
        handle.progress.connect(self._on_progress)
        handle.finished.connect(lambda: self._on_finished(handle))
        self.show()

    def cancel(self) -> None:
        """Ask the followed job to stop (Esc); its screen hears ``cancelled`` and stays calm."""
        if self._handle is not None:
            self._handle.cancel()

    def fraction(self) -> float | None:
        """How much of the followed job is done, or None while its total is unknown."""
        if self._bar.maximum() == 0:
            return None
        return self._bar.value() / self._bar.maximum()

    def is_busy(self) -> bool:
        """Whether a followed job is still running."""
        return self._handle is not None

    def changeEvent(self, event: QEvent) -> None:
        """Translate the texts again when the language changes."""
        if event.type() == QEvent.Type.LanguageChange:
            self._texts.apply()
            if self._step_source:
                self._step.setText(_(self._step_source))
        super().changeEvent(event)

    def _on_progress(self, report: Progress) -> None:
        fraction = report.fraction
        if fraction is None:
            self._bar.setRange(0, 0)
        else:
            self._bar.setRange(0, 1000)
            self._bar.setValue(round(fraction * 1000))

    def _on_finished(self, handle: JobHandle) -> None:
        if self._handle is not handle:
            return
        self._handle = None
        self._step_source = ""
        self.hide()
