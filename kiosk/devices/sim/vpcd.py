"""Serves the simulated chip to pcscd's vpcd driver, so the real PC/SC stack can read it.

vsmartcard's vpcd driver (a pcscd reader driver, test-only: design.md, "Demo and test
material") listens on TCP and the card side connects to it as a client (facts/environment.md
§2, from vsmartcard's ``VirtualSmartcard.py``). Every message in both directions is a two-byte
big-endian length and a payload. From vpcd, a one-byte payload is a control code (00 power
off, 01 power on, 02 reset, 04 send the ATR); anything longer is a command APDU, answered
with the response APDU. The connection is the card's presence: closing it is pulling the card,
which is what a ``removed-mid-read`` chip does. With a ``TagLoss`` the card is lifted once
(the connection closed) and put back after the delay (a new connection, a freshly powered
chip of the same profile or of the replacement).
"""

from __future__ import annotations

import os
import socket
import struct
import threading

from kiosk.devices.sim.chip.os import ChipOS
from kiosk.devices.sim.chip.profile import CardProfile
from kiosk.devices.sim.chip.security import Random
from kiosk.devices.sim.lift import TagLoss
from kiosk.emrtd.errors import CardRemoved

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 35963
"""The port of vpcd's first reader, "Virtual PCD 00 00" (Debian's /etc/reader.conf.d/vpcd)."""

POWER_OFF = 0x00
POWER_ON = 0x01
RESET = 0x02
GET_ATR = 0x04
CONNECT_SECONDS = 5.0
POLL_SECONDS = 0.1
"""How often a blocked receive looks at the stop event."""

_LENGTH = struct.Struct("!H")


def parse_address(text: str) -> tuple[str, int]:
    """``HOST:PORT`` as ``kiosk card sim serve --vpcd`` takes it.

    Raises:
        ValueError: not HOST:PORT with a port from 1 to 65535.
    """
    host, separator, port = text.rpartition(":")
    if not separator or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError("expected HOST:PORT")
    return host, int(port)


def serve(
    profile: CardProfile,
    stop: threading.Event,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    rng: Random = os.urandom,
    loss: TagLoss | None = None,
) -> None:
    """Connect to vpcd and play the card until ``stop`` is set, vpcd hangs up or the card leaves.

    With ``loss``, the card that leaves during ``loss.file`` comes back after ``loss.delay``
    seconds (``loss.replacement`` if given) and is played the same way.

    Raises:
        OSError: vpcd cannot be reached or the connection breaks.
    """
    lifted = _play(ChipOS(profile, rng, loss.file if loss else None), stop, host, port)
    if lifted and loss is not None and not stop.wait(loss.delay):
        _play(ChipOS(loss.returning(profile), rng), stop, host, port)


def _play(chip: ChipOS, stop: threading.Event, host: str, port: int) -> bool:
    """Play ``chip`` on one connection; True when it ended because the card left the field."""
    with socket.create_connection((host, port), timeout=CONNECT_SECONDS) as connection:
        connection.settimeout(POLL_SECONDS)
        while not stop.is_set():
            message = _receive(connection, stop)
            if message is None:
                return False
            try:
                reply = answer(chip, message)
            except CardRemoved:
                return True
            if reply is not None:
                connection.sendall(frame(reply))
    return False


def answer(chip: ChipOS, message: bytes) -> bytes | None:
    """The card's reply to one vpcd message: the ATR, an R-APDU, or None for power control.

    Raises:
        CardRemoved: the card left the field during the command.
    """
    if len(message) != 1:
        return chip.process(message)
    if message[0] == GET_ATR:
        return chip.atr
    if message[0] in (POWER_OFF, POWER_ON, RESET):
        chip.reset()
    return None


def frame(payload: bytes) -> bytes:
    """One vpcd message: the payload's two-byte big-endian length, then the payload."""
    return _LENGTH.pack(len(payload)) + payload


def _receive(connection: socket.socket, stop: threading.Event) -> bytes | None:
    """The next message, or None when vpcd closed the connection or ``stop`` was set."""
    header = _receive_exactly(connection, _LENGTH.size, stop)
    if header is None:
        return None
    (size,) = _LENGTH.unpack(header)
    return _receive_exactly(connection, size, stop)


def _receive_exactly(connection: socket.socket, size: int, stop: threading.Event) -> bytes | None:
    buffer = bytearray()
    while len(buffer) < size:
        if stop.is_set():
            return None
        _acknowledge_at_once(connection)
        try:
            chunk = connection.recv(size - len(buffer))
        except TimeoutError:
            continue
        if not chunk:
            return None
        buffer += chunk
    return bytes(buffer)


def _acknowledge_at_once(connection: socket.socket) -> None:
    """Switch off delayed ACK for the next segments (Linux only; the flag does not stick).

    vpcd sends each message's length and payload in two writes; with delayed ACK the driver
    then waits about 40 ms per APDU for our acknowledgement.
    """
    quick_ack = getattr(socket, "TCP_QUICKACK", None)
    if quick_ack is not None:
        connection.setsockopt(socket.IPPROTO_TCP, quick_ack, 1)
