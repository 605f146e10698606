"""The in-process simulated card reader: a ``CardReader`` with a simulated CCCD on it.

It implements the ports of ``kiosk.devices.ports`` over the chip emulator, with presence under
the caller's control: ``insert`` powers a card up in the field, ``remove`` pulls it out, so
tests and the demo can take the card away at any moment. A card that leaves by itself (the
``removed-mid-read`` fault) is gone from the reader as well. Each insertion is a new session;
the transport of an old one raises ``CardRemoved`` for good, as a real reader's handle does.

A card inserted with a ``TagLoss`` is lifted once half-way through the file it names and put
back (the same card, or the loss's replacement) after its delay, by a timer thread of the
simulation's own: the hand of the citizen, not a device thread.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from kiosk.devices.errors import Timeout
from kiosk.devices.ports import CardInfo, CardReaderInfo
from kiosk.devices.sim import citizens
from kiosk.devices.sim.chip.faults import Fault
from kiosk.devices.sim.chip.os import ChipOS
from kiosk.devices.sim.chip.profile import CardProfile, build_profile
from kiosk.devices.sim.chip.security import Random
from kiosk.devices.sim.lift import TagLoss
from kiosk.domain.errors import Cancelled, ErrorCode
from kiosk.emrtd.apdu import CommandAPDU, ResponseAPDU
from kiosk.emrtd.errors import CardRemoved

READER_NAME = "Simulated CCCD reader"
POLL_SECONDS = 0.05
"""How often a wait looks at its cancel event (the port promises at least every 100 ms)."""


class SimulatedReader:
    """A reader whose card is a ``ChipOS`` running in this process.

    Args:
        profile: the card on the reader at the start, or None for an empty reader.
        name: the reader's name.
        rng: the chips' random source.
    """

    def __init__(
        self,
        profile: CardProfile | None = None,
        *,
        name: str = READER_NAME,
        rng: Random = os.urandom,
    ) -> None:
        self._name = name
        self._rng = rng
        self._changed = threading.Condition()
        self._chip: ChipOS | None = None
        self._profile: CardProfile | None = None
        self._loss: TagLoss | None = None
        self._insertions = 0
        if profile is not None:
            self.insert(profile)

    @property
    def is_present(self) -> bool:
        """Whether a card is on the reader now."""
        with self._changed:
            return self._chip is not None

    def insert(self, profile: CardProfile, *, loss: TagLoss | None = None) -> None:
        """Put a card on the reader: it powers up, and any earlier card is gone.

        With ``loss``, the card is lifted once during ``loss.file`` and a card is put back
        ``loss.delay`` seconds later.
        """
        with self._changed:
            self._chip = ChipOS(profile, self._rng, loss.file if loss else None)
            self._profile, self._loss = profile, loss
            self._insertions += 1
            self._changed.notify_all()

    def remove(self) -> None:
        """Take the card away; its session's transport raises ``CardRemoved`` from now on."""
        with self._changed:
            self._chip = None
            self._changed.notify_all()

    def describe(self) -> CardReaderInfo:
        """This reader is virtual: usable in demo mode and in tests only."""
        return CardReaderInfo(self._name, is_virtual=True)

    def wait_for_card(self, timeout: float | None, cancel: threading.Event) -> SimulatedSession:
        """Block until a card is on the reader (see ``kiosk.devices.ports.CardReader``)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._changed:
            while self._chip is None:
                self._wait(deadline, cancel)
            return SimulatedSession(self, self._insertions, self._chip.atr)

    def _chip_of(self, insertion: int) -> ChipOS:
        """The chip of insertion number ``insertion`` if it is still on the reader.

        Raises:
            CardRemoved: that card has left.
        """
        with self._changed:
            if self._chip is None or insertion != self._insertions:
                raise CardRemoved("the simulated card is no longer on the reader")
            return self._chip

    def _transmit(self, insertion: int, command: CommandAPDU) -> ResponseAPDU:
        """Send ``command`` to the card of ``insertion``; a card that leaves is removed."""
        with self._changed:
            chip = self._chip_of(insertion)
            try:
                return chip.transmit(command)
            except CardRemoved:
                self.remove()  # the chip left by itself (removed-mid-read, or lifted)
                self._put_back_later()
                raise

    def _put_back_later(self) -> None:
        """After a lift, lay the card (or the replacement) down again once the delay is over."""
        loss, self._loss = self._loss, None
        if loss is None or self._profile is None:
            return
        returning = loss.returning(self._profile)
        timer = threading.Timer(loss.delay, self.insert, (returning,))
        timer.daemon = True
        timer.start()

    def _wait_while_present(self, insertion: int, cancel: threading.Event) -> None:
        """Return once the card of ``insertion`` has left."""
        with self._changed:
            while self._chip is not None and insertion == self._insertions:
                self._wait(None, cancel)

    def _wait(self, deadline: float | None, cancel: threading.Event) -> None:
        if cancel.is_set():
            raise Cancelled
        if deadline is not None and time.monotonic() >= deadline:
            raise Timeout(ErrorCode.NO_CARD, self._name, "no card was presented in time")
        left = POLL_SECONDS if deadline is None else min(POLL_SECONDS, deadline - time.monotonic())
        self._changed.wait(max(left, 0.0))


class SimulatedTransport:
    """The emrtd ``Transport`` of one session: APDUs to that card, or ``CardRemoved``."""

    def __init__(self, reader: SimulatedReader, insertion: int) -> None:
        self._reader = reader
        self._insertion = insertion

    def transmit(self, command: CommandAPDU) -> ResponseAPDU:
        """Send ``command`` to the chip and return its answer.

        Raises:
            CardRemoved: the card has left (before or during this command).
        """
        return self._reader._transmit(self._insertion, command)


class SimulatedSession:
    """One card on the simulated reader (see ``kiosk.devices.ports.CardSession``)."""

    def __init__(self, reader: SimulatedReader, insertion: int, atr: bytes) -> None:
        self._reader = reader
        self._insertion = insertion
        self._transport = SimulatedTransport(reader, insertion)
        self._info = CardInfo(atr)

    @property
    def transport(self) -> SimulatedTransport:
        """The plain APDU link to this card."""
        return self._transport

    @property
    def info(self) -> CardInfo:
        """The card's ATR."""
        return self._info

    def reset(self) -> None:
        """Warm reset of the chip: back to the MF, session keys forgotten."""
        self._reader._chip_of(self._insertion).reset()

    def wait_for_removal(self, cancel: threading.Event) -> None:
        """Return once this card has left the reader."""
        self._reader._wait_while_present(self._insertion, cancel)


def simulated_reader(
    citizen: str | None, pki_folder: Path, fault: Fault | None = None
) -> SimulatedReader:
    """A reader holding the card of ``citizen``, signed by the test PKI in ``pki_folder``.

    Args:
        citizen: a demo citizen's ID number or a citizen TOML path; None for the first listed.
        pki_folder: the demo data folder's PKI folder (generated there on first use).
        fault: the misbehaviour to build the card with, if any.

    Raises:
        LookupError: no such citizen.
    """
    record = citizens.list_citizens()[0] if citizen is None else citizens.find(citizen)
    return SimulatedReader(build_profile(record, pki_folder, fault))
