"""Machine settings: one TOML file, validated at start, with defaults that run the demo.

The file lives in the system configuration folder (``/etc/kiosk/kiosk.toml`` on Linux,
``%ProgramData%/kiosk/kiosk.toml`` on Windows), owned by the administrator and read-only to the
kiosk account; ``--config`` or ``KIOSK_CONFIG`` point elsewhere. Without a file the kiosk runs
only in demo mode. Every error names the offending key, so IT staff can fix the file without
reading code. Secrets are given as paths, never as values.

This module imports nothing of ours: the composition root translates ``ConfigError``.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args, get_origin

import platformdirs

CONFIG_FILE_NAME = "kiosk.toml"
DEMO_ENV = "KIOSK_DEMO"
CONFIG_ENV = "KIOSK_CONFIG"
DATA_ENV = "KIOSK_DATA_DIR"


class ConfigError(ValueError):
    """The settings file is missing, unreadable or holds a bad value.

    Attributes:
        key: the dotted key at fault ("devices.camera"), or "" for the file as a whole.
        reason: what is wrong with it, in plain English for the log.
    """

    def __init__(self, key: str, reason: str) -> None:
        self.key = key
        self.reason = reason
        super().__init__(f"{key}: {reason}" if key else reason)


@dataclass(frozen=True, slots=True)
class StationSettings:
    """Which police unit and counter this kiosk serves; printed on receipts and sent in packets."""

    province_code: str = "00"
    commune_code: str = "00000"
    unit_name: str = "Công an xã (DEMO)"
    counter: int = 1


@dataclass(frozen=True, slots=True)
class PathSettings:
    """Where the kiosk keeps its data, backups and logs; empty means the platform default."""

    data_dir: str = ""
    backup_dir: str = ""
    log_dir: str = ""
    sim_dir: str = ""


@dataclass(frozen=True, slots=True)
class SecuritySettings:
    """Key custody, lock-out and session rules.

    ``key_dir`` holds the master key (a folder only the kiosk account can open; empty means
    ``keys`` in the data folder); ``recovery_public_key`` is the province's PEM public key, to
    which a recovery copy of the master key is wrapped at first run (required outside demo);
    ``update_public_key`` the PEM Ed25519 key that signs update packages (``kiosk update``).
    """

    key_dir: str = ""
    recovery_public_key: str = ""
    update_public_key: str = ""
    idle_lock_minutes: int = 5
    lockout_attempts: int = 5
    lockout_minutes: int = 15
    four_eyes_relaxed: bool = False


@dataclass(frozen=True, slots=True)
class DatabaseSettings:
    """Where the records live: empty means the SQLite file ``kiosk.db`` in the data folder."""

    url: str = ""


@dataclass(frozen=True, slots=True)
class DeviceSettings:
    """Which implementation serves each port; the simulated ones need demo mode."""

    card_reader: Literal["pcsc", "nfcpy", "sim", "sim-pcsc"] = "pcsc"
    reader_name: str = ""
    camera: Literal["opencv", "video", "images"] = "opencv"
    camera_index: int = 0
    camera_source: str = ""
    scanner: Literal["camera", "files"] = "camera"
    scanner_index: int = 1
    scanner_source: str = ""
    card_return_seconds: float = 30.0
    """How long a card lifted mid-read is waited for before the read is given up."""


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """The central server this kiosk delivers to."""

    url: str = ""
    timeout_seconds: float = 30.0


@dataclass(frozen=True, slots=True)
class FaceSettings:
    """Face comparison thresholds.

    The default distance threshold is conservative and NOT validated on the target population:
    set it from ``kiosk face eval`` on real, consented data before relying on it.
    """

    match_threshold: float = 0.45
    max_attempts: int = 3


@dataclass(frozen=True, slots=True)
class RetentionSettings:
    """How long finished applications and idle drafts stay before crypto-shredding."""

    days_after_acceptance: int = 1
    draft_days: int = 7


@dataclass(frozen=True, slots=True)
class Settings:
    """Every machine setting, validated. ``demo`` is decided by the environment, not the file."""

    demo: bool = False
    source: str = ""
    station: StationSettings = field(default_factory=StationSettings)
    paths: PathSettings = field(default_factory=PathSettings)
    security: SecuritySettings = field(default_factory=SecuritySettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    devices: DeviceSettings = field(default_factory=DeviceSettings)
    server: ServerSettings = field(default_factory=ServerSettings)
    face: FaceSettings = field(default_factory=FaceSettings)
    retention: RetentionSettings = field(default_factory=RetentionSettings)

    @property
    def data_dir(self) -> Path:
        """The data folder: configured, or the platform's per-user folder (demo gets its own)."""
        if self.paths.data_dir:
            return Path(self.paths.data_dir)
        env = os.environ.get(DATA_ENV)
        if env:
            return Path(env)
        base = Path(platformdirs.user_data_dir("kiosk", appauthor=False))
        return base / "demo" if self.demo else base

    @property
    def log_dir(self) -> Path:
        """The log folder: configured, or the platform's log folder (``demo`` inside it)."""
        if self.paths.log_dir:
            return Path(self.paths.log_dir)
        base = Path(platformdirs.user_log_dir("kiosk", appauthor=False))
        return base / "demo" if self.demo else base

    @property
    def sim_dir(self) -> Path:
        """The simulated devices' state (the test PKI); by default ``sim`` in the data folder."""
        return Path(self.paths.sim_dir) if self.paths.sim_dir else self.data_dir / "sim"

    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL of the records."""
        return self.database.url or f"sqlite:///{self.data_dir / 'kiosk.db'}"

    @property
    def key_dir(self) -> Path:
        """The folder of the master key."""
        return Path(self.security.key_dir) if self.security.key_dir else self.data_dir / "keys"

    @property
    def backup_dir(self) -> Path:
        """The backup folder: configured (a second disk in production), else in the data folder."""
        return Path(self.paths.backup_dir) if self.paths.backup_dir else self.data_dir / "backups"


def system_config_path() -> Path:
    """Where the administrator's settings file lives on this platform."""
    if sys.platform == "win32":
        return Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / "kiosk" / CONFIG_FILE_NAME
    return Path("/etc/kiosk") / CONFIG_FILE_NAME


