"""The composition root: settings in, a running kiosk out. Nothing else builds the parts.

``build`` opens the store (migrating it after a backup when a migration is pending), unlocks the
station's keys (creating them, with the recovery copy, at first run), and wires the services to
one shared context. Only this module names concrete implementations: which key custody, which
devices, which clock.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import x25519

from kiosk.config import ConfigError, Settings
from kiosk.domain.clock import Clock, SystemClock
from kiosk.domain.users import Station, Unit
from kiosk.services.audit_log import AuditLogService
from kiosk.services.context import AccountPolicy, ServiceContext
from kiosk.services.enrolment import EnrolmentService
from kiosk.services.records import RecordService
from kiosk.services.review import ReviewService
from kiosk.services.session import SessionService
from kiosk.services.users import UserService
from kiosk.store.custody import KeyCustody, LinuxKeyFile, WindowsDPAPI
from kiosk.store.engine import create_session_factory, create_store_engine
from kiosk.store.keys import StationKeys, unlock
from kiosk.store.migrate import current_revisions, upgrade_to_head
from kiosk.store.recovery import RecoveryPublicKey, load_recovery_public_key
from kiosk.store.uow import UnitOfWork

log = logging.getLogger(__name__)

DEMO_RECOVERY_KEY = "demo-recovery-private-key.pem"


@dataclass(frozen=True, slots=True)
class Services:
    """Every use case the UI and the command line may call."""

    session: SessionService
    users: UserService
    enrolment: EnrolmentService
    review: ReviewService
    records: RecordService
    audit: AuditLogService


@dataclass(frozen=True, slots=True)
class Kiosk:
    """A composed kiosk: its settings, its context and its services."""

    settings: Settings
    context: ServiceContext
    services: Services
    keys: StationKeys


def build(settings: Settings, clock: Clock | None = None) -> Kiosk:
    """Compose the kiosk described by ``settings``.

    Raises:
        ConfigError: a setting needed now is missing (the recovery key outside demo).
        StoreError: the database or the keys cannot be opened (with its error code).
    """
    clock = clock or SystemClock()
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
    ring = keys.ring

    def open_unit(read_only: bool) -> UnitOfWork:
        return UnitOfWork(sessions, ring, read_only=read_only)

    context = ServiceContext(
        open_unit=open_unit,
        clock=clock,
        station=_station(settings),
        demo=settings.demo,
        policy=AccountPolicy(
            lockout_attempts=settings.security.lockout_attempts,
            lockout_duration=timedelta(minutes=settings.security.lockout_minutes),
        ),
        signer=keys.signing_key.sign,
        signing_public_key=keys.signing_public_key,
    )
    return Kiosk(settings, context, _services(context), keys)


def _services(context: ServiceContext) -> Services:
    return Services(
        session=SessionService(context),
        users=UserService(context),
        enrolment=EnrolmentService(context),
        review=ReviewService(context),
        records=RecordService(context),
        audit=AuditLogService(context),
    )


def _custody(folder: Path) -> KeyCustody:
    if sys.platform == "win32":
        return WindowsDPAPI(folder)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return LinuxKeyFile(folder)


def _station(settings: Settings) -> Station:
    station = settings.station
    return Station(
        Unit(station.province_code, station.commune_code, station.unit_name), station.counter
    )


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
