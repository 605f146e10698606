"""What every command handler receives and returns, so ``kiosk.cli`` can print and exit alike."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.config import ConfigError, Settings
from kiosk.domain.errors import DomainError, ErrorCode

if TYPE_CHECKING:
    from kiosk.app import Kiosk


class UsageError(DomainError):
    """The command line itself is wrong (unknown option, missing argument)."""

    def __init__(self, detail: str) -> None:
        super().__init__(ErrorCode.USAGE, detail, detail=detail)


def config_error(err: ConfigError) -> DomainError:
    """The coded error of a bad or missing setting, as the command line and the app show it."""
    if not err.key:
        return DomainError(ErrorCode.CONFIG_MISSING, str(err))
    return DomainError(ErrorCode.CONFIG_INVALID, str(err), key=err.key, reason=err.reason)


@dataclass(frozen=True, slots=True)
class CommandResult:
    """A finished command: the JSON object, the human text, and the exit code.

    ``data`` is what ``--json`` prints (one object on stdout); ``text`` is printed otherwise.
    """

    data: Mapping[str, Any]
    text: str = ""
    exit_code: int = 0

    def render(self, as_json: bool) -> str:
        """The text to print on stdout."""
        if as_json:
            return json.dumps(self.data, ensure_ascii=False, sort_keys=True, default=str)
        return self.text or json.dumps(self.data, ensure_ascii=False, indent=2, default=str)


@dataclass(slots=True)
class CommandContext:
    """What a handler may use: the settings, and the kiosk composed from them on first use."""

    settings: Settings
    config_path: Path | None = None
    _kiosk: Kiosk | None = field(default=None, repr=False)

    def kiosk(self) -> Kiosk:
        """The composed kiosk (store opened, migrated, keys unlocked), built once.

        The composition root is imported here, by the one command that composes: importing it
        loads the whole stack (SQLAlchemy, cryptography, requests), which ``kiosk --version``,
        ``--help`` and the desktop app's login screen must not wait for.
        """
        if self._kiosk is None:
            from kiosk.app import build

            self._kiosk = build(self.settings)
        return self._kiosk


Handler = Callable[[argparse.Namespace, CommandContext], CommandResult]
