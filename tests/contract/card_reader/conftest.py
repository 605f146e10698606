"""The benches of the card-reader contract: a reader with a way to put a card on it and pull it.

``sim`` is the in-process simulated reader. ``pcsc`` is the same simulated chip served to a
private pcscd through vsmartcard's vpcd driver and read by ``kiosk.devices.card.pcsc`` over the
real PC/SC stack (marker ``pcscd``; ``tests/support/pcscd.py`` says when it runs). ``nfcpy`` is
the chip as a contactless card behind our own ISO-DEP card layer on nfcpy's ``udp`` device
(``tests/support/isodep_card.py``), read by ``kiosk.devices.card.nfcpy``.
"""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

import pytest

from kiosk.devices.card.nfcpy import NFCReader
from kiosk.devices.card.pcsc import PCSCReader
from kiosk.devices.ports import CardReader
from kiosk.devices.sim import citizens, pki
from kiosk.devices.sim.chip.faults import Fault
from kiosk.devices.sim.chip.profile import CardProfile, build_profile
from kiosk.devices.sim.lift import TagLoss
from kiosk.devices.sim.reader import SimulatedReader
from kiosk.emrtd.auth.trust import TrustStore
from tests.conftest import LogFail
from tests.support.isodep_card import IsoDepCard
from tests.support.pcscd import PrivatePcscd, VpcdCard, pcscd_for_tests

ProfileFactory = Callable[..., CardProfile]


class Bench(Protocol):
    """A reader under test and the hand that puts cards on it."""

    @property
    def reader(self) -> CardReader: ...

    def insert(self, profile: CardProfile, *, loss: TagLoss | None = None) -> None: ...

    def remove(self) -> None: ...


class SimBench:
    """The in-process simulated reader: the card is a ``ChipOS`` in this process."""

    def __init__(self) -> None:
        self._reader = SimulatedReader()

    @property
    def reader(self) -> CardReader:
        return self._reader

    def insert(self, profile: CardProfile, *, loss: TagLoss | None = None) -> None:
        self._reader.insert(profile, loss=loss)

    def remove(self) -> None:
        self._reader.remove()


class PcscBench:
    """The simulated chip on the private pcscd's vpcd reader, read through pyscard."""

    def __init__(self, daemon: PrivatePcscd) -> None:
        self._card = VpcdCard(daemon.port, daemon.reader_name)
        self._reader = PCSCReader(daemon.reader_name, demo=True)

    @property
    def reader(self) -> CardReader:
        return self._reader

    def insert(self, profile: CardProfile, *, loss: TagLoss | None = None) -> None:
        self._card.insert(profile, loss=loss)

    def remove(self) -> None:
        self._card.remove()

    def close(self) -> None:
        # The card leaves first, as at a counter: a session ended while pcscd has not yet seen a
        # vanished card confuses vpcd's driver into reporting the next card absent.
        self._card.remove()
        self._reader.close()
        assert self._card.error is None, f"the card could not reach vpcd: {self._card.error}"


class NfcBench:
    """The simulated chip as an ISO-DEP card on nfcpy's udp link, read through nfcpy."""

    def __init__(self, port: int) -> None:
        self._card = IsoDepCard(port)
        self._reader = NFCReader(f"udp:127.0.0.1:{port}", demo=True)

    @property
    def reader(self) -> CardReader:
        return self._reader

    def insert(self, profile: CardProfile, *, loss: TagLoss | None = None) -> None:
        self._card.insert(profile, loss=loss)

    def remove(self) -> None:
        self._card.remove()

    def close(self) -> None:
        self._reader.close()
        self._card.remove()


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def pcscd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivatePcscd]:
    """A private pcscd for this test session (see ``tests.support.pcscd``)."""
    with pcscd_for_tests(tmp_path_factory.mktemp("pcscd")) as daemon:
        yield daemon


@pytest.fixture(params=["sim", pytest.param("pcsc", marks=pytest.mark.pcscd), "nfcpy"])
def bench(request: pytest.FixtureRequest, logfail: LogFail) -> Iterator[Bench]:
    """Each implementation of the CardReader port, with an empty reader."""
    if request.param == "sim":
        yield SimBench()
        return
    real: PcscBench | NfcBench
    if request.param == "pcsc":
        real = PcscBench(request.getfixturevalue("pcscd"))
    else:
        # nfcpy logs its ISO-DEP retries and its give-up when a card leaves the field.
        logfail.allow("nfc.tag.tt4", "ISO-DEP")
        real = NfcBench(free_udp_port())
    yield real
    real.close()


@pytest.fixture(scope="session")
def pki_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test PKI, generated once for the session."""
    folder = tmp_path_factory.mktemp("pki")
    pki.load_or_create(folder)
    return folder


@pytest.fixture(scope="session")
def trust(pki_folder: Path) -> TrustStore:
    """A trust store holding only the test CSCA."""
    return TrustStore.load(pki.load_or_create(pki_folder).trust_dir)


@pytest.fixture(scope="session")
def make_profile(pki_folder: Path) -> ProfileFactory:
    """Build (and cache) the first demo citizen's card, optionally with a fault."""
    cache: dict[Fault | None, CardProfile] = {}
    record = citizens.list_citizens()[0]

    def build(fault: Fault | None = None) -> CardProfile:
        if fault not in cache:
            cache[fault] = build_profile(record, pki_folder, fault)
        return cache[fault]

    return build


@pytest.fixture(scope="session")
def renewed_profile(pki_folder: Path) -> CardProfile:
    """The first demo citizen's next card: same ID (so the same CAN opens it), new dates."""
    record = citizens.list_citizens()[0]
    citizen = record.citizen
    assert citizen.date_of_issue is not None
    assert citizen.date_of_expiry is not None
    renewed = dataclasses.replace(
        citizen,
        date_of_issue=citizen.date_of_issue.replace(year=citizen.date_of_issue.year + 1),
        date_of_expiry=citizen.date_of_expiry.replace(year=citizen.date_of_expiry.year + 1),
    )
    return build_profile(dataclasses.replace(record, citizen=renewed), pki_folder)