def is_demo_requested(explicit: bool = False) -> bool:
    """Whether demo mode is asked for, by ``--demo`` or ``KIOSK_DEMO=1``."""
    return explicit or os.environ.get(DEMO_ENV, "").strip().lower() in {"1", "true", "yes"}


def load_settings(path: Path | None = None, *, demo: bool = False) -> Settings:
    """Read and validate the settings.

    Args:
        path: an explicit file (``--config``); else ``KIOSK_CONFIG``; else the system file.
        demo: demo mode was asked for on the command line.

    Raises:
        ConfigError: the file is unreadable or invalid, or absent outside demo mode.
    """
    demo = is_demo_requested(demo)
    chosen = path or (Path(os.environ[CONFIG_ENV]) if os.environ.get(CONFIG_ENV) else None)
    target = chosen or system_config_path()
    if not target.exists():
        if chosen is not None:
            raise ConfigError("", f"settings file {target} does not exist")
        if not demo:
            raise ConfigError("", f"no settings file at {target}; only demo mode can start")
        return Settings(demo=True)
    table = _read_toml(target)
    settings = _build(Settings, table, "")
    return dataclasses.replace(settings, demo=demo, source=str(target))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as err:
        raise ConfigError("", f"cannot read {path}: {err.strerror}") from err
    except tomllib.TOMLDecodeError as err:
        raise ConfigError("", f"{path} is not valid TOML: {err}") from err


_NOT_IN_FILE = {"demo", "source"}
_T = TypeVar("_T")


def _build(cls: type[_T], table: dict[str, Any], prefix: str) -> _T:
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)} - _NOT_IN_FILE  # type: ignore[arg-type]
    for key in table:
        if key not in known:
            raise ConfigError(prefix + key, "unknown setting")
    values = {
        name: _convert(hints[name], table[name], prefix + name) for name in known if name in table
    }
    return cls(**values)


def _convert(hint: Any, value: Any, key: str) -> Any:
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise ConfigError(key, "must be a table")
        return _build(hint, value, key + ".")
    if get_origin(hint) is Literal:
        choices = get_args(hint)
        if value not in choices:
            raise ConfigError(key, f"must be one of {', '.join(map(str, choices))}")
        return value
    return _scalar(hint, value, key)


def _scalar(hint: Any, value: Any, key: str) -> Any:
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(key, "must be true or false")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(key, "must be a whole number, 0 or more")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ConfigError(key, "must be a number, 0 or more")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(key, "must be text in quotes")
        return value
    raise ConfigError(key, f"unsupported setting type {hint!r}")  # pragma: no cover - schema bug


__all__ = [
    "ConfigError",
    "DatabaseSettings",
    "DeviceSettings",
    "FaceSettings",
    "PathSettings",
    "RetentionSettings",
    "SecuritySettings",
    "ServerSettings",
    "Settings",
    "StationSettings",
    "load_settings",
    "system_config_path",
]
