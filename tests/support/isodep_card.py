"""The simulated chip as a contactless ISO/IEC 14443 Type 4A card on nfcpy's ``udp`` device.

nfcpy's ``udp`` driver simulates the RF link with UDP datagrams, each the ASCII text
``"<bitrate> <hex frame>"`` or ``RFOFF`` (facts/environment.md §3). This is the card's end,
written on plain sockets (only ``kiosk.devices.card`` imports nfcpy): ISO/IEC 14443-3 anticollision
(SENS_REQ, SDD_REQ, SEL_REQ), RATS answered with an ATS, then our own ISO/IEC 14443-4 block
layer carrying the chip's APDUs:

- I-blocks: the card answers with the block number of the block it received, so the numbers
  toggle as the reader's do; a command chained over several I-blocks is acknowledged with
  R(ACK) and put together;
- a response longer than the reader's frame (FSD from RATS) is chained: each I-block with the
  chaining bit waits for the reader's R(ACK);
- the answers to GENERAL AUTHENTICATE and INTERNAL AUTHENTICATE (the slow ones on a real chip)
  are preceded by an S(WTX) request, which the reader must echo before it gets them;
- R(NAK) repeats the last block, or is answered with R(ACK) (the reader's presence check);
- S(DESELECT) and RFOFF end the activation; the card then waits to be selected again, powered
  up afresh (a warm reset of the chip).

Pulling the card (``remove``) closes its socket: the reader's next frame times out. A card
inserted with a ``TagLoss`` falls silent when it is lifted (every frame unanswered, as out of
the field) and after the delay answers again as a freshly powered chip, of the same profile or
of the replacement, waiting to be activated.
"""

from __future__ import annotations

import select
import socket
import threading
import time

from kiosk.devices.sim.chip.os import ChipOS
from kiosk.devices.sim.chip.profile import CardProfile
from kiosk.devices.sim.lift import TagLoss
from kiosk.emrtd.errors import CardRemoved

BITRATE = b"106A"
SENS_RES = bytes.fromhex("4400")
UID = bytes.fromhex("08A1B2C3")
SEL_RES = bytes.fromhex("20")
"""ISO/IEC 14443-4 compliant, no cascade."""
ATS = bytes.fromhex("0578809002")
"""TL 05; T0 78 (TA, TB, TC follow; FSCI 8: 256-byte frames); TA 80; TB 90 (FWI 9, about
155 ms, as many eMRTD chips; slow answers ask for more with S(WTX)); TC 02.

With FWI 7 (39 ms) a READ BINARY answered by this in-process card on a loaded CI machine
sometimes came after the reader's timeouts and retries: "unrecoverable protocol error"."""
FSD = (16, 24, 32, 40, 48, 64, 96, 128, 256)
SLOW_INS = frozenset({0x86, 0x88})
WTXM = 30
"""WTX multiplier: 30 frame waiting times, about 1.2 s, room for our pure-Python PACE."""
POLL_SECONDS = 0.1

_ACK = 0xA2
_NAK = 0xB2
_DESELECT = 0xC2
_WTX = 0xF2
_CHAINING = 0x10


