"""Equipment checks for the start-of-shift self-test and the status bar, over the ports only.

Each check asks the real port one small, quick thing: the card reader names itself and says
whether a card lies on it (and a card there shows its chip answers: EF.CardAccess is read and the
eMRTD application selected; EF.COM and the data groups need the citizen's access key, which a
self-test does not have), the camera yields one frame, the scanner captures one image. A device
the composition root did not provide is reported absent, never as working. The checks block
(they are run as background jobs) and take the job's cancel event.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from kiosk import emrtd
from kiosk.devices.ports import Camera, CardReader, CardSession, DocumentScanner, Side
from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.services.chip_reading import translate

CARD_PROBE_SECONDS = 0.3
"""How long the reader check waits for a card: enough to notice one lying there, no more."""


@dataclass(frozen=True, slots=True)
class DeviceReport:
    """What one check found.

    Attributes:
        present: False when this kiosk has no such device configured.
        name: the device's own name (reader name, camera name), or "" when it has none.
        facts: small values worth showing (a card is present, the frame size); never images.
    """

    present: bool
    name: str = ""
    facts: dict[str, str | int] = field(default_factory=dict)


ABSENT = DeviceReport(present=False)


class DeviceStatusService:
    """Checks the devices this kiosk was composed with; any of them may be missing."""

    def __init__(
        self,
        *,
        demo: bool,
        card_reader: CardReader | None = None,
        camera: Camera | None = None,
        scanner: DocumentScanner | None = None,
    ) -> None:
        self._demo = demo
        self._card_reader = card_reader
        self._camera = camera
        self._scanner = scanner

    def check_card_reader(self, cancel: threading.Event) -> DeviceReport:
        """The reader answers and is allowed here; whether a card lies on it now, and its chip.

        Raises:
            DomainError: READER_REFUSED for a virtual reader outside demo mode; the reader's
                own device error when it does not answer; CARD_NOT_EMRTD or the chip's error
                when a card lies there and its chip does not answer as an eMRTD.
        """
        if self._card_reader is None:
            return ABSENT
        info = self._card_reader.describe()
        if info.is_virtual and not self._demo:
            raise DomainError(ErrorCode.READER_REFUSED, "virtual reader outside demo")
        try:
            session = self._card_reader.wait_for_card(CARD_PROBE_SECONDS, cancel)
        except DomainError as err:
            if err.code is not ErrorCode.NO_CARD:
                raise
            return DeviceReport(True, info.name, {"card": 0})
        return DeviceReport(True, info.name, {"card": 1, **probe_chip(session)})

    def check_camera(self, cancel: threading.Event) -> DeviceReport:
        """The camera delivers a frame; its size is reported."""
        if self._camera is None:
            return ABSENT
        name = self._camera.info().name
        stop = threading.Event()
        frames = self._camera.frames(stop)
        try:
            frame = next(iter(frames), None)
        finally:
            stop.set()
            getattr(frames, "close", lambda: None)()
        if frame is None or cancel.is_set():
            raise DomainError(ErrorCode.CAMERA_UNAVAILABLE, "no frame")
        height, width = frame.image.shape[:2]
        return DeviceReport(True, name, {"width": width, "height": height})

    def check_scanner(self, cancel: threading.Event) -> DeviceReport:
        """The scanner captures one image of a card's front; its size is reported."""
        if self._scanner is None:
            return ABSENT
        image = self._scanner.capture(Side.FRONT, cancel)
        height, width = image.shape[:2]
        return DeviceReport(True, "", {"width": width, "height": height})


def probe_chip(session: CardSession) -> dict[str, str | int]:
    """What a chip shows without a key: EF.CardAccess (its size) and the eMRTD application.

    EF.CardAccess lies in the master file and is read before any SELECT (ICAO 9303-11 §4.4); a
    chip without it (BAC only) reports 0 bytes.

    Raises:
        DomainError: CARD_NOT_EMRTD when the eMRTD application is missing, else the chip's error.
    """
    transport = session.transport
    try:
        try:
            card_access = len(emrtd.read_file(transport, emrtd.EF_CARD_ACCESS))
        except emrtd.FileNotFound:
            card_access = 0
        emrtd.select_application(transport)
    except emrtd.EmrtdError as error:
        raise translate(error) from error
    return {"card_access_bytes": card_access}
