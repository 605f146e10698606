"""PC/SC card readers through pyscard: the only module of the kiosk that imports ``smartcard``.

It owns the typed adapter over pyscard's low-level ``smartcard.scard`` API: listing readers,
waiting for a card and for its removal, an exclusive connection per card, warm resets and the
APDU transport. The low-level API is used on purpose: ``SCardGetStatusChange`` blocks with a
timeout, so a wait runs on the caller's thread and looks at its cancel event every 100 ms (no
``CardMonitor``, no hidden thread calling back into our code), and every call returns a status
code that maps one to one onto our errors. pyscard's byte lists (``list[int]``) become
``bytes`` here and nowhere else; its status codes become ``DeviceError`` (the reader) or the
emrtd ``CardRemoved`` / ``TransportError`` (the link to the card) here and nowhere else.

Virtual readers (vsmartcard's ``Virtual PCD*``) exist for the tests and the demo only; outside
demo mode they are refused (design.md, "Demo and test material never reaches production").
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from smartcard import scard

from kiosk.devices.errors import Busy, DeviceError, Timeout, Unavailable
from kiosk.devices.ports import CardInfo, CardReaderInfo
from kiosk.domain.errors import Cancelled, ErrorCode
from kiosk.emrtd.apdu import CommandAPDU, ResponseAPDU
from kiosk.emrtd.errors import CardRemoved, TransportError

VIRTUAL_PREFIX = "Virtual PCD"
"""The name vsmartcard's vpcd driver gives its readers (test-only, refused outside demo)."""

POLL_MS = 100
"""How long one blocking call may last before the cancel event is looked at again."""

SERVICE = "pcscd"
"""The device name errors carry when the PC/SC service itself fails."""

_PROTOCOLS = scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
_OK: int = scard.SCARD_S_SUCCESS
_SW_BYTES = 2
_CARD_GONE = frozenset(
    {
        scard.SCARD_W_REMOVED_CARD,
        scard.SCARD_E_NO_SMARTCARD,
        scard.SCARD_W_UNPOWERED_CARD,
        scard.SCARD_W_UNRESPONSIVE_CARD,
    }
)


def is_virtual(name: str) -> bool:
    """Whether ``name`` is a vsmartcard virtual reader, which only demo mode accepts."""
    return name.startswith(VIRTUAL_PREFIX)


def list_readers() -> tuple[CardReaderInfo, ...]:
    """Every reader the PC/SC service knows now (none is not an error).

    Raises:
        Unavailable: READER_UNAVAILABLE, the PC/SC service is not running.
    """
    with _context() as context:
        hresult, names = scard.SCardListReaders(context, [])
    if hresult == scard.SCARD_E_NO_READERS_AVAILABLE:
        return ()
    _check_service(hresult, "list readers")
    return tuple(CardReaderInfo(str(name), is_virtual(str(name))) for name in names)


def is_card_present(name: str) -> bool:
    """Whether a card that answers is on reader ``name`` now (for ``kiosk card readers``).

    Raises:
        Unavailable: READER_UNAVAILABLE, no such reader or no PC/SC service.
    """
    with _context() as context:
        hresult, states = scard.SCardGetStatusChange(
            context, 0, [(name, scard.SCARD_STATE_UNAWARE)]
        )
    if hresult != _OK:
        raise _reader_error(hresult, name, "read the reader's state")
    return _holds_a_card(name, int(states[0][1]))


class PCSCReader:
    """One PC/SC reader, by name (see ``kiosk.devices.ports.CardReader``).

    The reader serves one card session at a time: waiting for the next card ends the previous
    session, whose exclusive connection would otherwise keep the card from being opened again.

    Args:
        name: the PC/SC reader name, as ``list_readers`` gives it.
        demo: demo mode, the only mode that accepts virtual readers.

    Raises:
        DeviceError: READER_REFUSED, a virtual reader outside demo mode.
    """

    def __init__(self, name: str, *, demo: bool) -> None:
        self._name = name
        self._session: PCSCSession | None = None
        if is_virtual(name) and not demo:
            raise DeviceError(ErrorCode.READER_REFUSED, name, "virtual reader outside demo mode")

    def describe(self) -> CardReaderInfo:
        """The reader's name; virtual when it is a vsmartcard reader."""
        return CardReaderInfo(self._name, is_virtual(self._name))

    def wait_for_card(self, timeout: float | None, cancel: threading.Event) -> PCSCSession:
        """Block until a card is on the reader and connect to it exclusively.

        Raises:
            Timeout: NO_CARD, no card came within ``timeout``.
            Cancelled: ``cancel`` was set first.
            Busy: READER_UNAVAILABLE, another program holds the card.
            Unavailable: READER_UNAVAILABLE, no such reader or no PC/SC service.
        """
        self.close()
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with _context() as context:
                _wait_for_presence(context, self._name, deadline, cancel)
            session = PCSCSession.connect(self._name)
            if session is not None:
                self._session = session
                return session

    def close(self) -> None:
        """End the current session, if any, releasing its connection."""
        if self._session is not None:
            self._session.close()
            self._session = None

    def __del__(self) -> None:
        # The CardReader port has no close: a reader dropped by its user (``kiosk card read``
        # in a process that goes on) must not keep the card locked to this process.
        self.close()


