"""Benchmark of a full chip read: the simulated CCCD in another process, over a local socket.

Usage: ``python benchmarks/chip_read.py [--runs 5] [--citizen ID12]``.

The card side is the real emulator (``kiosk.devices.sim``) in a child process, served with
``kiosk.devices.sim.vpcd.serve``: it connects to this process exactly as it connects to pcscd's
vpcd driver, and every message is a two-byte big-endian length and a payload. This process
plays the driver with ``VpcdLink``, a Transport over that socket, and reads with the product's
own ``kiosk.emrtd.read_document`` and the keys the product builds for ``--id --dob --expiry``
(EF.CardAccess, PACE-CAN or else BAC, secure messaging, COM, SOD, DG1, DG13, DG14 and DG15
when the card lists them, DG2, Passive, Chip and Active Authentication). The stack up is
``VpcdLink`` -> ``WireCount`` -> ``LinkModel`` -> (read_document: ``Cancellable``, ``Recorder``,
secure messaging), so the APDU count, the bytes and the modelled ISO-DEP time are those of the
protected APDUs, as a contactless reader would carry them.

Each configuration is read ``--runs`` times from one card (a warm reset between runs, so every
run opens the chip again) and the medians are printed with the targets of issues 4 and 5.
PACE alone is measured the same way: ``run_pace`` with the card's CAN over the same link, our
CPU only (issue 5's target: under 150 ms). Nothing is asserted: the figures go to
docs/benchmarks.md.

Issue 6 adds two measurements through the product's ``ChipReadingService`` (with a card memory
already holding the reader's read limit, as on every read after the first): a full read through
a private pcscd (``kiosk.devices.card.pcsc`` over pyscard and vpcd) beside the in-process
reader, and a read during which the card is lifted once, mid-DG2 and separately mid-EF.SOD, and
put back 500 ms later (``TagLoss``). The time between the service's ``chip:card_lifted`` and
``chip:card_back`` reports (the card away) is left out; re-opening the chip, proving the card by
EF.SOD and the rest of the read are counted. ``ModelledReader`` adds the ISO-DEP link model to
every session's transport, so "wall + modelled" is what a contactless reader would take.
"""

from __future__ import annotations

import argparse
import multiprocessing
import socket
import statistics
import struct
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.devices.card.memory import FILE_NAME, JsonCardMemory
from kiosk.devices.card.pcsc import PCSCReader, is_card_present
from kiosk.devices.ports import CardInfo, CardReader, CardReaderInfo, CardSession
from kiosk.devices.sim import citizens, pki, vpcd
from kiosk.devices.sim.chip.faults import Fault
from kiosk.devices.sim.chip.profile import CardProfile, build_profile
from kiosk.devices.sim.lift import TagLoss
from kiosk.devices.sim.reader import SimulatedReader
from kiosk.domain.progress import Progress
from kiosk.emrtd.access import AccessKey, pace_info
from kiosk.emrtd.apdu import CommandAPDU, ResponseAPDU
from kiosk.emrtd.auth.trust import TrustStore
from kiosk.emrtd.errors import CardRemoved
from kiosk.emrtd.files import ReadSettings
from kiosk.emrtd.keys import CANKey
from kiosk.emrtd.pace import run_pace
from kiosk.emrtd.reader import ChipRead, read_document
from kiosk.emrtd.transport import LinkModel, Transport
from kiosk.services.chip_reading import (
    STEP_CARD_BACK,
    STEP_CARD_LIFTED,
    AccessInput,
    ChipReadingService,
)
from tests.support.pcscd import missing_reason, private_pcscd, running_pcscd

HOST = "127.0.0.1"
ACCEPT_SECONDS = 120.0
"""The child builds the card (and imports the kiosk) before it connects."""
TARGET_EXTENDED_S = 1.2
TARGET_SHORT_S = 1.8
TARGET_CPU_MS = 150.0
TARGET_PACE_CPU_MS = 150.0
TARGET_PCSCD_S = 1.0
"""Issue 6: a read through pcscd under 1 s plus the modelled link time."""
TARGET_LOSS_RATIO = 1.5
"""Issue 6: a read with one tag loss under 1.5 times a clean read (the card's absence excluded)."""
LOSS_DELAY_S = 0.5

