"""The command line: parsing, the JSON and exit-code contract, and the errors at the edge.

Contract (``docs/cli.md``, from the design): a command that completes prints one JSON object on
stdout with ``--json`` and exits 0 whatever the verdicts; a failure prints
``{"error": {"code", "message_vi", "message_en"}}`` with ``--json``, else one Vietnamese line on
stderr, and exits 2 (usage), 4 (device or access), 5 (bad data) or 6 (server); 1 is an
unexpected error, logged with an incident id. There is no logic here: command groups in
``kiosk.commands`` call the services.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from kiosk import __version__
from kiosk.commands.base import (
    CommandContext,
    CommandResult,
    Handler,
    UsageError,
    config_error,
)
from kiosk.config import ConfigError, Settings, is_demo_requested, load_settings
from kiosk.domain.errors import (
    Cancelled,
    CodedError,
    DomainError,
    ErrorCategory,
    ErrorCode,
    category_of,
)
from kiosk.i18n import _
from kiosk.log import new_incident_id, setup_logging
from kiosk.messages import describe

log = logging.getLogger(__name__)

EXIT_CODES = {
    ErrorCategory.USAGE: 2,
    ErrorCategory.DEVICE: 4,
    ErrorCategory.DATA: 5,
    ErrorCategory.SERVER: 6,
    ErrorCategory.INTERNAL: 1,
}
EXIT_CANCELLED = 130
EXIT_BROKEN_PIPE = 141


class _Parser(argparse.ArgumentParser):
    """Raises instead of exiting, so usage errors follow the same JSON and exit-code contract."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


GROUPS = {
    "demo": "demo",
    "card": "card",
    "face": "face",
    "doc": "doc",
    "receipt": "receipt",
    "report": "report",
    "user": "users",
    "app": "apps",
    "audit": "audit",
    "db": "db",
    "keys": "keys",
    "trust": "trust",
    "support": "support",
    "sync": "sync",
    "register": "sync",
    "update": "update",
}
"""Command word → its module in ``kiosk.commands``, in the order ``kiosk --help`` lists them."""


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command tree; each command group registers its own sub-commands.

    Only the groups ``argv`` needs are imported (``_groups_for``): the desktop app, which names
    no group, then starts without loading OpenCV, dlib or reportlab through the command groups.
    ``argv`` None builds the whole tree.
    """
    parser = _Parser(prog="kiosk", description=_("Trạm tiếp nhận định danh điện tử mức 2."))
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    parser.add_argument(
        "--config", type=Path, help=_("tệp cấu hình máy (mặc định: thư mục hệ thống)")
    )
    parser.add_argument("--demo", action="store_true", help=_("chạy trên thiết bị mô phỏng"))
    groups = parser.add_subparsers(dest="command", parser_class=_Parser)
    # One module may own several words (``sync`` and ``register``): register it once.
    for module in dict.fromkeys(GROUPS[word] for word in _groups_for(argv)):
        importlib.import_module(f"kiosk.commands.{module}").register(groups)
    return parser


def _groups_for(argv: Sequence[str] | None) -> list[str]:
    """The command groups ``argv`` needs: the one it names, none for the desktop app, else all.

    Help, and an unknown word (so the usage error lists the choices), need every group.
    """
    if argv is None:
        return list(GROUPS)
    args = iter(argv)
    for arg in args:
        if arg == "--config":
            next(args, None)
        elif not arg.startswith("-"):
            return [arg] if arg in GROUPS else list(GROUPS)
        elif arg in ("-h", "--help"):
            return list(GROUPS)
    return []


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return the process exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in args_list
    try:
        return _run(args_list)
    except Cancelled:
        return EXIT_CANCELLED
    except BrokenPipeError:
        # The reader of our output went away (``| head``): not an error of ours. Point stdout at
        # devnull so the interpreter's final flush does not raise again (Python docs, SIGPIPE).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except ConfigError as err:
        return _report(config_error(err), as_json)
    except DomainError as err:
        log.info("command failed: %s", err)
        return _report(err, as_json)
    except Exception:
        incident = new_incident_id()
        log.exception("unexpected error, incident %s", incident)
        return _report(DomainError(ErrorCode.INTERNAL, incident=incident), as_json)


def _run(argv: list[str]) -> int:
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        # A new machine (no settings file, no demo asked) opens the first-run wizard.
        from kiosk.commands.first_run import needs_first_run, open_first_run

        if needs_first_run(args.config, args.demo):
            return open_first_run(args.config)
        settings = load_settings(args.config, demo=args.demo)
        setup_logging(settings.log_dir)
        # Imported here: only the desktop app needs Qt and the UI.
        from kiosk.commands.gui import open_desktop

        return open_desktop(args, CommandContext(settings, args.config))
    if getattr(args, "needs_settings", True):
        settings = load_settings(args.config, demo=args.demo or getattr(args, "forces_demo", False))
    else:
        settings = Settings(demo=is_demo_requested(args.demo))
    setup_logging(settings.log_dir)
    result: CommandResult = handler(args, CommandContext(settings, args.config))
    print(result.render(getattr(args, "json", False)))  # noqa: T201 - the command's output
    return result.exit_code


def _report(error: CodedError, as_json: bool) -> int:
    if as_json:
        vi, en = describe(error, "vi"), describe(error, "en")
        body = {"code": error.code.value, "message_vi": vi.as_line(), "message_en": en.as_line()}
        print(json.dumps({"error": body}, ensure_ascii=False))  # noqa: T201
    else:
        print(describe(error).as_line(), file=sys.stderr)  # noqa: T201
    return EXIT_CODES[category_of(error.code)]
