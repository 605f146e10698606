"""The ports: what the rest of the kiosk may ask of a device, as ``typing.Protocol``s.

Services and jobs depend on these protocols only; ``kiosk.app`` picks the concrete (real or
simulated) implementation. Calls are synchronous and blocking, and every long call takes a
``threading.Event`` to cancel it. The ports, one section each:

- Camera: ``Camera``, the ``Frame`` values it yields and its ``CameraInfo``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from kiosk.emrtd.transport import Transport

if TYPE_CHECKING:  # annotations only: the desktop app starts without loading numpy
    import numpy as np
    import numpy.typing as npt

# --- Camera ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Frame:
    """One captured image, shared read-only between the display job and face guidance.

    Attributes:
        image: 8-bit BGR pixels (H x W x 3), marked read-only so no consumer can alter a frame
            another consumer holds.
        timestamp: ``time.monotonic()`` when the frame was captured, to measure latency.
        sequence: the capture counter; a gap means frames were dropped to stay current.
    """

    image: npt.NDArray[np.uint8]
    timestamp: float
    sequence: int


@dataclass(frozen=True, slots=True)
class CameraInfo:
    """What a camera reports about itself, for the status bar and the self-test."""

    name: str
    width: int
    height: int
    fps: float


class Camera(Protocol):
    """A source of frames at a known rate: a webcam, a video file or a folder of images.

    ``frames`` always yields the newest frame: a slow consumer skips frames (and sees gaps in
    ``sequence``), never a growing backlog. The iterator ends when ``cancel`` is set, checked
    at least once per frame.
    """

    def frames(self, cancel: threading.Event) -> Iterator[Frame]:
        """Yield the newest frames until ``cancel`` is set.

        Raises:
            kiosk.devices.errors.Unavailable: the camera cannot be opened.
            kiosk.devices.errors.Busy: another consumer is iterating this camera.
            kiosk.devices.errors.Lost: the camera went away and did not come back.
        """
        ...

    def info(self) -> CameraInfo:
        """The camera's name and its frame size and rate as configured."""
        ...


# --- Card reader ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CardReaderInfo:
    """A card reader as the status bar, the self-test and ``kiosk card readers`` show it.

    Attributes:
        name: the reader's name (the PC/SC name, or the simulator's).
        is_virtual: a test-only reader (vpcd's ``Virtual PCD*`` or the in-process simulator),
            refused outside demo mode (design.md, "Demo and test material").
    """

    name: str
    is_virtual: bool

    @property
    def model(self) -> str:
        """The reader's model: its name without the slot index (see ``reader_model``)."""
        return reader_model(self.name)


_SLOT_INDEX = re.compile(r"(\s+[0-9A-Fa-f]{1,2})+$")
_NFC_DEVICE_NUMBERS = re.compile(r"(:\d+)+$")


def reader_model(name: str) -> str:
    """The model a reader name stands for, so what is learnt of one unit serves its siblings.

    PC/SC names end in the slot index (``... 00 00`` from pcsc-lite, ``... 0`` from WinSCard);
    nfcpy names end in bus and device numbers (``nfc:usb:001:023``), which change when the
    reader is plugged in again, so every nfcpy reader on one bus type is one model.
    """
    if name.startswith("nfc:"):
        return _NFC_DEVICE_NUMBERS.sub("", name)
    return _SLOT_INDEX.sub("", name)


@dataclass(frozen=True, slots=True)
class CardInfo:
    """What a card says of itself before any APDU: its ATR (ISO/IEC 7816-3 §8)."""

    atr: bytes


class CardSession(Protocol):
    """One card on one reader, from the moment it is found until it leaves.

    The session ends with the card: once it has left, ``transport`` raises
    ``kiosk.emrtd.CardRemoved`` for good, even if a card is put back (that is a new session).
    """

    @property
    def transport(self) -> Transport:
        """The plain APDU link to the card; the emrtd protocols wrap it as they need."""
        ...

    @property
    def info(self) -> CardInfo:
        """The card's ATR, read when it was found."""
        ...

    def reset(self) -> None:
        """Warm reset (or RF off and on): between access attempts the chip forgets its state.

        Raises:
            kiosk.emrtd.CardRemoved: the card has left.
        """
        ...

    def wait_for_removal(self, cancel: threading.Event) -> None:
        """Return once the card has left the reader.

        Raises:
            kiosk.domain.errors.Cancelled: ``cancel`` was set first.
        """
        ...


class CardReader(Protocol):
    """One contact or contactless reader (PC/SC, nfcpy, or simulated).

    Listing the readers present is the adapter's business (``kiosk card readers`` asks each
    backend); a ``CardReader`` is one of them, chosen by name in the machine settings.
    """

    def describe(self) -> CardReaderInfo:
        """The reader's name and whether it is virtual."""
        ...

    def wait_for_card(self, timeout: float | None, cancel: threading.Event) -> CardSession:
        """Block until a card is on the reader and return its session.

        Args:
            timeout: seconds to wait, or None to wait until cancelled.
            cancel: checked at least every 100 ms.

        Raises:
            kiosk.devices.errors.Timeout: no card came within ``timeout`` (code ``NO_CARD``).
            kiosk.domain.errors.Cancelled: ``cancel`` was set first.
        """
        ...


class CardMemory(Protocol):
    """What the kiosk has learnt about card types and reader models, kept across restarts.

    Card types are ``kiosk.emrtd.card_type`` names (the ATR's historical bytes and a hash of
    EF.CardAccess); reader models are ``CardReaderInfo.model``. It is a ``kiosk.emrtd``
    ``AccessMemory`` too, so a read can recall and remember the access protocol itself.
    """

    def recall(self, card_type: str) -> str | None:
        """The access protocol that opened the last card of ``card_type``, if known."""
        ...

    def remember(self, card_type: str, access: str) -> None:
        """Keep ``access`` as the protocol to try first on cards of ``card_type``."""
        ...

    def read_limit(self, model: str) -> int | None:
        """The largest READ BINARY (bytes asked) readers of ``model`` carry, once probed."""
        ...

    def remember_read_limit(self, model: str, limit: int) -> None:
        """Keep the largest READ BINARY probed on a reader of ``model``."""
        ...


# --- Document scanner -----------------------------------------------------------------------


class Side(StrEnum):
    """Which side of a card is being scanned (both when the card has data on both)."""

    FRONT = "front"
    BACK = "back"


class DocumentScanner(Protocol):
    """One image of one side of a card: a document camera's snapshot or an image file.

    The image is the whole scene as captured (8-bit BGR); finding and flattening the card is
    ``kiosk.documents``' work, so every scanner is checked by the same code.
    """

    def capture(self, side: Side, cancel: threading.Event) -> npt.NDArray[np.uint8]:
        """Capture ``side`` and return its image.

        Raises:
            kiosk.devices.errors.Unavailable: the scanner cannot be opened or has no image.
            kiosk.devices.errors.Timeout: the card never lay still long enough.
            kiosk.domain.errors.Cancelled: ``cancel`` was set first.
        """
        ...
