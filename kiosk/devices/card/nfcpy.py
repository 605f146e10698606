"""Contactless readers through nfcpy: the only module of the kiosk that imports ``nfc``.

For USB NFC readers that have no PC/SC driver (Linux only; docs/readers.md says how to keep
the kernel's ``pn533_usb`` and pcscd off the device). It owns the typed adapter over nfcpy:
finding the readers, sensing an ISO-DEP card (Type 4A or 4B), the APDU transport over nfcpy's
ISO-DEP initiator (block numbering, chaining and waiting-time extensions are nfcpy's), RF off
and on as the warm reset, and presence checks for the removal. nfcpy's ``bytearray`` frames
become ``bytes`` here; its exceptions become ``DeviceError`` (the reader) or the emrtd
``CardRemoved`` / ``TransportError`` (the link) here and nowhere else.

Readers are named ``nfc:`` and nfcpy's device path: ``nfc:usb:001:023`` (bus and device),
``nfc:udp:127.0.0.1:54321`` (nfcpy's simulated RF link over UDP: virtual, demo and tests only).
nfcpy is not thread-safe, so every call on the device holds the reader's lock. A sense round
lasts as long as the device takes to poll (about 1 s on ``udp``); the cancel event is looked
at between rounds.
"""

from __future__ import annotations

import threading
import time

import nfc
import nfc.clf
import nfc.clf.device
import nfc.clf.transport
import nfc.tag
import nfc.tag.tt4

from kiosk.devices.errors import DeviceError, Timeout, Unavailable
from kiosk.devices.ports import CardInfo, CardReaderInfo
from kiosk.domain.errors import Cancelled, ErrorCode
from kiosk.emrtd.apdu import CommandAPDU, ResponseAPDU
from kiosk.emrtd.errors import CardRemoved, MalformedData, TransportError

PREFIX = "nfc:"
"""What marks an nfcpy reader's name, followed by nfcpy's device path."""
TARGETS = ("106A", "106B")
"""ISO-DEP cards: ISO/IEC 14443 Type A and Type B at 106 kbit/s."""
POLL_SECONDS = 0.1
_VIRTUAL_PATHS = ("udp",)


def is_virtual(path: str) -> bool:
    """Whether the nfcpy device path is the simulated UDP link (demo and tests only)."""
    return path.startswith(_VIRTUAL_PATHS)


def list_readers() -> tuple[CardReaderInfo, ...]:
    """The USB readers nfcpy has a driver for, by bus and device number (none is no error).

    Raises:
        Unavailable: READER_UNAVAILABLE, libusb cannot list the USB devices.
    """
    try:
        found = nfc.clf.transport.USB.find("usb") or []
    except Exception as err:
        raise Unavailable(ErrorCode.READER_UNAVAILABLE, "nfcpy", f"libusb: {err}") from err
    known = nfc.clf.device.usb_device_map
    return tuple(
        CardReaderInfo(f"{PREFIX}usb:{bus:03d}:{address:03d}", is_virtual=False)
        for vendor, product, bus, address in found
        if (vendor, product) in known
    )


