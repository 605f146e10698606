"""A private pcscd for the tests marked ``pcscd``, and the simulated chip served to it.

The rules come from design.md ("Demo and test material never reaches production"): the tests
run their own pcscd with a private reader configuration (``pcscd -f -c DIR``) whose vpcd
driver listens on a port of its own, found free in 35970-36100 (Debian's package uses 35963).
Debian 12's pcscd always puts its socket at /run/pcscd/pcscd.comm, so only one can run: a test
starts one only when none is running, removes a stale socket only then, and stops only the
process it started. A pcscd that is already running is never touched: the tests are skipped
with the reason. A machine without pcscd or the vpcd driver fails the tests loudly, because
CI must not pass by skipping them; ``KIOSK_ALLOW_NO_PCSCD=1`` turns that into a skip for a
developer machine without them.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from kiosk.devices.card.pcsc import is_card_present, list_readers
from kiosk.devices.errors import Unavailable
from kiosk.devices.sim import vpcd
from kiosk.devices.sim.chip.profile import CardProfile
from kiosk.devices.sim.lift import TagLoss

VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
RUN_FOLDER = Path("/run/pcscd")
SOCKET = RUN_FOLDER / "pcscd.comm"
PID_FILE = RUN_FOLDER / "pcscd.pid"
PORTS = range(35970, 36100)
READER_NAME = "Virtual PCD 00 00"
"""vpcd's first slot: FRIENDLYNAME "Virtual PCD" plus the slot's two numbers."""
ALLOW_MISSING = "KIOSK_ALLOW_NO_PCSCD"
START_SECONDS = 10.0
PRESENCE_POLL_SECONDS = 0.45
"""pcscd asks a driver without hotplug events for card presence every 400 ms."""
STOP_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class PrivatePcscd:
    """A pcscd this test session started, and the vpcd port its reader listens on."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path
    reader_name: str = READER_NAME


def pcscd_program() -> str | None:
    """The pcscd executable (Debian puts it in /usr/sbin, often not on a user's PATH)."""
    return shutil.which("pcscd", path=f"{os.environ.get('PATH', '')}:/usr/sbin")


def missing_reason() -> str | None:
    """Why pcscd with the vpcd driver cannot run here, or None when it can."""
    if pcscd_program() is None:
        return "pcscd is not installed (./setup.sh installs it)"
    if not VPCD_DRIVER.exists():
        return f"the vpcd driver {VPCD_DRIVER} is missing (apt vsmartcard-vpcd, ./setup.sh)"
    return None


def running_pcscd() -> tuple[int, ...]:
    """The process ids of every pcscd running now (read from /proc; nothing is signalled)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # the process ended while we looked
        name, state = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2]
        if name == "pcscd" and state != "Z":  # a zombie holds no socket
            found.append(int(entry.name))
    return tuple(found)


def free_port() -> int:
    """A port P with P and P + 1 free: vpcd listens on both (its readers 00 00 and 00 01)."""
    for port in PORTS:
        if _is_free(port) and _is_free(port + 1):
            return port
    raise RuntimeError(f"no free vpcd port pair in {PORTS.start}-{PORTS.stop - 1}")


def _is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("0.0.0.0", port))  # noqa: S104 - vpcd binds every interface, so must we
        except OSError:
            return False
    return True


def write_reader_conf(folder: Path, port: int) -> Path:
    """The private reader configuration folder: one vpcd reader on ``port``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "reader.conf").write_text(
        'FRIENDLYNAME "Virtual PCD"\n'
        f"DEVICENAME /dev/null:{port}\n"
        f"LIBPATH {VPCD_DRIVER}\n"
        f"CHANNELID {port}\n"
    )
    return folder