class PCSCSession:
    """One card on one PC/SC reader, connected exclusively (``SCARD_SHARE_EXCLUSIVE``).

    Exclusive, because an eMRTD read is one secure-messaging session: an APDU from another
    program in between would break its send sequence counter, or worse, use it.
    """

    def __init__(self, name: str, context: int, handle: int, protocol: int, atr: bytes) -> None:
        self._name = name
        self._context = context
        self._handle: int | None = handle
        self._protocol = protocol
        self._info = CardInfo(atr)
        self._lock = threading.Lock()
        self._transport = PCSCTransport(self)

    @classmethod
    def connect(cls, name: str) -> PCSCSession | None:
        """Connect to the card on ``name``; None if it left before the connection was made.

        Raises:
            Busy: READER_UNAVAILABLE, another program holds the card.
            Unavailable: READER_UNAVAILABLE, the reader or the service went away.
        """
        context = _establish()
        hresult, handle, protocol = scard.SCardConnect(
            context, name, scard.SCARD_SHARE_EXCLUSIVE, _PROTOCOLS
        )
        if hresult == _OK:
            hresult, _reader, _state, _protocol, atr = scard.SCardStatus(handle)
            if hresult == _OK:
                return cls(name, context, handle, protocol, bytes(atr))
            scard.SCardDisconnect(handle, scard.SCARD_LEAVE_CARD)
        scard.SCardReleaseContext(context)
        if hresult in _CARD_GONE:
            return None
        raise _reader_error(hresult, name, "connect")

    @property
    def transport(self) -> PCSCTransport:
        """The plain APDU link to this card."""
        return self._transport

    @property
    def info(self) -> CardInfo:
        """The card's ATR, read when it was connected."""
        return self._info

    def reset(self) -> None:
        """Warm reset (``SCardReconnect`` with ``SCARD_RESET_CARD``), keeping exclusivity.

        Raises:
            CardRemoved: the card has left.
            TransportError: the reader failed.
        """
        with self._lock:
            hresult, protocol = scard.SCardReconnect(
                self._open_handle(), scard.SCARD_SHARE_EXCLUSIVE, _PROTOCOLS, scard.SCARD_RESET_CARD
            )
            if hresult == _OK:
                self._protocol = protocol
                return
        raise self._link_error(hresult, "reset")

    def wait_for_removal(self, cancel: threading.Event) -> None:
        """Return once this card has left the reader (even if another one was put back).

        Raises:
            Cancelled: ``cancel`` was set first.
        """
        while not self._has_left():
            if cancel.wait(POLL_MS / 1000):
                raise Cancelled
        self._disconnect(scard.SCARD_LEAVE_CARD)

    def close(self) -> None:
        """Disconnect, resetting the card so no secure-messaging state outlives the session."""
        self._disconnect(scard.SCARD_RESET_CARD)

    def _disconnect(self, disposition: int) -> None:
        # A card that has left is not reset: vpcd's driver, asked to reset a card whose
        # connection is gone, reports the next card as absent (seen with vsmartcard 3.3).
        with self._lock:
            handle, self._handle = self._handle, None
        if handle is not None:
            scard.SCardDisconnect(handle, disposition)
            scard.SCardReleaseContext(self._context)

    def transmit(self, command: bytes) -> bytes:
        """Send one raw command APDU and return the raw response (used by ``PCSCTransport``).

        Raises:
            CardRemoved: the card has left (before or during this command).
            TransportError: the reader or the service failed.
        """
        with self._lock:
            hresult, response = scard.SCardTransmit(
                self._open_handle(), self._protocol, list(command)
            )
        if hresult != _OK:
            raise self._link_error(hresult, "transmit")
        if len(response) < _SW_BYTES:
            # What a contactless reader gives when the card left mid-exchange (vpcd does too):
            # the link is broken, and a reset of the vanished card would confuse the driver.
            self._disconnect(scard.SCARD_LEAVE_CARD)
            raise TransportError(f"{self._name}: transmit: the reader returned no status word")
        return bytes(response)

    def _has_left(self) -> bool:
        with self._lock:
            if self._handle is None:
                return True
            hresult = int(scard.SCardStatus(self._handle)[0])
        return hresult != _OK

    def _open_handle(self) -> int:
        if self._handle is None:
            raise CardRemoved(f"{self._name}: the session has ended")
        return self._handle

    def _link_error(self, hresult: int, what: str) -> TransportError:
        detail = f"{self._name}: {what}: {_message(hresult)}"
        self._disconnect(scard.SCARD_LEAVE_CARD)  # the link is broken: nothing more to send
        if hresult in _CARD_GONE:
            return CardRemoved(detail)
        return TransportError(detail)


