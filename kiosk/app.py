"""The composition root: settings in, a running kiosk out. Nothing else builds the parts.

``build`` opens the store (migrating it after a backup when a migration is pending), unlocks the
station's keys (creating them, with the recovery copy, at first run), and wires the services to
one shared context. Only this module names concrete implementations: which key custody, which
devices, which clock.

Concrete devices are imported where they are built, not at the top: the desktop app reaches its
login screen without loading OpenCV, the PC/SC and NFC stacks or the chip emulator, which the
first device check or enrolment step loads instead.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import x25519

from kiosk import __version__
from kiosk.config import ConfigError, Settings
from kiosk.devices.errors import Unavailable
from kiosk.domain.clock import Clock, SystemClock, to_local
from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.domain.users import Station, Unit, User
from kiosk.domain.validators import ValidationFailed
from kiosk.emrtd import MalformedData, TrustStore
from kiosk.services.audit_log import AuditLogService
from kiosk.services.chip_reading import ChipReadingService
from kiosk.services.context import AccountPolicy, ServiceContext
from kiosk.services.devices_status import DeviceStatusService
from kiosk.services.enrolment import EnrolmentService
from kiosk.services.maintenance import MaintenanceService, RetentionPolicy
from kiosk.services.receipts import ReceiptService
from kiosk.services.records import RecordService
from kiosk.services.review import ReviewService
from kiosk.services.session import SessionService
from kiosk.services.sync_control import SyncControlService
from kiosk.services.trust import TrustService
from kiosk.services.users import UserService
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
from kiosk.store.uow import UnitOfWork
from kiosk.sync.child import CentralChild
from kiosk.sync.envelope import PacketSealer
from kiosk.sync.outbox import PacketOutbox
from kiosk.sync.relay import Relay
from kiosk.sync.relay import Station as RelayStation

if TYPE_CHECKING:
    from kiosk.devices.card.listing import BackendReaders
    from kiosk.devices.ports import Camera, CardReader, DocumentScanner
    from kiosk.devices.sim.chip.profile import CardProfile
    from kiosk.devices.sim.citizens import CitizenRecord
    from kiosk.domain.documents import DocumentKind
    from kiosk.face.engine import FaceEngine
    from kiosk.face.worker import FaceWorker
    from kiosk.services.counter import CounterService
    from kiosk.services.documents import DocumentScanService
    from kiosk.services.face_capture import FaceCaptureService
    from kiosk.services.liveness import LivenessService

log = logging.getLogger(__name__)

_Device = TypeVar("_Device")

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
    maintenance: MaintenanceService
    receipts: ReceiptService
    trust: TrustService
    sync: SyncControlService


@dataclass(slots=True)
class _StoreOperations:
    """Backup, restore and rotation bound to this kiosk's engine, custody and keys."""

    settings: Settings
    engine: StoreEngine
    sessions: SessionFactory
    custody: KeyCustody
    keys: StationKeys
    clock: Clock

    def backup(self) -> Path:
        return backup_database(self.engine, self.settings.backup_dir, self.keys.ring.backup_key)

    def restore(self, backup_file: Path) -> None:
        self.engine.dispose()
        restore_database(backup_file, self._database_file(), self.keys.ring.backup_key)

    def rotate_keys(self) -> None:
        recovery = _recovery_key(self.settings)
        self.keys = rotate_master_key(self.sessions, self.custody, self.keys, self.clock, recovery)

    def last_backup_at(self) -> datetime | None:
        folder = self.settings.backup_dir
        times = [path.stat().st_mtime for path in folder.glob(f"*{BACKUP_SUFFIX}")]
        return datetime.fromtimestamp(max(times), UTC) if times else None

    def checkpoint(self) -> None:
        checkpoint(self.engine)

    def _database_file(self) -> Path:
        database = self.engine.url.database
        if self.engine.dialect.name != "sqlite" or not database:
            raise ConfigError("database.url", "backups and restores need a SQLite file")
        return Path(database)


