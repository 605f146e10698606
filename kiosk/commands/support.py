"""``kiosk support ...``: what IT staff need to diagnose a counter PC.

``versions`` imports every bundled component and reports its version, so a broken install (or a
frozen build that left something out) shows at once which part is missing.
"""

from __future__ import annotations

import argparse
import importlib
import platform
import sys
from importlib import metadata

from kiosk import __version__
from kiosk.commands.base import CommandContext, CommandResult
from kiosk.i18n import _

COMPONENTS = {
    "PySide6": "PySide6-Essentials",
    "cv2": "opencv-python-headless",
    "dlib": "dlib-bin",
    "face_recognition_models": "face-recognition-models",
    "smartcard": "pyscard",
    "nfc": "nfcpy",
    "reportlab": "reportlab",
    "cryptography": "cryptography",
    "sqlalchemy": "SQLAlchemy",
    "alembic": "alembic",
    "argon2": "argon2-cffi",
    "asn1crypto": "asn1crypto",
    "requests": "requests",
}


def register(groups: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``support`` and its sub-commands."""
    support = groups.add_parser("support", help=_("công cụ hỗ trợ kỹ thuật"))
    commands = support.add_subparsers(dest="support_command", required=True)
    versions = commands.add_parser("versions", help=_("phiên bản các thành phần"))
    versions.add_argument("--json", action="store_true", help=_("in kết quả dạng JSON"))
    versions.set_defaults(handler=run_versions, needs_settings=False)


def run_versions(_args: argparse.Namespace, _context: CommandContext) -> CommandResult:
    """Import each component and report its version (or the import error)."""
    found: dict[str, str] = {}
    missing: dict[str, str] = {}
    for module, distribution in COMPONENTS.items():
        try:
            importlib.import_module(module)
        except ImportError as err:
            missing[module] = str(err)
            continue
        found[module] = _version_of(distribution)
    data = {
        "kiosk": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "frozen": bool(getattr(sys, "frozen", False)),
        "components": found,
        "missing": missing,
    }
    lines = [f"kiosk {__version__} (Python {data['python']}, {data['platform']})"]
    lines += [f"  {name}: {version}" for name, version in found.items()]
    absent = _("THIẾU")
    lines += [f"  {name}: {absent} ({error})" for name, error in missing.items()]
    return CommandResult(data, "\n".join(lines), exit_code=5 if missing else 0)


def _version_of(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "?"
