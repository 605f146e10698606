"""The Transport port and its decorators: logging, recording, replay, link timing, cancellation.

Everything in ``kiosk.emrtd`` talks to a card through one synchronous call,
``transmit(CommandAPDU) -> ResponseAPDU`` (the python-fido2 and gmrtd shape). Features are added
by wrapping a transport, never by subclassing one, so secure messaging, logging and fault
injection stack in any order the caller chooses.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from kiosk.emrtd.apdu import CommandAPDU, ResponseAPDU
from kiosk.emrtd.errors import Cancelled, MalformedData, TransportError

TRAFFIC = 5
"""Log level of APDU traffic, below DEBUG so it is off unless asked for."""

logging.addLevelName(TRAFFIC, "TRAFFIC")

_logger = logging.getLogger(__name__)

# GET CHALLENGE, EXTERNAL/INTERNAL AUTHENTICATE, MSE, GENERAL AUTHENTICATE (even and odd INS):
# from the first of these on, data fields may carry key material or personal data.
_ACCESS_INS = frozenset({0x84, 0x82, 0x88, 0x22, 0x86, 0x87})
_SM_CLA_BITS = 0x0C


class Transport(Protocol):
    """A link to one card that sends a command and returns the card's response.

    Implementations raise ``CardRemoved`` when the card leaves and ``TransportError`` for any
    other link failure; status words other than 9000 are returned, not raised.
    """

    def transmit(self, command: CommandAPDU) -> ResponseAPDU:
        """Send ``command`` and wait for the response."""
        ...


class APDULog:
    """Logs each exchange at level ``TRAFFIC`` without leaking secrets.

    Before any access protocol, data fields are logged in hex (SELECT of the application,
    EF.CardAccess: nothing personal). From the first GET CHALLENGE, authentication or MSE
    command, or the first secure-messaging APDU, only CLA INS P1 P2, the lengths and the status
    word are logged, for the rest of this object's life (design.md, "Data at rest").
    Place it directly on the reader's transport, below secure messaging.
    """

    def __init__(self, inner: Transport, logger: logging.Logger = _logger) -> None:
        self._inner = inner
        self._logger = logger
        self._redacting = False

    def transmit(self, command: CommandAPDU) -> ResponseAPDU:
        """Log the command, pass it on, log the response."""
        if command.ins in _ACCESS_INS or command.cla & _SM_CLA_BITS:
            self._redacting = True
        enabled = self._logger.isEnabledFor(TRAFFIC)
        if enabled:
            self._logger.log(TRAFFIC, "> %s", self._describe_command(command))
        response = self._inner.transmit(command)
        if enabled:
            self._logger.log(TRAFFIC, "< %s", self._describe_response(response))
        return response

    def _describe_command(self, command: CommandAPDU) -> str:
        header = bytes((command.cla, command.ins, command.p1, command.p2)).hex(" ").upper()
        le = "-" if command.le is None else str(command.le)
        text = f"{header} Lc={len(command.data)} Le={le}"
        return text if self._redacting else f"{text} data={command.data.hex().upper()}"

    def _describe_response(self, response: ResponseAPDU) -> str:
        text = f"SW={response.sw:04X} len={len(response.data)}"
        return text if self._redacting else f"{text} data={response.data.hex().upper()}"


@dataclass(frozen=True, slots=True)
class Exchange:
    """One command and the response it got, as recorded or to be replayed."""

    command: CommandAPDU
    response: ResponseAPDU


class Recorder:
    """Keeps every successful exchange, for traces, evidence counts and tests."""

    def __init__(self, inner: Transport) -> None:
        self._inner = inner
        self._exchanges: list[Exchange] = []

    @property
    def exchanges(self) -> tuple[Exchange, ...]:
        """The exchanges so far, oldest first."""
        return tuple(self._exchanges)

    def transmit(self, command: CommandAPDU) -> ResponseAPDU:
        """Pass the command on and remember the exchange."""
        response = self._inner.transmit(command)
        self._exchanges.append(Exchange(command, response))
        return response


class ReplayTransport:
    """Answers from a recorded trace, checking each command against the recording (gmrtd).

    A protocol change that alters any command byte fails loudly here, which is what makes
    recorded traces useful as regression tests.
    """

    def __init__(self, exchanges: Iterable[Exchange]) -> None:
        self._exchanges = tuple(exchanges)
        self._position = 0

    @property
    def remaining(self) -> int:
        """How many recorded exchanges have not been replayed yet."""
        return len(self._exchanges) - self._position

    def transmit(self, command: CommandAPDU) -> ResponseAPDU:
        """Return the recorded response if ``command`` is the recorded one.

        Raises:
            TransportError: the trace is exhausted or the command differs (the message names
                the exchange number and the header bytes only).
        """
        if not self.remaining:
            raise TransportError(f"replay: trace exhausted after {self._position} exchanges")
        expected = self._exchanges[self._position]
        if command.to_bytes() != expected.command.to_bytes():
            raise TransportError(
                f"replay: exchange {self._position} expected INS {expected.command.ins:02X}"
                f" P1P2 {expected.command.p1:02X}{expected.command.p2:02X},"
                f" got INS {command.ins:02X} P1P2 {command.p1:02X}{command.p2:02X}"
            )
        self._position += 1
        return expected.response


def dump_trace(exchanges: Sequence[Exchange]) -> str:
    """A trace as text: one ``>`` command line and one ``<`` response line (hex) per exchange."""
    lines = []
    for exchange in exchanges:
        lines.append("> " + exchange.command.to_bytes().hex().upper())
        lines.append("< " + exchange.response.to_bytes().hex().upper())
    return "\n".join(lines) + "\n"


def load_trace(text: str) -> tuple[Exchange, ...]:
    """Parse ``dump_trace`` output; blank lines and ``#`` comments are ignored.

    Raises:
        MalformedData: a line is not a ``>``/``<`` hex line, or the lines do not alternate.
    """
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line and not line.startswith("#")]
    if len(lines) % 2:
        raise MalformedData("trace", "a command has no response line")
    exchanges = []
    for number in range(0, len(lines), 2):
        command = CommandAPDU.from_bytes(_trace_bytes(lines[number], ">", number))
        response = ResponseAPDU.from_bytes(_trace_bytes(lines[number + 1], "<", number + 1))
        exchanges.append(Exchange(command, response))
    return tuple(exchanges)


def _trace_bytes(line: str, marker: str, number: int) -> bytes:
    if not line.startswith(marker):
        raise MalformedData("trace", f"line {number} should start with {marker!r}")
    try:
        return bytes.fromhex(line[1:])
    except ValueError as err:
        raise MalformedData("trace", f"line {number} is not hex") from err


ISO_DEP_BITS_PER_SECOND = 424_000
ISO_DEP_FRAME_BYTES = 256
ISO_DEP_FRAME_SECONDS = 0.005


class LinkModel:
    """Accounts the time an exchange would take on a 424 kbit/s ISO-DEP link; never sleeps.

    Each exchange costs ``8 * (command + response bytes) / 424000`` seconds plus 5 ms for each
    frame of at most 256 bytes in each direction, so benchmarks and the simulated reader can
    report realistic read times without waiting for them.
    """

    def __init__(self, inner: Transport) -> None:
        self._inner = inner
        self._seconds = 0.0

    @property
    def seconds(self) -> float:
        """Modelled link time of all exchanges so far."""
        return self._seconds

    def transmit(self, command: CommandAPDU) -> ResponseAPDU:
        """Pass the command on and add its modelled time."""
        response = self._inner.transmit(command)
        self._seconds += exchange_seconds(len(command.to_bytes()), len(response.to_bytes()))
        return response


def exchange_seconds(command_bytes: int, response_bytes: int) -> float:
    """Modelled seconds of one exchange (see ``LinkModel``)."""
    frames = sum(
        max(1, math.ceil(n / ISO_DEP_FRAME_BYTES)) for n in (command_bytes, response_bytes)
    )
    bits = 8 * (command_bytes + response_bytes)
    return bits / ISO_DEP_BITS_PER_SECOND + frames * ISO_DEP_FRAME_SECONDS


def raise_if_cancelled(cancel: threading.Event | None) -> None:
    """Raise ``Cancelled`` if the caller has set ``cancel`` (the fido2 pattern)."""
    if cancel is not None and cancel.is_set():
        raise Cancelled("cancelled by the caller")


class Cancellable:
    """Checks a cancel event before every APDU, so any protocol stops within one exchange."""

    def __init__(self, inner: Transport, cancel: threading.Event) -> None:
        self._inner = inner
        self._cancel = cancel

    def transmit(self, command: CommandAPDU) -> ResponseAPDU:
        """Raise ``Cancelled`` if the event is set, else pass the command on."""
        raise_if_cancelled(self._cancel)
        return self._inner.transmit(command)