@dataclass(frozen=True, slots=True)
class Kiosk:
    """A composed kiosk: its settings, its context and its services."""

    settings: Settings
    context: ServiceContext
    services: Services
    operations: _StoreOperations
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


BACKUP_CHECK_SECONDS = 300.0
"""How often the backup thread asks whether a backup is due."""

RETENTION_CHECK_SECONDS = 600.0
"""How often the retention thread purges what its period has run out for."""


class BackgroundWork:
    """Plain threads owned by the composition root, each repeating one task until stopped.

    Each loop is a job boundary: a failure is logged and the loop goes on (the next round may
    succeed: a backup disk plugged back in), so one bad round never stops the schedule.
    """

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._stoppers: list[Callable[[float], None]] = []

    def adopt(self, stop: Callable[[float], None]) -> None:
        """Stop a thread started elsewhere (the sync relay) with the others."""
        self._stoppers.append(stop)

    def every(self, seconds: float, name: str, task: Callable[[], object]) -> None:
        """Run ``task`` every ``seconds`` (first after ``seconds``) on a thread of its own."""

        def loop() -> None:
            while not self._stop.wait(seconds):
                try:
                    task()
                except Exception:
                    log.exception("background task %s failed; it runs again later", name)

        thread = threading.Thread(target=loop, name=f"kiosk-{name}", daemon=True)
        self._threads.append(thread)
        thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask every loop to end and wait for the current rounds to finish."""
        self._stop.set()
        for stop in self._stoppers:
            stop(timeout)
        for thread in self._threads:
            thread.join(timeout)


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
    operations = _StoreOperations(settings, engine, sessions, custody, keys, clock)

    def open_unit(read_only: bool) -> UnitOfWork:
        return UnitOfWork(sessions, operations.keys.ring, read_only=read_only)

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
    context: ServiceContext, operations: _StoreOperations, outbox: PacketOutbox, relay: Relay
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


def trust_folder(settings: Settings) -> Path:
    """Where the administrator's CSCA anchors and CRLs are installed (``kiosk trust import``)."""
    return settings.data_dir / "trust"


def trust_store(settings: Settings, override: Path | None = None) -> TrustStore:
    """The CSCA anchors in force.

    ``override`` if given (``--trust DIR``), else the installed ones plus, in demo mode only,
    the installation's test CSCA.

    Raises:
        ConfigError: a test anchor is installed outside demo mode (design.md: the kiosk refuses).
        DomainError: TRUST_STORE_INVALID, the folder is missing or holds a broken certificate.
    """
    from kiosk.devices.sim.pki import is_test_anchor, load_or_create

    if override is not None:
        return _load_anchors(override)
    installed = trust_folder(settings)
    anchors = _load_anchors(installed).certificates if installed.is_dir() else ()
    if not settings.demo:
        if any(is_test_anchor(certificate) for certificate in anchors):
            raise ConfigError("trust", "a test CSCA is installed; remove it before real use")
        return TrustStore(anchors)
    test_pki = load_or_create(settings.sim_dir / "pki")
    return TrustStore((*anchors, *TrustStore.load(test_pki.trust_dir).certificates))


def _load_anchors(folder: Path) -> TrustStore:
    """The CSCA certificates of ``folder``, or TRUST_STORE_INVALID naming what is wrong."""
    try:
        return TrustStore.load(folder)
    except OSError as err:
        reason = f"{folder}: {err.strerror}"
        raise DomainError(ErrorCode.TRUST_STORE_INVALID, reason, reason=reason) from err
    except MalformedData as err:
        raise DomainError(ErrorCode.TRUST_STORE_INVALID, str(err), reason=err.reason) from err


def simulated_card_reader(
    settings: Settings, citizen: str | None = None, fault: str | None = None
) -> CardReader:
    """The simulated reader holding a demo citizen's card (demo mode only).

    Raises:
        DomainError: READER_REFUSED outside demo mode.
        ValidationFailed: an unknown citizen or fault name.
    """
    from kiosk.devices.sim.reader import SimulatedReader

    return SimulatedReader(simulated_card(settings, citizen, fault))