class IsoDepCard:
    """The card's end of nfcpy's udp link, played by a thread bound to ``port``."""

    def __init__(self, port: int) -> None:
        self._port = port
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def insert(self, profile: CardProfile, *, loss: TagLoss | None = None) -> None:
        """Bring a new card of ``profile`` into the field (any earlier one is pulled first)."""
        self.remove()
        self._stop = threading.Event()
        link = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        link.bind(("127.0.0.1", self._port))
        chip = ChipOS(profile, leave_during=loss.file if loss else None)
        returning = (ChipOS(loss.returning(profile)), loss.delay) if loss else None
        card = _Card(chip, link, self._stop, returning)
        self._thread = threading.Thread(target=card.run, name="isodep-card", daemon=True)
        self._thread.start()

    def remove(self) -> None:
        """Pull the card out of the field: it answers nothing from now on."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5.0)
            self._thread = None


class _Card:
    """One card in the field: anticollision, activation, then the block protocol."""

    def __init__(
        self,
        chip: ChipOS,
        link: socket.socket,
        stop: threading.Event,
        returning: tuple[ChipOS, float] | None = None,
    ) -> None:
        self._chip = chip
        self._link = link
        self._stop = stop
        self._returning = returning
        self._silent_until = 0.0
        self._reader: tuple[str, int] | None = None
        self._fsd = 256
        self._last: bytes = b""
        self._command = b""

    def run(self) -> None:
        with self._link:
            while not self._stop.is_set():
                frame = self._receive()
                if frame is not None and time.monotonic() >= self._silent_until:
                    self._handle(frame)

    def _receive(self) -> bytes | None:
        ready = select.select([self._link], [], [], POLL_SECONDS)[0]
        if not ready:
            return None
        datagram, self._reader = self._link.recvfrom(1024)
        if datagram.startswith(b"RFOFF"):
            self._chip.reset()
            return None
        return bytes.fromhex(datagram.split()[1].decode()) if b" " in datagram else b""

    def _send(self, frame: bytes) -> None:
        assert self._reader is not None
        self._last = frame
        self._link.sendto(BITRATE + b" " + frame.hex().encode(), self._reader)

    def _handle(self, frame: bytes) -> None:
        if frame in (b"\x26", b"\x52"):
            self._send(SENS_RES)
        elif frame == b"\x93\x20":
            self._send(UID + bytes((UID[0] ^ UID[1] ^ UID[2] ^ UID[3],)))
        elif frame[:2] == b"\x93\x70":
            self._send(SEL_RES)
        elif frame[:1] == b"\xe0":
            self._fsd = FSD[min(frame[1] >> 4, 8)]
            self._chip.reset()
            self._send(ATS)
        elif frame:
            self._block(frame)

    def _block(self, frame: bytes) -> None:
        pcb = frame[0]
        if pcb & 0xE2 == 0x02:
            self._i_block(pcb, frame[1:])
        elif pcb & 0xF6 == _NAK:
            nak_repeats_last = self._last and self._last[0] & 0x01 == pcb & 0x01
            self._send(self._last if nak_repeats_last else bytes((_ACK | (pcb & 0x01),)))
        elif pcb == _DESELECT:
            self._send(bytes((_DESELECT,)))
            self._chip.reset()

    def _i_block(self, pcb: int, data: bytes) -> None:
        block = pcb & 0x01
        self._command += data
        if pcb & _CHAINING:
            self._send(bytes((_ACK | block,)))
            return
        command, self._command = self._command, b""
        if len(command) > 1 and command[1] in SLOW_INS and not self._waited():
            return
        try:
            response = self._chip.process(command)
        except CardRemoved:
            self._leave()
            return
        self._send_chained(block, response)

    def _leave(self) -> None:
        """The chip left the field: for good, or (a tag loss) silent until it is put back."""
        if self._returning is None:
            self._stop.set()  # the removed-mid-read chip leaves the field
            return
        (self._chip, delay), self._returning = self._returning, None
        self._silent_until = time.monotonic() + delay

    def _waited(self) -> bool:
        """Ask for more time with S(WTX) and wait for the reader's echo."""
        self._send(bytes((_WTX, WTXM)))
        while not self._stop.is_set():
            frame = self._receive()
            if frame is not None:
                return frame[:1] == bytes((_WTX,))
        return False

    def _send_chained(self, block: int, response: bytes) -> None:
        size = self._fsd - 3  # PCB and the two CRC bytes
        while len(response) > size:
            self._send(bytes((0x12 | block,)) + response[:size])
            response = response[size:]
            ack = self._wait_for_ack()
            if ack is None:
                return
            block = ack & 0x01
        self._send(bytes((0x02 | block,)) + response)

    def _wait_for_ack(self) -> int | None:
        """The reader's R(ACK) asking for the next block of a chain; None if it never comes."""
        while not self._stop.is_set():
            frame = self._receive()
            if frame and frame[0] & 0xF6 == _ACK:
                return frame[0]
            if frame and frame[0] & 0xF6 == _NAK:
                self._send(self._last)
        return None