_LENGTH = struct.Struct("!H")


class VpcdLink:
    """The vpcd driver's side of the link: one framed message out, one framed answer back.

    The card closing the connection is the card leaving the field (``CardRemoved``).
    """

    def __init__(self, connection: socket.socket) -> None:
        self._connection = connection

    def transmit(self, command: CommandAPDU) -> ResponseAPDU:
        """Send ``command`` to the card and return its response."""
        self._send(command.to_bytes())
        return ResponseAPDU.from_bytes(self._receive())

    def atr(self) -> bytes:
        """Ask the card for its ATR (vpcd control code 04)."""
        self._send(bytes((vpcd.GET_ATR,)))
        return self._receive()

    def reset(self) -> None:
        """Warm reset (vpcd control code 02): the card forgets its session; no answer."""
        self._send(bytes((vpcd.RESET,)))

    def _send(self, payload: bytes) -> None:
        self._connection.sendall(vpcd.frame(payload))

    def _receive(self) -> bytes:
        (size,) = _LENGTH.unpack(self._exactly(_LENGTH.size))
        return self._exactly(size)

    def _exactly(self, size: int) -> bytes:
        buffer = bytearray()
        while len(buffer) < size:
            chunk = self._connection.recv(size - len(buffer))
            if not chunk:
                raise CardRemoved("the simulated card closed the connection")
            buffer += chunk
        return bytes(buffer)


class WireCount:
    """Counts APDUs and their bytes as they cross the link (below secure messaging)."""

    def __init__(self, inner: Transport) -> None:
        self._inner = inner
        self.apdus = 0
        self.command_bytes = 0
        self.response_bytes = 0

    def transmit(self, command: CommandAPDU) -> ResponseAPDU:
        """Pass the command on and count both directions."""
        response = self._inner.transmit(command)
        self.apdus += 1
        self.command_bytes += len(command.to_bytes())
        self.response_bytes += len(response.to_bytes())
        return response


@dataclass(frozen=True)
class Config:
    """One way of reading: the card's fault (if any) and the settings the reader is given."""

    label: str
    fault: Fault | None
    settings: ReadSettings | None
    """None: what the product does (``read_document``'s default reads EF.ATR/INFO)."""
    target_s: float


@dataclass(frozen=True)
class Figures:
    """One run's measurements."""

    apdus: int
    command_bytes: int
    response_bytes: int
    modelled_s: float
    wall_s: float
    cpu_ms: float
    read: ChipRead


def serve_card(
    citizen: str, pki_folder: str, fault: str | None, port: int, lift: str | None = None
) -> None:
    """The child process: build the card and serve it to the driver listening on ``port``.

    ``lift`` names the file during which the card is lifted once and put back after 500 ms.
    """
    profile = build_profile(
        citizens.find(citizen), Path(pki_folder), Fault(fault) if fault else None
    )
    loss = TagLoss(lift, LOSS_DELAY_S) if lift else None
    vpcd.serve(profile, threading.Event(), HOST, port, loss=loss)


def measure(config: Config, citizen: str, pki_folder: Path, runs: int) -> list[Figures]:
    """Start the card in a child process and read it ``runs`` times."""
    record = citizens.find(citizen).citizen
    trust = TrustStore.load(pki.load_or_create(pki_folder).trust_dir)
    # The keys the product tries for `--id --dob --expiry`, in its order (the CAN first).
    given = AccessInput(
        id_number=record.id_number,
        date_of_birth=record.date_of_birth,
        date_of_expiry=record.date_of_expiry,
    )
    keys = ChipReadingService(trust, date.today).access_keys(given)
    with served_card(citizen, pki_folder, config.fault) as link:
        return [_read_once(link, config, keys, trust) for _ in range(runs)]


