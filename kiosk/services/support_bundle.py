"""The support bundle: one zip file an IT officer can send to the province without a second look.

It holds the versions, the machine settings without anything secret, the device list, what the
data folder contains (names and sizes, never contents), and the logs. The logs were redacted
when written; every line is passed through the same redaction again on the way into the bundle,
so a log written before a redaction rule existed (or by an older version) cannot leak what the
rules now catch. Database files, keys, backups, receipts and evidence are never read.

The file is written to a temporary name beside the target and renamed into place, readable by
its owner only, so an interrupted run leaves nothing half-written behind.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from kiosk.log import LOG_FILE_NAME, redaction

log = logging.getLogger(__name__)

SECRET_SETTINGS = {"key_dir", "recovery_public_key", "update_public_key"}
"""Settings that say where secrets are kept: the bundle says only whether each is set."""

MAX_LOG_BYTES = 50 * 1024 * 1024
"""At most this much of the newest logs goes in (the rotating log keeps ten 5 MB files)."""


@dataclass(frozen=True, slots=True)
class BundleContents:
    """What the caller gathered for the bundle: plain data, no secrets, nothing personal.

    Attributes:
        versions: ``kiosk support versions``' report.
        settings: the machine settings as nested tables (``dataclasses.asdict``).
        devices: the device list (readers per backend, the configured camera and scanner).
        log_dir: the folder of the kiosk's log files.
        data_dir: the data folder, listed by name and size only.
    """

    versions: Mapping[str, Any]
    settings: Mapping[str, Any]
    devices: Mapping[str, Any]
    log_dir: Path
    data_dir: Path


def write_bundle(contents: BundleContents, out: Path, now: datetime | None = None) -> list[str]:
    """Write the bundle to ``out`` (a zip file); return the names of its members."""
    members: dict[str, bytes] = {
        "versions.json": _json(contents.versions),
        "settings.json": _json(without_secrets(contents.settings)),
        "devices.json": _json(contents.devices),
        "data-folder.json": _json(_listing(contents.data_dir)),
    }
    for path in _log_files(contents.log_dir):
        members[f"logs/{path.name}"] = _redacted(path)
    members["README.txt"] = _readme(now or datetime.now(UTC), sorted(members))
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=".bundle-", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in members.items():
                z.writestr(name, data)
        os.chmod(temporary, 0o600)
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    log.info("support bundle written: %d members, %d bytes", len(members), out.stat().st_size)
    return sorted(members)


def without_secrets(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The settings with secret locations replaced by whether they are set, and URL passwords cut.

    A database or server URL may carry ``user:password@``; only the user is kept.
    """
    cleaned: dict[str, Any] = {}
    for key, value in settings.items():
        if isinstance(value, Mapping):
            cleaned[key] = without_secrets(value)
        elif key in SECRET_SETTINGS:
            cleaned[key] = "(set)" if value else "(not set)"
        elif isinstance(value, str) and "://" in value:
            cleaned[key] = _without_password(value)
        else:
            cleaned[key] = value
    return cleaned


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _log_files(folder: Path) -> list[Path]:
    """The newest log files first, up to ``MAX_LOG_BYTES`` in all."""
    if not folder.is_dir():
        return []
    files = sorted(
        folder.glob(f"{LOG_FILE_NAME}*"), key=lambda path: path.stat().st_mtime, reverse=True
    )
    chosen, total = [], 0
    for path in files:
        total += path.stat().st_size
        if total > MAX_LOG_BYTES:
            break
        chosen.append(path)
    return chosen


def _redacted(path: Path) -> bytes:
    with path.open(encoding="utf-8", errors="replace") as handle:
        return "".join(redaction.redact(line) for line in handle).encode("utf-8")


def _listing(folder: Path) -> dict[str, Any]:
    """The data folder's files by relative path and size, and the free space on its disk."""
    if not folder.is_dir():
        return {"path": str(folder), "exists": False}
    # Names are redacted too: an evidence or export file could be named after a citizen.
    files = {
        redaction.redact(str(path.relative_to(folder))): path.stat().st_size
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }
    usage = os.statvfs(folder) if hasattr(os, "statvfs") else None
    free = usage.f_bavail * usage.f_frsize if usage else None
    return {"path": str(folder), "exists": True, "files": files, "free_bytes": free}


def _json(value: Mapping[str, Any]) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str).encode()


def _readme(now: datetime, members: list[str]) -> bytes:
    lines = [
        f"kiosk support bundle, made {now.isoformat(timespec='seconds')}",
        "Logs are redacted again on the way in; no database, key, backup or receipt is included.",
        "",
        *members,
    ]
    return ("\n".join(lines) + "\n").encode()
