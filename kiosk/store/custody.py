"""Custody of the master key outside the database: the ``KeyCustody`` port and its two keepers.

``LinuxKeyFile`` keeps each secret in a file only the kiosk's account can read; ``WindowsDPAPI``
keeps it protected by DPAPI in machine scope. The composition root picks one; nothing else in
the store knows which. A secret is named (``master``, and ``master.next`` during a rotation) so a
rotation can be made crash-safe without the custodian knowing what rotation is.
"""

from __future__ import annotations

import ctypes
import os
import stat
from pathlib import Path
from typing import Any, Protocol

from kiosk.store.errors import KeyUnavailableError


class KeyCustody(Protocol):
    """Keeps small secrets out of the database, readable only by the kiosk."""

    def exists(self, name: str) -> bool:
        """Whether a secret called ``name`` is kept."""

    def load(self, name: str) -> bytes:
        """The secret called ``name``; ``KeyUnavailableError`` if absent or badly protected."""

    def save(self, name: str, secret: bytes) -> None:
        """Keep ``secret`` under ``name``, atomically replacing any previous one."""

    def remove(self, name: str) -> None:
        """Forget the secret called ``name`` (no error if it is absent)."""


class LinuxKeyFile:
    """Secrets as 0600 files in a folder owned by the kiosk's account and closed to others.

    A file or folder that group or others can reach is refused rather than used: a key readable by
    another account protects nothing, and silently tightening it would hide the exposure.
    """

    def __init__(self, folder: Path) -> None:
        self._folder = folder

    def exists(self, name: str) -> bool:
        """Whether the file for ``name`` exists."""
        return self._path(name).exists()

    def load(self, name: str) -> bytes:
        """Read the secret after checking the folder's and the file's owner and mode."""
        self._check_private(self._folder, "folder")
        path = self._path(name)
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError as err:
            raise KeyUnavailableError("key file unreadable", reason="missing") from err
        with os.fdopen(fd, "rb") as file:
            self._check_private_stat(os.fstat(file.fileno()), "file")
            return file.read()

    def save(self, name: str, secret: bytes) -> None:
        """Write the secret to a 0600 temporary file, fsync it, and rename it into place."""
        self._folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._check_private(self._folder, "folder")
        path, tmp = self._path(name), self._path(name + ".tmp")
        tmp.unlink(missing_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(secret)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, path)
        _fsync_folder(self._folder)

    def remove(self, name: str) -> None:
        """Delete the file for ``name``."""
        self._path(name).unlink(missing_ok=True)
        _fsync_folder(self._folder)

    def _path(self, name: str) -> Path:
        return self._folder / f"{name}.key"

    def _check_private(self, path: Path, what: str) -> None:
        try:
            self._check_private_stat(path.stat(), what)
        except FileNotFoundError as err:
            raise KeyUnavailableError("key folder missing", reason="missing") from err

    @staticmethod
    def _check_private_stat(info: os.stat_result, what: str) -> None:
        if info.st_uid != os.geteuid():
            raise KeyUnavailableError(f"key {what} not owned by the kiosk account", reason="owner")
        if stat.S_IMODE(info.st_mode) & 0o077:
            raise KeyUnavailableError(
                f"key {what} is accessible to group or others", reason="permissions"
            )


class WindowsDPAPI:
    """Secrets protected by DPAPI in machine scope (``CRYPTPROTECT_LOCAL_MACHINE``), in files.

    Machine scope lets the kiosk's service account and its interactive account both unprotect the
    key on this machine only; a copied file is useless elsewhere. Importing this class is safe on
    any platform; calling it off Windows raises ``KeyUnavailableError``. Untested in CI (Linux).
    """

    _LOCAL_MACHINE = 0x4
    _UI_FORBIDDEN = 0x1

    def __init__(self, folder: Path) -> None:
        self._files = _PlainFiles(folder)

    def exists(self, name: str) -> bool:
        """Whether a protected blob for ``name`` exists."""
        return self._files.path(name).exists()

    def load(self, name: str) -> bytes:
        """Read and unprotect the blob for ``name``."""
        try:
            blob = self._files.path(name).read_bytes()
        except OSError as err:
            raise KeyUnavailableError("key file unreadable", reason="missing") from err
        return _dpapi_call("CryptUnprotectData", blob, self._UI_FORBIDDEN)

    def save(self, name: str, secret: bytes) -> None:
        """Protect ``secret`` for this machine and write it atomically."""
        flags = self._LOCAL_MACHINE | self._UI_FORBIDDEN
        self._files.write(name, _dpapi_call("CryptProtectData", secret, flags))

    def remove(self, name: str) -> None:
        """Delete the blob for ``name``."""
        self._files.path(name).unlink(missing_ok=True)


class _PlainFiles:
    def __init__(self, folder: Path) -> None:
        self._folder = folder

    def path(self, name: str) -> Path:
        return self._folder / f"{name}.dpapi"

    def write(self, name: str, data: bytes) -> None:
        self._folder.mkdir(parents=True, exist_ok=True)
        tmp = self.path(name + ".tmp")
        with open(tmp, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, self.path(name))


class _DataBlob(ctypes.Structure):
    _fields_ = [("cbData", ctypes.c_uint32), ("pbData", ctypes.POINTER(ctypes.c_char))]


def _dpapi_call(function: str, data: bytes, flags: int) -> bytes:
    crypt32, kernel32 = _windows_libraries()
    buffer = ctypes.create_string_buffer(data, len(data))
    blob_in = _DataBlob(len(data), ctypes.cast(buffer, ctypes.POINTER(ctypes.c_char)))
    blob_out = _DataBlob()
    args = (ctypes.byref(blob_in), None, None, None, None, flags, ctypes.byref(blob_out))
    if not getattr(crypt32, function)(*args):
        raise KeyUnavailableError("DPAPI refused", reason=function)
    try:
        return ctypes.string_at(blob_out.pbData, blob_out.cbData)
    finally:
        kernel32.LocalFree(blob_out.pbData)


def _windows_libraries() -> tuple[Any, Any]:
    # ctypes.WinDLL exists only on Windows; looked up at call time so importing stays safe.
    loader = getattr(ctypes, "WinDLL", None)
    if loader is None:
        raise KeyUnavailableError("DPAPI exists only on Windows", reason="platform")
    return loader("crypt32.dll"), loader("kernel32.dll")


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