@contextmanager
def served_card(citizen: str, pki_folder: Path, fault: Fault | None) -> Iterator[VpcdLink]:
    """The card of ``citizen`` in a child process, connected and powered (ATR read)."""
    spawn = multiprocessing.get_context("spawn")
    with socket.create_server((HOST, 0)) as server:
        server.settimeout(ACCEPT_SECONDS)
        name = fault.value if fault else None
        args = (citizen, str(pki_folder), name, server.getsockname()[1])
        card = spawn.Process(target=serve_card, args=args, daemon=True)
        card.start()
        connection, _ = server.accept()
        try:
            link = VpcdLink(connection)
            link.atr()
            yield link
        finally:
            connection.close()
            card.join(10)


def measure_pace(citizen: str, pki_folder: Path, runs: int) -> list[float]:
    """Our CPU milliseconds of ``run_pace`` with the CAN (ECDH-GM brainpoolP256r1, AES-128).

    The PACEInfo is the CCCD constant the card also serves; the card's CPU is in the other
    process. Each run follows a warm reset, as a new access attempt does.
    """
    can = CANKey.from_id_number(citizen)
    info = pace_info(None)
    assert info is not None  # noqa: S101 - the CCCD constant offers PACE
    times = []
    with served_card(citizen, pki_folder, None) as link:
        for _ in range(runs):
            link.reset()
            cpu = time.process_time()
            run_pace(link, can, info)
            times.append((time.process_time() - cpu) * 1000)
    return times


def report_pace(times: list[float]) -> None:
    """Print PACE's CPU time beside its target."""
    print("\n== PACE-CAN alone (run_pace: MSE:Set AT and four GENERAL AUTHENTICATE)")
    median = statistics.median(times)
    print(f"reader CPU        {median:.1f} ms (median)   target < {TARGET_PACE_CPU_MS:.0f} ms")
    print(f"  each run: CPU {[round(t, 1) for t in times]} ms")


def _read_once(link: VpcdLink, config: Config, keys: list[AccessKey], trust: TrustStore) -> Figures:
    link.reset()
    wire = WireCount(link)
    model = LinkModel(wire)
    wall, cpu = time.perf_counter(), time.process_time()
    read = read_document(
        model, keys, trust, today=date.today(), settings=config.settings, reset=link.reset
    )
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return Figures(
        wire.apdus, wire.command_bytes, wire.response_bytes, model.seconds, wall, cpu * 1000, read
    )


def report(config: Config, runs: list[Figures]) -> None:
    """Print the medians of one configuration beside its targets."""

    def median(values: list[float]) -> float:
        return statistics.median(values)

    last = runs[-1].read
    files = ", ".join(f"{name} {len(data)} B" for name, data in last.files.items())
    modelled = median([r.modelled_s for r in runs])
    cpu = median([r.cpu_ms for r in runs])
    print(f"\n== {config.label}  ({len(runs)} runs, medians)")
    print(f"files read        {files}")
    print(f"access            {last.access}")
    reasons = ", ".join(last.verdict.reasons) or "no reasons"
    print(f"chip verdict      {last.verdict.verdict.value} ({reasons})")
    checks = (last.chip_authentication.verdict.value, last.active_authentication.verdict.value)
    print(f"CA / AA           {checks[0]} / {checks[1]}")
    for phase in ("access", "chip_authentication", "active_authentication"):
        print(f"  {phase:<22} {median([r.read.timings_ms[phase] for r in runs]):.1f} ms wall")
    print(f"APDUs             {median([r.apdus for r in runs]):.0f}")
    print(
        f"bytes on the link {median([r.command_bytes + r.response_bytes for r in runs]):.0f}"
        f" (commands {median([r.command_bytes for r in runs]):.0f},"
        f" responses {median([r.response_bytes for r in runs]):.0f})"
    )
    print(f"modelled link     {modelled:.3f} s   target < {config.target_s} s")
    print(f"wall time         {median([r.wall_s for r in runs]):.3f} s")
    print(f"reader CPU        {cpu:.1f} ms   target < {TARGET_CPU_MS:.0f} ms")
    print(f"  each run: modelled {[round(r.modelled_s, 3) for r in runs]} s,")
    print(f"            CPU {[round(r.cpu_ms, 1) for r in runs]} ms")


