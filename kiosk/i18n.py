"""Languages: Vietnamese first (the source texts), English second, through gettext.

Texts are written in Vietnamese in the code and marked with ``_()`` (translated now) or ``N_()``
(marked for extraction, translated when shown). English lives in
``kiosk/locale/en/LC_MESSAGES/kiosk.po``; ``docs/i18n.md`` says how to update it. Any other
compiled catalogue can be selected the same way (tests use a pseudo-locale to find texts that
bypass the catalogue).
"""

from __future__ import annotations

import gettext
import threading
from importlib import resources
from pathlib import Path

from kiosk.domain.errors import DomainError, ErrorCode

DOMAIN = "kiosk"
SOURCE_LANGUAGE = "vi"
LANGUAGES = ("vi", "en")


class _Active:
    """The language in force for the whole process (one counter, one language at a time)."""

    language = SOURCE_LANGUAGE
    catalogue: gettext.NullTranslations = gettext.NullTranslations()


_lock = threading.Lock()
_cache: dict[tuple[str, str], gettext.NullTranslations] = {}


def locale_dir() -> Path:
    """The folder of compiled catalogues shipped inside the package."""
    return Path(str(resources.files("kiosk") / "locale"))


def translation(language: str, directory: Path | None = None) -> gettext.NullTranslations:
    """The catalogue of ``language`` (Vietnamese is the identity).

    Raises:
        DomainError: CONFIG_INVALID when the language has no compiled catalogue.
    """
    if language == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    folder = directory or locale_dir()
    key = (language, str(folder))
    with _lock:
        if key not in _cache:
            try:
                _cache[key] = gettext.translation(DOMAIN, folder, languages=[language])
            except OSError as err:
                raise DomainError(
                    ErrorCode.CONFIG_INVALID, f"no catalogue for {language}", key="language"
                ) from err
        return _cache[key]


def set_language(language: str, directory: Path | None = None) -> None:
    """Switch the language of every text translated from now on (runtime switch in the UI)."""
    chosen = translation(language, directory)
    with _lock:
        _Active.language = language
        _Active.catalogue = chosen


def current_language() -> str:
    """The language texts are translated into now."""
    return _Active.language


def _(message: str) -> str:
    """Translate ``message`` into the current language."""
    return _Active.catalogue.gettext(message)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention extractors look for
    """Mark ``message`` for extraction without translating it yet."""
    return message