def simulated_card(
    settings: Settings, citizen: str | None = None, fault: str | None = None
) -> CardProfile:
    """A demo citizen's simulated card, signed by this installation's test PKI (demo only).

    Raises:
        DomainError: READER_REFUSED outside demo mode.
        ValidationFailed: an unknown citizen or fault name.
    """
    from kiosk.devices.sim import citizens
    from kiosk.devices.sim.chip.faults import FAULTS, Fault
    from kiosk.devices.sim.chip.profile import build_profile

    if not settings.demo:
        raise DomainError(ErrorCode.READER_REFUSED, "simulated card outside demo mode")
    if fault is not None and fault not in FAULTS:
        raise ValidationFailed("fault", "unknown")
    try:
        record = citizens.list_citizens()[0] if citizen is None else citizens.find(citizen)
    except LookupError as err:
        raise ValidationFailed("citizen", "unknown") from err
    return build_profile(record, settings.sim_dir / "pki", Fault(fault) if fault else None)


SIM_PCSC_READER = "Virtual PCD 00 00"
"""The reader of ``sim-pcsc``: vpcd's first slot, where ``kiosk card sim serve`` puts the card."""


def card_reader(settings: Settings, name: str | None = None) -> CardReader:
    """The reader to read from: ``name`` (``--reader NAME``) or the settings'.

    A name as ``kiosk card readers`` lists it: ``nfc:PATH`` is an nfcpy reader, any other a
    PC/SC reader. ``devices.card_reader`` decides without a name: ``sim`` is the in-process
    simulated reader, ``sim-pcsc`` vpcd's first virtual reader (both demo only), ``pcsc`` and
    ``nfcpy`` the reader named ``devices.reader_name`` (for nfcpy, its device path).

    Raises:
        DomainError: READER_REFUSED for a simulated or virtual reader outside demo mode.
        Unavailable: READER_UNAVAILABLE, no reader is named.
    """
    from kiosk.devices.card.nfcpy import PREFIX as NFC_PREFIX
    from kiosk.devices.card.nfcpy import NFCReader
    from kiosk.devices.card.pcsc import PCSCReader

    devices = settings.devices
    if name is None and devices.card_reader == "sim":
        return simulated_card_reader(settings)
    virtual = SIM_PCSC_READER if devices.card_reader == "sim-pcsc" else ""
    chosen = name or devices.reader_name or virtual
    if not chosen:
        raise Unavailable(ErrorCode.READER_UNAVAILABLE, "card", "devices.reader_name is empty")
    if chosen.startswith(NFC_PREFIX) or (name is None and devices.card_reader == "nfcpy"):
        return NFCReader(chosen.removeprefix(NFC_PREFIX), demo=settings.demo)
    return PCSCReader(chosen, demo=settings.demo)


def card_readers() -> tuple[BackendReaders, ...]:
    """Every card reader present, per backend (``kiosk card readers``)."""
    from kiosk.devices.card import listing

    return listing.list_all()


def chip_reading(settings: Settings, trust: TrustStore | None = None) -> ChipReadingService:
    """The chip-reading service with this kiosk's trust anchors, local date and card memory.

    The memory (``card_memory.json`` in the data folder) keeps the access protocol per card
    type and the largest READ BINARY per reader model (docs/readers.md).
    """
    from kiosk.devices.card.memory import FILE_NAME, JsonCardMemory

    memory = JsonCardMemory(settings.data_dir / FILE_NAME)
    return ChipReadingService(trust or trust_store(settings), local_today, memory=memory)


def local_today() -> date:
    """Today in Asia/Ho_Chi_Minh, the date printed on cards and receipts."""
    return to_local(SystemClock().now()).date()