CONFIGS = (
    Config(
        "extended length (ReadSettings(extended_length=True))",
        None,
        ReadSettings(extended_length=True),
        TARGET_EXTENDED_S,
    ),
    Config("product default on the same card (EF.ATR/INFO decides)", None, None, TARGET_EXTENDED_S),
    Config(
        "no-extended-length card, product default", Fault.NO_EXTENDED_LENGTH, None, TARGET_SHORT_S
    ),
    Config(
        "no-pace card (BAC), product default, for reference", Fault.NO_PACE, None, TARGET_EXTENDED_S
    ),
)


def measure_pcscd(citizen: str, pki_folder: Path, runs: int) -> None:
    """Print a full read through a private pcscd (pyscard, vpcd) beside the in-process reader.

    The card behind pcscd is served from a child process, as in ``measure``; the in-process
    reader runs the chip in this process. Both read with the product's keys and defaults.
    """
    print("\n== full read through pcscd (kiosk.devices.card.pcsc) versus in-process")
    reason = missing_reason()
    if reason is None and running_pcscd():
        reason = "a pcscd not started here is running; it is left alone"
    if reason is not None:
        print(f"skipped: {reason}")
        return
    record = citizens.find(citizen)
    trust = TrustStore.load(pki.load_or_create(pki_folder).trust_dir)
    given = AccessInput(
        id_number=citizen,
        date_of_birth=record.citizen.date_of_birth,
        date_of_expiry=record.citizen.date_of_expiry,
    )
    keys = ChipReadingService(trust, date.today).access_keys(given)
    local = SimulatedReader(build_profile(record, pki_folder))
    in_process = [_reader_read(local, keys, trust) for _ in range(runs)]
    spawn = multiprocessing.get_context("spawn")
    with (
        tempfile.TemporaryDirectory(prefix="kiosk-pcscd-") as folder,
        private_pcscd(Path(folder)) as daemon,
    ):
        args = (citizen, str(pki_folder), None, daemon.port)
        card = spawn.Process(target=serve_card, args=args, daemon=True)
        card.start()
        reader = PCSCReader(daemon.reader_name, demo=True)
        through = [_reader_read(reader, keys, trust) for _ in range(runs)]
        reader.close()
        card.terminate()
    for label, figures in (("in-process", in_process), ("through pcscd", through)):
        wall = statistics.median(f[0] for f in figures)
        modelled = statistics.median(f[1] for f in figures)
        print(f"{label:<14} wall {wall:.3f} s (median), modelled link {modelled:.3f} s")
    limit = TARGET_PCSCD_S + statistics.median(f[1] for f in through)
    print(f"target: through pcscd < {TARGET_PCSCD_S} s + modelled link = {limit:.3f} s")


def _reader_read(
    reader: CardReader, keys: list[AccessKey], trust: TrustStore
) -> tuple[float, float]:
    """One full read from ``reader``'s card (after a warm reset): wall and modelled seconds."""
    session = reader.wait_for_card(ACCEPT_SECONDS, threading.Event())
    session.reset()
    model = LinkModel(session.transport)
    wall = time.perf_counter()
    read_document(model, keys, trust, today=date.today(), reset=session.reset)
    return time.perf_counter() - wall, model.seconds


class ModelledSession:
    """A card session whose transport adds its modelled ISO-DEP time to the reader's total."""

    def __init__(self, inner: CardSession, model: LinkModel) -> None:
        self._inner = inner
        self._model = model

    @property
    def transport(self) -> Transport:
        """The session's transport, through the link model."""
        return self._model

    @property
    def info(self) -> CardInfo:
        """The card's ATR."""
        return self._inner.info

    def reset(self) -> None:
        """Warm reset of the card."""
        self._inner.reset()

    def wait_for_removal(self, cancel: threading.Event) -> None:
        """Return once the card has left."""
        self._inner.wait_for_removal(cancel)


