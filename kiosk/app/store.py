"""The store as the composition root opens it: engine, key custody, migration, unlocked keys.

``open_store`` is the first step of every composition; ``StoreOperations`` is what the
maintenance service does to the store as a whole (backup, restore, key rotation, checkpoint),
bound to this kiosk's engine, custody and keys.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import x25519

from kiosk.config import ConfigError, Settings
from kiosk.domain.clock import Clock
from kiosk.store.backup import SUFFIX as BACKUP_SUFFIX
from kiosk.store.backup import backup_database, restore_database
from kiosk.store.custody import KeyCustody, LinuxKeyFile, WindowsDPAPI
from kiosk.store.engine import (
    SessionFactory,
    StoreEngine,
    checkpoint,
    create_session_factory,
    create_store_engine,
)
from kiosk.store.keys import StationKeys, rotate_master_key, unlock
from kiosk.store.migrate import current_revisions, upgrade_to_head
from kiosk.store.recovery import RecoveryPublicKey, load_recovery_public_key

DEMO_RECOVERY_KEY = "demo-recovery-private-key.pem"


@dataclass(slots=True)
class StoreOperations:
    """Backup, restore and rotation bound to this kiosk's engine, custody and keys."""

    settings: Settings
    engine: StoreEngine
    sessions: SessionFactory
    custody: KeyCustody
    keys: StationKeys
    clock: Clock

    def backup(self) -> Path:
        """Take an encrypted online backup into the backup folder; return its file."""
        return backup_database(self.engine, self.settings.backup_dir, self.keys.ring.backup_key)

    def restore(self, backup_file: Path) -> None:
        """Replace the database with ``backup_file`` (the engine is closed first)."""
        self.engine.dispose()
        restore_database(backup_file, self._database_file(), self.keys.ring.backup_key)

    def rotate_keys(self) -> None:
        """Replace the master key (every data key re-wrapped, the recovery copy remade)."""
        recovery = _recovery_key(self.settings)
        self.keys = rotate_master_key(self.sessions, self.custody, self.keys, self.clock, recovery)

    def last_backup_at(self) -> datetime | None:
        """When the newest backup in the backup folder was written, if any."""
        folder = self.settings.backup_dir
        times = [path.stat().st_mtime for path in folder.glob(f"*{BACKUP_SUFFIX}")]
        return datetime.fromtimestamp(max(times), UTC) if times else None

    def checkpoint(self) -> None:
        """Copy the write-ahead log into the database file and truncate it (after a purge)."""
        checkpoint(self.engine)

    def _database_file(self) -> Path:
        database = self.engine.url.database
        if self.engine.dialect.name != "sqlite" or not database:
            raise ConfigError("database.url", "backups and restores need a SQLite file")
        return Path(database)


def open_store(settings: Settings, clock: Clock) -> StoreOperations:
    """Open the database, migrate it to head, and unlock the station's keys.

    A backup is taken before a pending migration; the keys are created, with their recovery
    copy, at first run.

    Raises:
        ConfigError: the recovery key is needed (first run) and missing outside demo.
        StoreError: the database or the keys cannot be opened (with its error code).
    """
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    engine = create_store_engine(settings.database_url)
    sessions = create_session_factory(engine)
    custody = _custody(settings.key_dir)
    keys = None
    if current_revisions(engine):
        keys = unlock(sessions, custody, clock, None)
    upgrade_to_head(engine, settings.backup_dir, keys.ring.backup_key if keys else None)
    if keys is None:
        keys = unlock(sessions, custody, clock, _recovery_key(settings))
    return StoreOperations(settings, engine, sessions, custody, keys, clock)


def _custody(folder: Path) -> KeyCustody:
    if sys.platform == "win32":
        return WindowsDPAPI(folder)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return LinuxKeyFile(folder)


def _recovery_key(settings: Settings) -> RecoveryPublicKey:
    path = settings.security.recovery_public_key
    if path:
        return load_recovery_public_key(Path(path).read_bytes())
    if not settings.demo:
        raise ConfigError("security.recovery_public_key", "required before the first start")
    return _demo_recovery_key(settings.data_dir / DEMO_RECOVERY_KEY)


def _demo_recovery_key(path: Path) -> RecoveryPublicKey:
    # Demo only: the province's key is simulated by a key pair kept in the demo folder, so the
    # recovery path is exercised end to end without a real key.
    private = x25519.X25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.write_bytes(pem)
    path.chmod(0o600)
    return private.public_key()
