"""Device composition: which card reader, camera and scanner this kiosk uses, real or simulated.

The only place that names concrete devices. Each is imported where it is built, not at the
top: the desktop app reaches its login screen without loading OpenCV, the PC/SC and NFC stacks
or the chip emulator, which the first device check or enrolment step loads instead. Simulated
devices exist in demo mode only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from kiosk.config import Settings
from kiosk.devices.errors import Unavailable
from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.domain.validators import ValidationFailed
from kiosk.services.devices_status import DeviceStatusService

if TYPE_CHECKING:
    from kiosk.devices.card.listing import BackendReaders
    from kiosk.devices.ports import Camera, CardReader, DocumentScanner
    from kiosk.devices.sim.chip.profile import CardProfile
    from kiosk.devices.sim.citizens import CitizenRecord
    from kiosk.domain.documents import DocumentKind

log = logging.getLogger(__name__)

_Device = TypeVar("_Device")

SIM_PCSC_READER = "Virtual PCD 00 00"
"""The reader of ``sim-pcsc``: vpcd's first slot, where ``kiosk card sim serve`` puts the card."""


def simulated_card_reader(
    settings: Settings, citizen: str | None = None, fault: str | None = None
) -> CardReader:
    """The simulated reader holding a demo citizen's card (``simulated_card``; demo only)."""
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


def demo_or_configured_reader(settings: Settings) -> CardReader:
    """The simulated reader in demo mode, else the configured one."""
    return simulated_card_reader(settings) if settings.demo else card_reader(settings)


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
        card_reader=or_absent("card reader", lambda: demo_or_configured_reader(settings)),
        camera=or_absent("camera", lambda: configured_camera(settings)),
        scanner=or_absent("scanner", lambda: configured_scanner(settings)),
    )


def or_absent(what: str, make: Callable[[], _Device | None]) -> _Device | None:
    """The device ``make`` builds, or None (logged) when it cannot be built."""
    try:
        return make()
    except DomainError as err:
        log.warning("%s not available: %s", what, err)
        return None
