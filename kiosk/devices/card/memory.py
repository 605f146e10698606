"""What the kiosk learns about card types and reader models, kept in a small JSON file.

Two facts are worth keeping between reads and restarts (issue 6): the access protocol that
opened the last card of each type (so the next card of that type starts with it, instead of
first failing PACE-CAN on a chip that only takes BAC), and the largest READ BINARY each reader
model carries (probed once, then used on every later read). Neither is personal or secret: a
card type is the ATR's historical bytes and a hash of EF.CardAccess, the same on every card
of that type. They are machine facts, not audited decisions, so they live in the data folder
(``card_memory.json``) rather than the store's ``settings`` table.

The file is rewritten whole through a temporary file and ``os.replace``, only when a value
changes. A file that cannot be read or does not have this shape is set aside (``.bad``) with a
warning and the kiosk starts learning afresh; a file that cannot be written is a warning too:
losing what was learnt costs a few access attempts or one probe, never a read.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from kiosk.emrtd import ACCESS_BAC, ACCESS_PACE_CAN, ACCESS_PACE_MRZ

log = logging.getLogger(__name__)

FILE_NAME = "card_memory.json"
VERSION = 1
_PROTOCOLS = frozenset({ACCESS_PACE_CAN, ACCESS_PACE_MRZ, ACCESS_BAC})
_MAX_READ = 0x10000


class JsonCardMemory:
    """A ``kiosk.devices.ports.CardMemory`` in ``path``, loaded on first use.

    Safe to share between threads (one lock); every process that shares the file keeps its
    own view and the last writer wins, which at worst costs one more probe or attempt.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._access: dict[str, str] | None = None
        self._limits: dict[str, int] = {}

    def recall(self, card_type: str) -> str | None:
        """The access protocol that opened the last card of ``card_type``, if known."""
        with self._lock:
            return self._loaded().get(card_type)

    def remember(self, card_type: str, access: str) -> None:
        """Keep ``access`` for ``card_type`` (written only when it changes)."""
        if access not in _PROTOCOLS:
            raise ValueError(f"unknown access protocol {access!r}")
        with self._lock:
            if self._loaded().get(card_type) != access:
                self._loaded()[card_type] = access
                self._save()

    def read_limit(self, model: str) -> int | None:
        """The largest READ BINARY probed on a reader of ``model``, if known."""
        with self._lock:
            self._loaded()
            return self._limits.get(model)

    def remember_read_limit(self, model: str, limit: int) -> None:
        """Keep ``limit`` for ``model`` (written only when it changes)."""
        if not 0 < limit <= _MAX_READ:
            raise ValueError(f"read limit out of range: {limit}")
        with self._lock:
            self._loaded()
            if self._limits.get(model) != limit:
                self._limits[model] = limit
                self._save()

    def _loaded(self) -> dict[str, str]:
        if self._access is None:
            self._access, self._limits = self._read()
        return self._access

    def _read(self) -> tuple[dict[str, str], dict[str, int]]:
        try:
            data = json.loads(self._path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}, {}
        except (OSError, ValueError) as err:
            return self._set_aside(f"unreadable: {err}")
        try:
            return _validated(data)
        except (TypeError, ValueError, KeyError) as err:
            return self._set_aside(f"unexpected content: {err}")

    def _set_aside(self, why: str) -> tuple[dict[str, str], dict[str, int]]:
        log.warning("card memory %s %s; learning afresh", self._path, why)
        try:
            self._path.replace(self._path.with_name(self._path.name + ".bad"))
        except OSError as err:
            log.warning("card memory %s could not be set aside: %s", self._path, err)
        return {}, {}

    def _save(self) -> None:
        """Write the file whole; a failure is logged and the values stay in memory only."""
        content = {"version": VERSION, "access": self._access, "read_limit": self._limits}
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(prefix=".card_memory-", dir=self._path.parent)
        except OSError as err:
            log.warning("card memory %s not saved: %s", self._path, err)
            return
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as target:
                json.dump(content, target, indent=1, sort_keys=True)
            os.replace(temporary, self._path)
        except OSError as err:
            Path(temporary).unlink(missing_ok=True)
            log.warning("card memory %s not saved: %s", self._path, err)


def _validated(data: Any) -> tuple[dict[str, str], dict[str, int]]:
    """The two tables of a version 1 file, every value checked.

    Raises:
        ValueError, TypeError, KeyError: the content is not a version 1 card memory.
    """
    if data["version"] != VERSION:
        raise ValueError(f"version {data['version']!r}")
    access = {str(kind): str(protocol) for kind, protocol in data["access"].items()}
    limits = {str(model): int(size) for model, size in data["read_limit"].items()}
    if not set(access.values()) <= _PROTOCOLS:
        raise ValueError("unknown access protocol")
    if not all(0 < size <= _MAX_READ for size in limits.values()):
        raise ValueError("read limit out of range")
    return access, limits
