"""The runtime language switch: gettext first, then every window is told to translate again.

The kiosk's texts are gettext texts (``kiosk.i18n``), so no Qt translator is involved: Qt ships
no Vietnamese catalogue for its own widgets, and the screens never show Qt's built-in texts.
Sending ``QEvent.LanguageChange`` to each top-level window reaches every child widget, hidden
screens included, and each re-applies its bound texts.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication

from kiosk.i18n import current_language, set_language

OTHER_LANGUAGE = {"vi": "en", "en": "vi"}


def switch_language(language: str, directory: Path | None = None) -> None:
    """Translate every text of every window into ``language`` from now on.

    Args:
        language: "vi", "en", or a catalogue in ``directory`` (tests use a pseudo-locale).
        directory: the compiled catalogues' folder; the package's by default.
    """
    set_language(language, directory)
    for window in QApplication.topLevelWidgets():
        QCoreApplication.sendEvent(window, QEvent(QEvent.Type.LanguageChange))


def toggle_language() -> None:
    """Vietnamese to English and back (F2)."""
    switch_language(OTHER_LANGUAGE.get(current_language(), "vi"))