def simulated_camera(settings: Settings, record: CitizenRecord, fps: float = 30.0) -> Camera:
    """The simulated camera: the photo the citizen's chip portrait was made from, performing.

    Demo only: the camera then shows the card holder, so the demo's face match is a real
    comparison of two different images of one face; the face blinks now and then and performs
    the liveness actions it is cued with (``kiosk.devices.camera.performer``).

    Raises:
        DomainError: CAMERA_UNAVAILABLE outside demo mode.
    """
    from kiosk.devices.camera.performer import PerformingCamera
    from kiosk.devices.sim.citizens import demo_face_photo

    if not settings.demo:
        raise DomainError(ErrorCode.CAMERA_UNAVAILABLE, "simulated camera outside demo mode")
    return PerformingCamera(demo_face_photo(record), fps=fps)


def simulated_scanner(
    settings: Settings, record: CitizenRecord, kind: DocumentKind
) -> DocumentScanner:
    """The simulated scanner: the demo citizen's specimen ``kind`` card, photographed on a desk.

    The photographs are drawn on first use into the demo data folder (``sim/cards``).

    Raises:
        DomainError: CAMERA_UNAVAILABLE outside demo mode.
    """
    from kiosk.devices.scanner.demo_cards import write_demo_cards
    from kiosk.devices.scanner.files import FileScanner

    if not settings.demo:
        raise DomainError(ErrorCode.CAMERA_UNAVAILABLE, "simulated scanner outside demo mode")
    folder = settings.sim_dir / "cards" / record.citizen.id_number
    return FileScanner(write_demo_cards(folder, record.citizen)[kind].path)


def document_scanning(scanner: DocumentScanner | None) -> DocumentScanService:
    """The document scanning service over ``scanner`` (``configured_scanner`` or simulated)."""
    from kiosk.services.documents import DocumentScanService

    return DocumentScanService(scanner)


def face_capture(settings: Settings, engine: FaceEngine | None = None) -> FaceCaptureService:
    """The face capture service with the configured threshold.

    ``engine`` None runs dlib in this process (headless demo, command line); the desktop app
    passes its ``FaceWorker`` so the GUI process never runs dlib.
    """
    from kiosk.face.engine import InProcessFace
    from kiosk.services.face_capture import FaceCaptureService

    return FaceCaptureService(engine or InProcessFace(), settings.face.match_threshold)


def liveness(kiosk: Kiosk, engine: FaceEngine | None = None) -> LivenessService:
    """The liveness service; ``engine`` as for ``face_capture`` (None: dlib in this process)."""
    from kiosk.face.engine import InProcessFace
    from kiosk.services.liveness import LivenessService

    return LivenessService(kiosk.context, engine or InProcessFace())


def configured_camera(settings: Settings) -> Camera:
    """The face camera: the simulated one in demo mode, else the one the settings name."""
    from kiosk.devices.camera.files import FileCamera
    from kiosk.devices.camera.opencv import CameraSettings, OpenCVCamera
    from kiosk.devices.sim import citizens

    devices = settings.devices
    if settings.demo:
        return simulated_camera(settings, citizens.list_citizens()[0])
    if devices.camera == "opencv":
        return OpenCVCamera(CameraSettings(source=devices.camera_index))
    return FileCamera(Path(devices.camera_source))


def configured_scanner(settings: Settings) -> DocumentScanner | None:
    """The document scanner the settings name (the demo has no card images to scan yet)."""
    from kiosk.devices.camera.opencv import CameraSettings, OpenCVCamera
    from kiosk.devices.scanner.camera import CameraScanner
    from kiosk.devices.scanner.files import FileScanner

    devices = settings.devices
    if settings.demo:
        return None
    if devices.scanner == "files":
        return FileScanner(Path(devices.scanner_source))
    return CameraScanner(OpenCVCamera(CameraSettings(source=devices.scanner_index)))