class PCSCTransport:
    """The emrtd ``Transport`` of one PC/SC session: ``CommandAPDU`` in, ``ResponseAPDU`` out."""

    def __init__(self, session: PCSCSession) -> None:
        self._session = session

    def transmit(self, command: CommandAPDU) -> ResponseAPDU:
        """Send ``command`` to the card and return its answer (status words are not raised).

        Raises:
            CardRemoved: the card has left.
            TransportError: the reader failed, or answered without status bytes.
        """
        return ResponseAPDU.from_bytes(self._session.transmit(command.to_bytes()))


def _wait_for_presence(
    context: int, name: str, deadline: float | None, cancel: threading.Event
) -> None:
    """Block until a card that answers is on ``name``, looking at ``cancel`` every 100 ms."""
    known = scard.SCARD_STATE_UNAWARE
    while True:
        if cancel.is_set():
            raise Cancelled
        wait_ms = POLL_MS if deadline is None else _remaining_ms(deadline, name)
        hresult, states = scard.SCardGetStatusChange(context, wait_ms, [(name, known)])
        if hresult == scard.SCARD_E_TIMEOUT:
            continue
        if hresult != _OK:
            raise _reader_error(hresult, name, "wait for a card")
        known = states[0][1] & ~scard.SCARD_STATE_CHANGED
        if _holds_a_card(name, known):
            return


def _holds_a_card(name: str, state: int) -> bool:
    """Whether a reader state says a card that answers is present (ATR read, not mute)."""
    if state & scard.SCARD_STATE_UNKNOWN:
        raise Unavailable(ErrorCode.READER_UNAVAILABLE, name, "no such reader")
    return bool(state & scard.SCARD_STATE_PRESENT and not state & scard.SCARD_STATE_MUTE)


def _remaining_ms(deadline: float, name: str) -> int:
    """Milliseconds to wait in this round; NO_CARD once the deadline has passed."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise Timeout(ErrorCode.NO_CARD, name, "no card was presented in time")
    return min(POLL_MS, max(1, int(left * 1000)))


@contextmanager
def _context() -> Iterator[int]:
    """A PC/SC context for one call or one wait, released afterwards."""
    context = _establish()
    try:
        yield context
    finally:
        scard.SCardReleaseContext(context)


def _establish() -> int:
    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    _check_service(hresult, "establish a context")
    return int(context)


def _check_service(hresult: int, what: str) -> None:
    if hresult != _OK:
        raise Unavailable(ErrorCode.READER_UNAVAILABLE, SERVICE, f"{what}: {_message(hresult)}")


def _reader_error(hresult: int, name: str, what: str) -> DeviceError:
    detail = f"{what}: {_message(hresult)}"
    if hresult == scard.SCARD_E_SHARING_VIOLATION:
        return Busy(ErrorCode.READER_UNAVAILABLE, name, detail)
    return Unavailable(ErrorCode.READER_UNAVAILABLE, name, detail)


def _message(hresult: int) -> str:
    return f"{scard.SCardGetErrorMessage(hresult)} (0x{hresult & 0xFFFFFFFF:08X})"
