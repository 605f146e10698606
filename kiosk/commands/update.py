"""``kiosk update verify|install FILE [--sig SIG]``: signed updates (kiosk.services.updates).

Both check the package against the update public key of the machine settings
(``security.update_public_key``); ``install`` then runs the platform's installer on a verified
private copy. Installing needs the operating system's administrator (root runs ``dpkg``, the
Windows installer asks for elevation), which is the authority here: the kiosk's own accounts
live in a database that root cannot unlock (the key belongs to the kiosk account).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kiosk.commands.base import CommandContext, CommandResult
from kiosk.config import ConfigError, Settings
from kiosk.domain.errors import DomainError
from kiosk.i18n import _
from kiosk.services import updates


def register(groups: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``update verify`` and ``update install``."""
    update = groups.add_parser("update", help=_("kiểm tra và cài gói cập nhật có chữ ký"))
    commands = update.add_subparsers(dest="update_command", required=True)
    for name, handler, text in (
        ("verify", run_verify, _("kiểm tra chữ ký gói cập nhật")),
        ("install", run_install, _("kiểm tra chữ ký rồi cài gói cập nhật")),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument("file", type=Path, help=_("gói cập nhật (.deb hoặc .exe)"))
        command.add_argument("--sig", type=Path, help=_("tệp chữ ký (mặc định: FILE.sig)"))
        command.add_argument("--json", action="store_true", help=_("in kết quả dạng JSON"))
        command.set_defaults(handler=handler)


def run_verify(args: argparse.Namespace, context: CommandContext) -> CommandResult:
    """Print ``{"valid": ...}``; exit 0 when the package verifies, 5 when not."""
    key = _update_key(context.settings)
    try:
        verified = updates.verify_update(args.file, _signature(args), key)
    except DomainError as err:
        reason = str(err.params.get("reason", ""))
        data = {"valid": False, "file": str(args.file), "reason": reason}
        return CommandResult(
            data, _("Gói cập nhật KHÔNG hợp lệ: {reason}").format(reason=reason), 5
        )
    data = {
        "valid": True,
        "file": str(args.file),
        "version": verified.version,
        "sha256": verified.sha256,
    }
    text = _("Gói cập nhật hợp lệ: phiên bản {version}").format(version=verified.version)
    return CommandResult(data, text)


def run_install(args: argparse.Namespace, context: CommandContext) -> CommandResult:
    """Verify and install; backup and migration follow at the next start of the kiosk."""
    key = _update_key(context.settings)
    installed = updates.install_update(args.file, _signature(args), key)
    data = {"installed": True, "version": installed.version, "sha256": installed.sha256}
    text = _("Đã cài phiên bản {version}. Khởi động lại phần mềm để hoàn tất.").format(
        version=installed.version
    )
    return CommandResult(data, text)


def _signature(args: argparse.Namespace) -> Path:
    return args.sig or updates.signature_path(args.file)


def _update_key(settings: Settings) -> Ed25519PublicKey:
    path = settings.security.update_public_key
    if not path:
        raise ConfigError("security.update_public_key", "required to verify update packages")
    try:
        pem = Path(path).read_bytes()
    except OSError as err:
        raise ConfigError("security.update_public_key", f"cannot read {path}") from err
    return updates.load_update_key(pem)