class ModelledReader:
    """A ``CardReader`` whose sessions' APDUs are charged to one modelled link time."""

    def __init__(self, inner: CardReader) -> None:
        self._inner = inner
        self._models: list[LinkModel] = []

    @property
    def seconds(self) -> float:
        """Modelled link time of every session so far."""
        return sum(model.seconds for model in self._models)

    def describe(self) -> CardReaderInfo:
        """The wrapped reader's name."""
        return self._inner.describe()

    def wait_for_card(self, timeout: float | None, cancel: threading.Event) -> ModelledSession:
        """The wrapped reader's next session, through the link model."""
        session = self._inner.wait_for_card(timeout, cancel)
        self._models.append(LinkModel(session.transport))
        return ModelledSession(session, self._models[-1])


@dataclass(frozen=True)
class ServiceRun:
    """One read through the service: seconds with the card present, modelled link, APDUs."""

    wall_s: float
    modelled_s: float
    apdus: int
    sessions: int


def service_read(service: ChipReadingService, reader: CardReader, given: AccessInput) -> ServiceRun:
    """Read through ``service``, leaving out the time the card was away."""
    modelled = ModelledReader(reader)
    marks: dict[str, float] = {}

    def progress(report: Progress) -> None:
        if report.step in (STEP_CARD_LIFTED, STEP_CARD_BACK):
            marks[report.step] = time.perf_counter()

    started = time.perf_counter()
    outcome = service.read(modelled, given, progress=progress)
    wall = time.perf_counter() - started
    away = marks.get(STEP_CARD_BACK, 0.0) - marks.get(STEP_CARD_LIFTED, 0.0)
    read = outcome.read
    return ServiceRun(wall - away, modelled.seconds, read.apdus, read.sessions)


def product_service(trust: TrustStore, folder: Path) -> ChipReadingService:
    """The service as the kiosk builds it (``kiosk.app.chip_reading``), with a card memory."""
    return ChipReadingService(trust, date.today, memory=JsonCardMemory(folder / FILE_NAME))


def given_for(citizen: str) -> AccessInput:
    """The keys the officer types: ``--id --dob --expiry``."""
    record = citizens.find(citizen).citizen
    return AccessInput(
        id_number=record.id_number,
        date_of_birth=record.date_of_birth,
        date_of_expiry=record.date_of_expiry,
    )


def measure_losses(citizen: str, pki_folder: Path, runs: int, folder: Path) -> None:
    """Clean reads and reads with one tag loss, on the in-process reader, through the service."""
    print(f"\n== one tag loss, in-process reader, through ChipReadingService ({runs} runs)")
    profile = build_profile(citizens.find(citizen), pki_folder)
    trust = TrustStore.load(pki.load_or_create(pki_folder).trust_dir)
    service = product_service(trust, folder)
    given = given_for(citizen)
    _warm(service, profile, given)
    rows = {
        label: [_lifted_read(service, profile, given, lift) for _ in range(runs)]
        for label, lift in (("clean", None), ("lost mid-DG2", "DG2"), ("lost mid-EF.SOD", "EF.SOD"))
    }
    report_losses(rows)


def _warm(service: ChipReadingService, profile: CardProfile, given: AccessInput) -> None:
    """One read first, so the memory knows the reader's limit, as after the kiosk's first read."""
    service.read(SimulatedReader(profile), given)


def _lifted_read(
    service: ChipReadingService, profile: CardProfile, given: AccessInput, lift: str | None
) -> ServiceRun:
    reader = SimulatedReader()
    reader.insert(profile, loss=TagLoss(lift, LOSS_DELAY_S) if lift else None)
    return service_read(service, reader, given)


def report_losses(rows: dict[str, list[ServiceRun]]) -> None:
    """Print each kind of read beside the clean one, with issue 6's target."""
    clean = rows["clean"]
    base = statistics.median(r.wall_s + r.modelled_s for r in clean)
    for label, figures in rows.items():
        wall = statistics.median(r.wall_s for r in figures)
        modelled = statistics.median(r.modelled_s for r in figures)
        apdus = statistics.median(r.apdus for r in figures)
        total = statistics.median(r.wall_s + r.modelled_s for r in figures)
        print(
            f"{label:<16} sessions {figures[0].sessions}  APDUs {apdus:.0f}  wall {wall:.3f} s"
            f"  modelled {modelled:.3f} s  wall+modelled {total:.3f} s"
            f"  = {total / base:.2f} x clean (target < {TARGET_LOSS_RATIO})"
        )
        print(f"{'':<16} each run wall {[round(r.wall_s, 3) for r in figures]} s")