class NFCReader:
    """One nfcpy reader (see ``kiosk.devices.ports.CardReader``), opened on first use.

    Args:
        path: nfcpy's device path, e.g. ``usb:001:023`` or ``udp:127.0.0.1:54321``.
        demo: demo mode, the only mode that accepts the simulated UDP link.

    Raises:
        DeviceError: READER_REFUSED, the UDP link outside demo mode.
    """

    def __init__(self, path: str, *, demo: bool) -> None:
        self._path = path
        self._lock = threading.RLock()
        self._frontend: nfc.ContactlessFrontend | None = None
        if is_virtual(path) and not demo:
            raise DeviceError(ErrorCode.READER_REFUSED, path, "virtual reader outside demo mode")

    def describe(self) -> CardReaderInfo:
        """The reader's name (``nfc:`` and the path); virtual on the UDP link."""
        return CardReaderInfo(PREFIX + self._path, is_virtual(self._path))

    def wait_for_card(self, timeout: float | None, cancel: threading.Event) -> NFCSession:
        """Sense until an ISO-DEP card answers, and activate it.

        Raises:
            Timeout: NO_CARD, no card came within ``timeout``.
            Cancelled: ``cancel`` was set first.
            Unavailable: READER_UNAVAILABLE, the device cannot be opened.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if cancel.is_set():
                raise Cancelled
            if deadline is not None and time.monotonic() >= deadline:
                raise Timeout(ErrorCode.NO_CARD, self._path, "no card was presented in time")
            tag = self.activate()
            if tag is not None:
                return NFCSession(self, tag)
            cancel.wait(POLL_SECONDS)

    def activate(self) -> nfc.tag.tt4.Type4Tag | None:
        """One sense round: the ISO-DEP card in the field, activated, or None."""
        with self._lock:
            frontend = self._open()
            try:
                target = frontend.sense(*(nfc.clf.RemoteTarget(t) for t in TARGETS))
                tag = nfc.tag.activate(frontend, target) if target is not None else None
            except nfc.clf.CommunicationError:
                return None
        return tag if isinstance(tag, nfc.tag.tt4.Type4Tag) else None

    def field_off(self) -> None:
        """Switch the RF field off: every card in it loses its state."""
        with self._lock:
            if self._frontend is not None and self._frontend.device is not None:
                self._frontend.device.mute()

    def close(self) -> None:
        """Release the device, so another program (or a new reader object) can open it."""
        with self._lock:
            if self._frontend is not None:
                self._frontend.close()
                self._frontend = None

    def __del__(self) -> None:
        # The CardReader port has no close: a reader dropped by its user (``kiosk card read``)
        # still gives the device back, instead of leaving it to the interpreter's exit.
        self.close()

    @property
    def lock(self) -> threading.RLock:
        """Held around every use of the device (nfcpy is not thread-safe)."""
        return self._lock

    def _open(self) -> nfc.ContactlessFrontend:
        if self._frontend is None:
            try:
                self._frontend = nfc.ContactlessFrontend(self._path)
            except OSError as err:
                detail = f"cannot open: {err.strerror or err}"
                raise Unavailable(ErrorCode.READER_UNAVAILABLE, self._path, detail) from err
        return self._frontend


class NFCSession:
    """One contactless card from activation until it leaves (``kiosk.devices.ports``)."""

    def __init__(self, reader: NFCReader, tag: nfc.tag.tt4.Type4Tag) -> None:
        self._reader = reader
        self._tag: nfc.tag.tt4.Type4Tag | None = tag
        self._info = CardInfo(contactless_atr(tag))
        self._transport = NFCTransport(self)

    @property
    def transport(self) -> NFCTransport:
        """The plain APDU link to this card."""
        return self._transport

    @property
    def info(self) -> CardInfo:
        """The ATR a PC/SC reader would show for this card (see ``contactless_atr``)."""
        return self._info

    def reset(self) -> None:
        """RF off and on, then activate the card in the field again.

        Raises:
            CardRemoved: no card answered after the field came back.
        """
        with self._reader.lock:
            self._reader.field_off()
            self._tag = self._reader.activate()
        if self._tag is None:
            raise CardRemoved(f"{self._reader.describe().name}: no card after RF off and on")

    def wait_for_removal(self, cancel: threading.Event) -> None:
        """Return once this card no longer answers the presence check.

        Raises:
            Cancelled: ``cancel`` was set first.
        """
        while self._is_present():
            if cancel.wait(POLL_SECONDS):
                raise Cancelled
        self._tag = None

    def transmit(self, command: bytes) -> bytes:
        """Send one raw command APDU over ISO-DEP and return the raw response.

        Raises:
            CardRemoved: the card stopped answering (it left the field).
            TransportError: the ISO-DEP protocol broke.
        """
        with self._reader.lock:
            tag = self._open_tag()
            try:
                return bytes(tag.transceive(bytearray(command)))
            except nfc.tag.TagCommandError as err:
                raise self._link_error(err) from err
            except nfc.clf.CommunicationError as err:
                self._tag = None
                raise CardRemoved(f"{self._reader.describe().name}: {err}") from err

    def _is_present(self) -> bool:
        with self._reader.lock:
            return self._tag is not None and bool(self._tag.is_present)

    def _open_tag(self) -> nfc.tag.tt4.Type4Tag:
        if self._tag is None:
            raise CardRemoved(f"{self._reader.describe().name}: the card has left")
        return self._tag

    def _link_error(self, err: nfc.tag.TagCommandError) -> TransportError:
        detail = f"{self._reader.describe().name}: {err}"
        if err.errno == nfc.tag.PROTOCOL_ERROR:
            return TransportError(detail)
        self._tag = None  # a timeout or receive error: the card has left the field
        return CardRemoved(detail)


def contactless_atr(tag: nfc.tag.tt4.Type4Tag) -> bytes:
    """The ATR PC/SC synthesises for an ISO-DEP card (PC/SC Part 3 §3.1.3.2.3).

    ``3B 8n 80 01``, n historical bytes, and the check byte TCK. Type B cards give the
    application data and protocol information of their ATQB, and an MBLI/CID byte. nfcpy keeps
    a Type A card's ATS to itself, so its ATR has no historical bytes: the same for every Type A
    card, as the UID (random on an eMRTD) must never tell cards apart either.
    """
    sensb_res = getattr(tag.target, "sensb_res", None)
    historical = bytes(sensb_res[5:12]) + b"\x00" if sensb_res else b""
    body = bytes((0x80 | len(historical), 0x80, 0x01)) + historical
    check = 0
    for byte in body:
        check ^= byte
    return b"\x3b" + body + bytes((check,))


class NFCTransport:
    """The emrtd ``Transport`` of one nfcpy session."""

    def __init__(self, session: NFCSession) -> None:
        self._session = session

    def transmit(self, command: CommandAPDU) -> ResponseAPDU:
        """Send ``command`` to the card and return its answer (status words are not raised).

        Raises:
            CardRemoved: the card has left.
            TransportError: the link failed, or the card answered without status bytes.
        """
        raw = self._session.transmit(command.to_bytes())
        try:
            return ResponseAPDU.from_bytes(raw)
        except MalformedData as err:
            raise TransportError("the card returned no status word") from err