@contextmanager
def private_pcscd(folder: Path) -> Iterator[PrivatePcscd]:
    """Start pcscd on a private reader.conf, wait for its reader, stop it afterwards.

    The caller has checked that no pcscd runs (``pcscd_for_tests``), so a socket left in
    /run/pcscd is stale and is removed before the start.
    """
    port = free_port()
    conf = write_reader_conf(folder / "reader.conf.d", port)
    for stale in (SOCKET, PID_FILE):
        stale.unlink(missing_ok=True)
    log = folder / "pcscd.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [pcscd_program() or "pcscd", "-f", "-a", "-c", str(conf)],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    daemon = PrivatePcscd(process, port, log)
    try:
        _wait_until_ready(daemon)
        yield daemon
    finally:
        _stop(daemon)


def _wait_until_ready(daemon: PrivatePcscd) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if daemon.process.poll() is not None:
            raise RuntimeError(f"pcscd exited at start:\n{daemon.log.read_text()}")
        if SOCKET.exists() and _lists_reader(daemon.reader_name):
            return
        time.sleep(0.05)
    raise RuntimeError(f"pcscd did not offer {daemon.reader_name} in {START_SECONDS} s")


def _lists_reader(name: str) -> bool:
    try:
        return any(reader.name == name for reader in list_readers())
    except Unavailable:
        return False


def _stop(daemon: PrivatePcscd) -> None:
    """Stop exactly the process started; clean its socket only if it could not do so itself."""
    daemon.process.terminate()
    try:
        daemon.process.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        daemon.process.kill()
        daemon.process.wait()
    if not running_pcscd():
        for stale in (SOCKET, PID_FILE):
            stale.unlink(missing_ok=True)


@contextmanager
def pcscd_for_tests(folder: Path) -> Iterator[PrivatePcscd]:
    """A private pcscd, or the test's skip or failure saying why there cannot be one."""
    reason = missing_reason()
    if reason is not None:
        if os.environ.get(ALLOW_MISSING) == "1":
            pytest.skip(f"{reason}; skipped because {ALLOW_MISSING}=1")
        pytest.fail(f"{reason}; set {ALLOW_MISSING}=1 to skip the pcscd tests", pytrace=False)
    others = running_pcscd()
    if others:
        pytest.skip(f"a pcscd not started by the tests runs (pid {others}); it is left alone")
    with private_pcscd(folder) as daemon:
        yield daemon


class VpcdCard:
    """The simulated chip on the private pcscd's reader, served by ``vpcd.serve`` in a thread.

    The vpcd connection is the card's presence: ``insert`` connects a fresh chip, ``remove``
    hangs up, which pcscd sees as the card pulled out.
    """

    def __init__(self, port: int, reader_name: str = READER_NAME) -> None:
        self._port = port
        self._reader_name = reader_name
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: OSError | None = None

    def insert(self, profile: CardProfile, *, loss: TagLoss | None = None) -> None:
        """Put a new card of ``profile`` on the reader (any earlier one is pulled first).

        With ``loss`` the card is lifted during ``loss.file`` and put back after the delay.
        """
        self.remove()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._serve, args=(profile, self._stop, loss), name="vpcd-card", daemon=True
        )
        self._thread.start()

    def remove(self) -> None:
        """Pull the card out and wait until pcscd has seen it go.

        pcscd polls the driver for presence (every 400 ms), so a card put back at once could
        otherwise reach the old card's session, or be missed: a person cannot swap cards that
        fast.
        """
        self._stop.set()
        if self._thread is not None:
            self._thread.join(STOP_SECONDS)
            self._thread = None
        deadline = time.monotonic() + STOP_SECONDS
        while is_card_present(self._reader_name):
            if time.monotonic() > deadline:
                raise RuntimeError(f"pcscd still shows a card on {self._reader_name}")
            time.sleep(0.05)
        time.sleep(PRESENCE_POLL_SECONDS)  # one more poll, so the absence is pcscd's settled view

    def _serve(self, profile: CardProfile, stop: threading.Event, loss: TagLoss | None) -> None:
        try:
            vpcd.serve(profile, stop, "127.0.0.1", self._port, loss=loss)
        except OSError as err:
            self.error = err
