"""Logging for the kiosk: a rotating file, a TRAFFIC level for APDUs, redaction, incident ids.

Nothing personal may reach a log file at any level. Two mechanisms guard that:

* patterns for what has a recognisable shape: 12-digit ID numbers, 9-digit old ID numbers,
  phone numbers, e-mail addresses, dates, MRZ lines, and long hex or base64 runs (images, keys);
* literal values registered while a citizen is being served (their name in every spelling), for
  what has no shape a pattern could find.

The filter rewrites the record's message after formatting, so arguments are covered too.
This module imports nothing of ours.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import secrets
import threading
import unicodedata
from pathlib import Path

TRAFFIC = 5
"""Below DEBUG: APDU headers and status words, on only when an engineer asks for them."""

LOG_FILE_NAME = "kiosk.log"
REDACTED = "[…]"

_PATTERNS = [
    # An MRZ line: 30 or 44 characters of A-Z, digits and at least two fillers.
    re.compile(r"(?=[A-Z0-9<]*<[A-Z0-9<]*<)[A-Z0-9<]{30,44}"),
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    # Dates: 31/12/1990, 31-12-1990, 1990-12-31.
    re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{4}\b|\b\d{4}-\d{2}-\d{2}\b"),
    # Phone numbers, ID numbers (12), old ID numbers (9), birth dates as YYMMDD or ddMMyyyy.
    re.compile(r"(?<![\w])(?:\+?84|0)\d{9}(?![\w])"),
    re.compile(r"(?<![\w])\d{6,12}(?![\w])"),
    # Long hex or base64 runs: image bytes, keys, raw chip files.
    re.compile(r"\b[0-9A-Fa-f]{32,}\b"),
    re.compile(r"[A-Za-z0-9+/]{40,}={0,2}"),
]


class RedactionFilter(logging.Filter):
    """Removes personal data from every record that passes through a handler."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._literals: set[str] = set()

    def register(self, *values: str) -> None:
        """Redact these values from now on (in NFC, NFD and case variants).

        Services call this with the name of the citizen being served, since a name has no
        shape a pattern could recognise.
        """
        variants = {
            form
            for value in values
            if value and len(value.strip()) >= 2
            for normal in (unicodedata.normalize("NFC", value), unicodedata.normalize("NFD", value))
            for form in (normal, normal.upper(), normal.lower(), normal.casefold())
        }
        with self._lock:
            self._literals |= variants

    def forget(self) -> None:
        """Drop the registered values (between citizens)."""
        with self._lock:
            self._literals.clear()

    def redact(self, text: str) -> str:
        """``text`` with every registered value and every pattern match replaced."""
        with self._lock:
            literals = sorted(self._literals, key=len, reverse=True)
        for literal in literals:
            text = text.replace(literal, REDACTED)
        for pattern in _PATTERNS:
            text = pattern.sub(REDACTED, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Replace the record's message (and any exception text) with a redacted one."""
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


redaction = RedactionFilter()
"""The process-wide filter; ``register`` names a citizen's values while they are served."""


_installed: list[logging.Handler] = []


def new_incident_id() -> str:
    """A short id shown to the user and written beside the traceback, to link the two."""
    return "SC-" + secrets.token_hex(4).upper()


def setup_logging(log_dir: Path, *, level: int = logging.INFO, to_stderr: bool = False) -> Path:
    """Send every log record through redaction to a rotating file in ``log_dir``.

    Returns the log file's path. The folder is created readable by the kiosk account only.
    """
    logging.addLevelName(TRAFFIC, "TRAFFIC")
    log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = log_dir / LOG_FILE_NAME
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=5 * 1024 * 1024, backupCount=10, encoding="utf-8"
    )
    handlers: list[logging.Handler] = [handler]
    if to_stderr:
        handlers.append(logging.StreamHandler())
    root = logging.getLogger()
    # Only the handlers installed here before are replaced: others (a test's capture, an
    # embedding application's) are not ours to remove.
    for old in _installed:
        root.removeHandler(old)
        old.close()
    _installed[:] = handlers
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    for each in handlers:
        each.addFilter(redaction)
        each.setFormatter(formatter)
        root.addHandler(each)
    root.setLevel(level)
    return path
