"""Signed update packages: the format, its signature, and installing only what verifies.

An update is the platform's installer file (the ``.deb`` on Linux, the NSIS ``setup.exe`` on
Windows) with a detached signature file beside it (``FILE.sig``, JSON)::

    {"format": "kiosk-update/1", "file": "dinhdanh-kiosk_0.2.0_amd64.deb",
     "version": "0.2.0", "sha256": "<hex>", "signature": "<base64 Ed25519>"}

The Ed25519 signature covers ``kiosk-update/1``, the file name, the version and the SHA-256 of
the file, one per line, so neither the content, nor the name, nor the version can be changed or
swapped without the province's update key (whose public half is in the machine settings). An
older version than the running one is refused, so a signed but outdated package cannot bring
back a fixed flaw. The installer is run on a private copy that is verified again, so the file
cannot change between the check and the install. Backup and migration are not done here: the
new version's first start takes a backup when a migration is pending, then migrates
(``kiosk.store.migrate``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from kiosk import __version__
from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.system_env import system_environment

log = logging.getLogger(__name__)

FORMAT = "kiosk-update/1"
SIGNATURE_SUFFIX = ".sig"
MAX_SIGNATURE_BYTES = 4096
"""A signature file is a few hundred bytes; anything larger is not one."""

Runner = Callable[[Sequence[str]], int]
"""Runs an installer command and returns its exit status."""


@dataclass(frozen=True, slots=True)
class VerifiedUpdate:
    """An update file whose signature checked out against the update key."""

    path: Path
    version: str
    sha256: str


def signature_path(package: Path) -> Path:
    """Where the signature of ``package`` is expected by default: ``FILE.sig`` beside it."""
    return package.with_name(package.name + SIGNATURE_SUFFIX)


def sign_update(package: Path, version: str, key: ed25519.Ed25519PrivateKey) -> str:
    """The signature file's text for ``package`` as ``version`` (the province's build side)."""
    digest = _sha256(package)
    signature = key.sign(_message(package.name, version, digest))
    body = {
        "format": FORMAT,
        "file": package.name,
        "version": version,
        "sha256": digest,
        "signature": base64.b64encode(signature).decode("ascii"),
    }
    return json.dumps(body, indent=2) + "\n"


def load_update_key(pem: bytes) -> ed25519.Ed25519PublicKey:
    """The update public key from its PEM text.

    Raises:
        DomainError: UPDATE_INVALID when the key is not an Ed25519 public key.
    """
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError as err:
        raise _invalid("update key unreadable", "key_unreadable") from err
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise _invalid("update key is not Ed25519", "key_not_ed25519")
    return key


def verify_update(
    package: Path, signature_file: Path, key: ed25519.Ed25519PublicKey
) -> VerifiedUpdate:
    """Check ``package`` against its signature file and the update key.

    Raises:
        DomainError: UPDATE_INVALID naming the first thing wrong (unreadable, not signed by the
            key, another file's signature, content changed, older than the running version).
    """
    signed = _read_signature(signature_file)
    if signed.file != package.name:
        raise _invalid(
            f"signature names {signed.file!r}, package is {package.name!r}",
            "signature_other_file",
        )
    try:
        digest = _sha256(package)
    except OSError as err:
        raise _invalid(f"package unreadable: {err.strerror}", "package_unreadable") from err
    if digest != signed.sha256:
        raise _invalid("package SHA-256 differs from the signed one", "package_altered")
    try:
        key.verify(signed.signature, _message(package.name, signed.version, digest))
    except InvalidSignature as err:
        raise _invalid("signature does not verify", "signature_wrong_key") from err
    if _version_key(signed.version) < _version_key(__version__):
        raise _invalid(
            f"version {signed.version} is older than the running {__version__}",
            "version_older",
        )
    log.info("update %s version %s verified (sha256 %s)", package.name, signed.version, digest)
    return VerifiedUpdate(package, signed.version, digest)


def install_update(
    package: Path,
    signature_file: Path,
    key: ed25519.Ed25519PublicKey,
    run: Runner | None = None,
) -> VerifiedUpdate:
    """Verify, copy to a private folder, verify the copy, and run the platform's installer.

    ``run`` runs the installer command (the default runs it and waits); the command is
    ``dpkg -i`` for a ``.deb`` and the NSIS installer's silent mode for a ``.exe``.

    Raises:
        DomainError: UPDATE_INVALID as ``verify_update``, or a kind of file this platform does
            not install; UPDATE_FAILED when the installer exits with an error.
    """
    verify_update(package, signature_file, key)
    with tempfile.TemporaryDirectory(prefix="kiosk-update-") as folder:
        staged = Path(folder) / package.name
        staged_signature = Path(folder) / signature_file.name
        shutil.copyfile(package, staged)
        shutil.copyfile(signature_file, staged_signature)
        verified = verify_update(staged, staged_signature, key)
        command = installer_command(staged)
        log.info("installing update %s: %s", verified.version, command[0])
        status = (run or _run)(command)
    if status != 0:
        log.error("installer exited with status %d; the running version is unchanged", status)
        raise DomainError(ErrorCode.UPDATE_FAILED, f"installer status {status}", status=status)
    return VerifiedUpdate(package, verified.version, verified.sha256)


def installer_command(package: Path, platform: str = sys.platform) -> list[str]:
    """The command that installs ``package`` on ``platform``.

    Raises:
        DomainError: UPDATE_INVALID for a file this platform's installer does not take.
    """
    if platform == "win32" and package.suffix.lower() == ".exe":
        return [str(package), "/S"]
    if platform.startswith("linux") and package.suffix == ".deb":
        return ["dpkg", "-i", str(package)]
    raise _invalid(f"{package.suffix!r} cannot be installed on {platform}", "wrong_package_type")


def _run(command: Sequence[str]) -> int:
    # The command is built by installer_command from a verified file's path, never from input.
    # dpkg gets the system's library path, not the frozen app's (kiosk.system_env).
    done = subprocess.run(list(command), env=system_environment(), check=False)  # noqa: S603
    return done.returncode


@dataclass(frozen=True, slots=True)
class _Signed:
    """The fields of a signature file."""

    file: str
    version: str
    sha256: str
    signature: bytes


def _read_signature(path: Path) -> _Signed:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_SIGNATURE_BYTES + 1)
    except OSError as err:
        raise _invalid(f"signature unreadable: {err.strerror}", "signature_unreadable") from err
    try:
        if len(raw) > MAX_SIGNATURE_BYTES:
            raise ValueError("too large")
        body = json.loads(raw.decode("utf-8"))
        if not isinstance(body, dict) or body.get("format") != FORMAT:
            raise ValueError("not a kiosk-update/1 signature")
        signed = _Signed(
            _text(body, "file"),
            _text(body, "version"),
            _text(body, "sha256"),
            base64.b64decode(_text(body, "signature"), validate=True),
        )
        _version_key(signed.version)
    except ValueError as err:  # JSON, UTF-8 and base64 errors are all ValueErrors
        raise _invalid(f"signature file malformed: {err}", "signature_malformed") from err
    return signed


def _text(body: dict[str, object], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} missing")
    return value


def _version_key(version: str) -> tuple[int, ...]:
    """Dotted numeric versions compare part by part (``0.10.0`` is newer than ``0.9.1``)."""
    parts = version.split(".")
    if not all(part.isdigit() for part in parts):
        raise ValueError(f"version {version!r} is not dotted numbers")
    return tuple(int(part) for part in parts)


def _message(name: str, version: str, digest: str) -> bytes:
    return f"{FORMAT}\n{name}\n{version}\n{digest}\n".encode()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _invalid(detail: str, reason: str) -> DomainError:
    """``reason`` is one of ``kiosk.messages.UPDATE_REASONS``, worded there in each language."""
    return DomainError(ErrorCode.UPDATE_INVALID, detail, reason=reason)
