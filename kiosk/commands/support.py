"""``kiosk support ...``: what IT staff need to diagnose a counter PC.

``versions`` imports every bundled component and reports its version, so a broken install (or a
frozen build that left something out) shows at once which part is missing. ``bundle --out FILE``
writes one zip file safe to send: versions, settings without secrets, the device list, the data
folder's file names and sizes, and the logs redacted again (``kiosk.services.support_bundle``).
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from kiosk import __version__, app
from kiosk.commands.base import CommandContext, CommandResult
from kiosk.config import Settings
from kiosk.i18n import _
from kiosk.services.support_bundle import BundleContents, write_bundle

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
    bundle = commands.add_parser("bundle", help=_("gói hỗ trợ an toàn để gửi cán bộ kỹ thuật"))
    bundle.add_argument("--out", type=Path, required=True, help=_("tệp .zip sẽ ghi"))
    bundle.add_argument("--json", action="store_true", help=_("in kết quả dạng JSON"))
    bundle.set_defaults(handler=run_bundle)


def run_bundle(args: argparse.Namespace, context: CommandContext) -> CommandResult:
    """Gather what a technician needs and write it, redacted, to one zip file."""
    settings = context.settings
    contents = BundleContents(
        versions=run_versions(args, context).data,
        settings=dataclasses.asdict(settings),
        devices=_devices(settings),
        log_dir=settings.log_dir,
        data_dir=settings.data_dir,
    )
    members = write_bundle(contents, args.out)
    data = {"bundle": str(args.out), "members": members}
    return CommandResult(data, _("Đã ghi gói hỗ trợ: {path}").format(path=args.out))


def _devices(settings: Settings) -> dict[str, Any]:
    """Card readers per backend as the system sees them, printers, and the configured devices."""
    readers = {
        backend.backend: {
            "readers": [reader.name for reader in backend.readers],
            "error": backend.error.code.value if backend.error else None,
        }
        for backend in app.card_readers()
    }
    return {
        "card_readers": readers,
        "printers": _printers(),
        "configured": dataclasses.asdict(settings.devices),
    }


def _printers() -> dict[str, Any]:
    # Qt's print support answers without an application object; imported here so the other
    # support commands stay free of Qt.
    from PySide6.QtPrintSupport import QPrinterInfo

    return {
        "installed": QPrinterInfo.availablePrinterNames(),
        "default": QPrinterInfo.defaultPrinterName(),
    }


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