def measure_pcscd_service(citizen: str, pki_folder: Path, runs: int, folder: Path) -> None:
    """The service through a private pcscd: clean, and with one loss mid-DG2 and mid-EF.SOD."""
    print(f"\n== through pcscd (kiosk.devices.card.pcsc), ChipReadingService ({runs} runs)")
    reason = missing_reason()
    if reason is None and running_pcscd():
        reason = "a pcscd not started here is running; it is left alone"
    if reason is not None:
        print(f"skipped: {reason}")
        return
    trust = TrustStore.load(pki.load_or_create(pki_folder).trust_dir)
    given = given_for(citizen)
    spawn = multiprocessing.get_context("spawn")
    with private_pcscd(folder / "pcscd") as daemon:
        reader = PCSCReader(daemon.reader_name, demo=True)
        service = product_service(trust, folder)
        rows: dict[str, list[ServiceRun]] = {}
        for label, lift in (
            ("warm-up", None),
            ("clean", None),
            ("lost mid-DG2", "DG2"),
            ("lost mid-EF.SOD", "EF.SOD"),
        ):
            rows[label] = []
            for _ in range(1 if label == "warm-up" else runs):
                args = (citizen, str(pki_folder), None, daemon.port, lift)
                card = spawn.Process(target=serve_card, args=args, daemon=True)
                card.start()
                _arrived(daemon.reader_name)  # the child's start-up is not the read's time
                rows[label].append(service_read(service, reader, given))
                reader.close()
                card.terminate()
                card.join(10)
                _settle(daemon.reader_name)
        reader.close()
    del rows["warm-up"]
    report_losses(rows)
    limit = TARGET_PCSCD_S + statistics.median(r.modelled_s for r in rows["clean"])
    wall = statistics.median(r.wall_s for r in rows["clean"])
    print(f"clean read wall {wall:.3f} s; target < {TARGET_PCSCD_S} s + modelled = {limit:.3f} s")


def _arrived(reader_name: str) -> None:
    """Wait until pcscd shows the served card on ``reader_name``."""
    deadline = time.monotonic() + ACCEPT_SECONDS
    while not is_card_present(reader_name) and time.monotonic() < deadline:
        time.sleep(0.02)


def _settle(reader_name: str) -> None:
    """Wait until pcscd has seen the card go, so the next run's card is a new insertion."""
    deadline = time.monotonic() + 5
    while is_card_present(reader_name) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.45)


def main() -> None:
    """Read the simulated card in each configuration and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="reads per configuration")
    parser.add_argument(
        "--citizen",
        default=citizens.list_citizens()[0].citizen.id_number,
        help="a demo citizen's ID number (default: the first listed)",
    )
    parser.add_argument(
        "--only",
        choices=("all", "issue6"),
        default="all",
        help="issue6: only the reads through the service (pcscd, tag loss)",
    )
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as folder:
        pki_folder = Path(folder) / "pki"
        started = time.perf_counter()
        pki.load_or_create(pki_folder)
        print(f"test PKI ready in {time.perf_counter() - started:.1f} s (not counted)")
        print("link model: 8*(command+response bytes)/424000 s + 5 ms per frame of <= 256 B")
        if args.only == "all":
            report_pace(measure_pace(args.citizen, pki_folder, args.runs))
            for config in CONFIGS:
                report(config, measure(config, args.citizen, pki_folder, args.runs))
            measure_pcscd(args.citizen, pki_folder, args.runs)
        measure_losses(args.citizen, pki_folder, args.runs, Path(folder) / "losses")
        measure_pcscd_service(args.citizen, pki_folder, args.runs, Path(folder) / "pcscd")
    print("\nFor comparison, phones take 5 to 10 s for the same card.")


if __name__ == "__main__":
    main()