def device_status(settings: Settings) -> DeviceStatusService:
    """The self-test's and status bar's view of this kiosk's devices.

    A device that cannot even be built (no reader named, a refused virtual reader) is left out
    and so reported absent; its error is logged, and the self-test shows it red.
    """
    return DeviceStatusService(
        demo=settings.demo,
        card_reader=_or_absent("card reader", lambda: _demo_or_configured_reader(settings)),
        camera=_or_absent("camera", lambda: configured_camera(settings)),
        scanner=_or_absent("scanner", lambda: configured_scanner(settings)),
    )


def _demo_or_configured_reader(settings: Settings) -> CardReader:
    return simulated_card_reader(settings) if settings.demo else card_reader(settings)


def _or_absent(what: str, make: Callable[[], _Device | None]) -> _Device | None:
    try:
        return make()
    except DomainError as err:
        log.warning("%s not available: %s", what, err)
        return None


class LazyCounter:
    """The enrolment screens' counter service, composed on first use (inside their first job).

    The face worker process starts then, loading its models while the chip is read, so the
    desktop app reaches its login screen without the face stack. ``close`` stops the worker.
    """

    def __init__(self, kiosk: Kiosk) -> None:
        self._kiosk = kiosk
        self._lock = threading.Lock()
        self._counter: CounterService | None = None
        self._worker: FaceWorker | None = None

    def __call__(self) -> CounterService:
        """The counter service (built by the first caller; later callers get the same one)."""
        with self._lock:
            if self._counter is None:
                from kiosk.face.worker import FaceWorker

                self._worker = FaceWorker()
                self._counter = counter_service(self._kiosk, self._worker)
            return self._counter

    def close(self) -> None:
        """Stop the face worker, if it was started."""
        with self._lock:
            if self._worker is not None:
                self._worker.close()


def counter_service(kiosk: Kiosk, engine: FaceEngine) -> CounterService:
    """The officer's devices for the enrolment screens, with the face work on ``engine``.

    The reader and camera are the configured ones (the simulated ones in demo mode); one that
    cannot be built is left out, so its step reports the device unavailable.
    """
    from kiosk.services.counter import CounterService

    settings = kiosk.settings
    return CounterService(
        chip_reading(settings),
        _or_absent("card reader", lambda: _demo_or_configured_reader(settings)),
        _or_absent("camera", lambda: configured_camera(settings)),
        engine,
        settings.face.match_threshold,
        lambda observed: liveness(kiosk, observed),
        _counter_scanner(settings),
    )


def _counter_scanner(settings: Settings) -> Callable[[DocumentKind], DocumentScanner | None]:
    """The document scanner per kind of card.

    In demo mode it holds the demo citizen's specimen card of that kind; otherwise it is the
    configured document camera, the same for every kind.
    """
    if settings.demo:
        from kiosk.devices.sim import citizens

        record = citizens.list_citizens()[0]
        return lambda kind: simulated_scanner(settings, record, kind)
    scanner = _or_absent("scanner", lambda: configured_scanner(settings))
    return lambda _kind: scanner


def start_demo_central(kiosk: Kiosk, folder: Path, admin: User) -> CentralChild:
    """Start the reference server as a child process and connect this demo kiosk to it.

    ``central serve --demo`` trusts the installation's test CSCA, keeps its keys in ``folder``
    and listens on a free loopback port; the kiosk registers with the invitation it announces,
    or, registered with it before, follows it to its new port. The caller stops it on exit.

    Raises:
        ConfigError: outside demo mode.
        DomainError: the server did not start or refused the registration.
    """
    from kiosk.devices.sim.pki import load_or_create

    if not kiosk.settings.demo:
        raise ConfigError("server", "the reference server runs as a child in demo mode only")
    test_pki = load_or_create(kiosk.settings.sim_dir / "pki")
    child = CentralChild(folder, test_pki.trust_dir)
    ready = child.start()
    try:
        kiosk.services.sync.connect_demo_server(admin, ready.url, ready.pin, ready.invite)
    except BaseException:
        child.stop()
        raise
    return child
