"""Texts that follow the language: each widget text is bound to its Vietnamese source once.

The kiosk translates with gettext (``kiosk.i18n``), not Qt's translators, so a runtime switch
must set every visible text again. A ``TextBinder`` remembers (setter, source text) pairs and
re-applies them on ``QEvent.LanguageChange``; screens only format the texts that carry values.
"""

from __future__ import annotations

from collections.abc import Callable

from kiosk.i18n import _

DATA_PROPERTY = "kioskData"
"""Dynamic property set on widgets that show data (names, key names), not catalogue texts."""


class TextBinder:
    """Remembers which setter shows which source text, to translate them all again."""

    def __init__(self) -> None:
        self._bindings: list[tuple[Callable[[str], object], str]] = []

    def bind(self, setter: Callable[[str], object], source: str) -> None:
        """Show ``_(source)`` through ``setter`` now and after every language change."""
        self._bindings.append((setter, source))
        setter(_(source))

    def apply(self) -> None:
        """Translate every bound text into the language in force."""
        for setter, source in self._bindings:
            setter(_(source))
