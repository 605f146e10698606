"""``build``: settings in, a composed kiosk out (store, keys, context, services, sync relay).

The store is opened first (``kiosk.app.store``); the services share one context bound to its
unit of work, the station's keys and the clock.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from kiosk import __version__
from kiosk.app.background import BACKUP_CHECK_SECONDS, RETENTION_CHECK_SECONDS, BackgroundWork
from kiosk.app.store import StoreOperations, open_store
from kiosk.app.trust import trust_folder
from kiosk.config import Settings
from kiosk.domain.clock import Clock, SystemClock
from kiosk.domain.users import Station, Unit
from kiosk.services.audit_log import AuditLogService
from kiosk.services.context import AccountPolicy, ServiceContext
from kiosk.services.enrolment import EnrolmentService
from kiosk.services.maintenance import MaintenanceService, RetentionPolicy
from kiosk.services.receipts import ReceiptService
from kiosk.services.records import RecordService
from kiosk.services.review import ReviewService
from kiosk.services.session import SessionService
from kiosk.services.sync_control import SyncControlService
from kiosk.services.trust import TrustService
from kiosk.services.users import UserService
from kiosk.store.keys import StationKeys
from kiosk.store.uow import UnitOfWork
from kiosk.sync.envelope import PacketSealer
from kiosk.sync.outbox import PacketOutbox
from kiosk.sync.relay import Relay
from kiosk.sync.relay import Station as RelayStation


@dataclass(frozen=True, slots=True)
class Services:
    """Every use case the UI and the command line may call."""

    session: SessionService
    users: UserService
    enrolment: EnrolmentService
    review: ReviewService
    records: RecordService
    audit: AuditLogService
    maintenance: MaintenanceService
    receipts: ReceiptService
    trust: TrustService
    sync: SyncControlService


@dataclass(frozen=True, slots=True)
class Kiosk:
    """A composed kiosk: its settings, its context and its services."""

    settings: Settings
    context: ServiceContext
    services: Services
    operations: StoreOperations
    relay: Relay

    @property
    def keys(self) -> StationKeys:
        """The station's keys as they are now (rotation replaces them)."""
        return self.operations.keys

    def start_background(self) -> BackgroundWork:
        """Start the threads the running kiosk owns (the hourly backup); stop them on exit."""
        work = BackgroundWork()
        work.every(BACKUP_CHECK_SECONDS, "backup", self.services.maintenance.backup_if_due)
        work.every(RETENTION_CHECK_SECONDS, "retention", self.services.maintenance.purge_due)
        self.relay.start()
        work.adopt(self.relay.stop)
        return work


def build(settings: Settings, clock: Clock | None = None) -> Kiosk:
    """Compose the kiosk described by ``settings``.

    Raises:
        ConfigError: a setting needed now is missing (the recovery key outside demo).
        StoreError: the database or the keys cannot be opened (with its error code).
    """
    clock = clock or SystemClock()
    operations = open_store(settings, clock)
    keys = operations.keys

    def open_unit(read_only: bool) -> UnitOfWork:
        return UnitOfWork(operations.sessions, operations.keys.ring, read_only=read_only)

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
    _warm_up(context)
    sealer = PacketSealer(keys.signing_key)
    relay = Relay(
        open_unit,
        clock,
        sealer,
        RelayStation(__version__, time.monotonic()),
        timeout=(5.0, settings.server.timeout_seconds),
    )
    services = _services(context, operations, PacketOutbox(sealer), relay)
    return Kiosk(settings, context, services, operations, relay)


def _warm_up(context: ServiceContext) -> None:
    # The first search and the first page of a process compile their SQL (about 6 ms); doing
    # it here, at start-up, keeps that wait from the first citizen at the counter.
    with context.read() as uow:
        uow.applications.find_by_id_number(WARM_UP_ID_NUMBER)
        uow.applications.page(limit=1)


WARM_UP_ID_NUMBER = "000000000000"


def _services(
    context: ServiceContext, operations: StoreOperations, outbox: PacketOutbox, relay: Relay
) -> Services:
    outbox.on_enqueued = relay.wake
    retention = operations.settings.retention
    return Services(
        session=SessionService(context),
        users=UserService(context),
        enrolment=EnrolmentService(context),
        review=ReviewService(context, outbox),
        records=RecordService(context),
        audit=AuditLogService(context),
        maintenance=MaintenanceService(
            context,
            operations,
            RetentionPolicy(
                timedelta(days=retention.days_after_acceptance),
                timedelta(days=retention.draft_days),
            ),
        ),
        receipts=ReceiptService(context),
        trust=TrustService(context, trust_folder(operations.settings)),
        sync=SyncControlService(context, relay),
    )


def _station(settings: Settings) -> Station:
    station = settings.station
    return Station(
        Unit(station.province_code, station.commune_code, station.unit_name), station.counter
    )
