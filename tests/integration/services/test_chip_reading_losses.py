"""The chip-reading service around tag loss and what it learns: on the in-process reader.

The reader contract (tests/contract/card_reader/test_tag_loss.py) shows the resumption on every
reader; here are the service's own promises: the wait for a lifted card ends after
``return_wait`` with ``card_removed``, a cancel during the wait stops it, a card that keeps
leaving is given up after ``MAX_LOSSES``, and with a card memory the access protocol per card
type and the reader's largest READ BINARY are kept and used by the next read.
"""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest

from kiosk.devices.card.memory import JsonCardMemory
from kiosk.devices.sim import citizens, pki
from kiosk.devices.sim.chip.faults import Fault
from kiosk.devices.sim.chip.profile import CardProfile, build_profile
from kiosk.devices.sim.lift import TagLoss
from kiosk.devices.sim.reader import READER_NAME, SimulatedReader
from kiosk.domain.errors import Cancelled, DomainError, ErrorCode
from kiosk.domain.progress import Progress
from kiosk.emrtd.auth.trust import TrustStore
from kiosk.services.chip_reading import (
    MAX_LOSSES,
    STEP_CARD_LIFTED,
    AccessInput,
    ChipReadingService,
)

TODAY = date(2026, 11, 27)


@pytest.fixture(scope="module")
def pki_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pki")
    pki.load_or_create(folder)
    return folder


@pytest.fixture(scope="module")
def trust(pki_folder: Path) -> TrustStore:
    return TrustStore.load(pki.load_or_create(pki_folder).trust_dir)


@pytest.fixture(scope="module")
def profile(pki_folder: Path) -> CardProfile:
    return build_profile(citizens.list_citizens()[0], pki_folder)


def keys(profile: CardProfile) -> AccessInput:
    return AccessInput(can=profile.can.can)


def test_a_card_not_put_back_in_time_is_card_removed(
    profile: CardProfile, trust: TrustStore
) -> None:
    reader = SimulatedReader()
    reader.insert(profile, loss=TagLoss("DG2", delay=60.0))
    service = ChipReadingService(trust, lambda: TODAY, return_wait=0.3)
    with pytest.raises(DomainError) as caught:
        service.read(reader, keys(profile))
    assert caught.value.code is ErrorCode.CARD_REMOVED


def test_a_cancel_while_the_card_is_awaited_stops_the_read(
    profile: CardProfile, trust: TrustStore
) -> None:
    reader = SimulatedReader()
    reader.insert(profile, loss=TagLoss("DG2", delay=60.0))
    cancel = threading.Event()

    def progress(report: Progress) -> None:
        if report.step == STEP_CARD_LIFTED:
            cancel.set()

    with pytest.raises(Cancelled):
        ChipReadingService(trust, lambda: TODAY).read(
            reader, keys(profile), progress=progress, cancel=cancel
        )


def test_a_card_that_keeps_leaving_is_given_up(profile: CardProfile, trust: TrustStore) -> None:
    reader = SimulatedReader()
    reader.insert(profile)
    lifts: list[str] = []

    def lift_after_each_chunk(report: Progress) -> None:
        if report.step.startswith("chip:") and report.step != "chip:access" and report.done:
            lifts.append(report.step)
            reader.insert(profile)  # the card leaves and a fresh one is laid down at once

    with pytest.raises(DomainError) as caught:
        ChipReadingService(trust, lambda: TODAY).read(
            reader, keys(profile), progress=lift_after_each_chunk
        )
    assert caught.value.code is ErrorCode.CARD_REMOVED
    assert len([s for s in lifts if "card_" not in s]) == MAX_LOSSES + 1


def test_the_memory_keeps_the_access_and_the_read_limit_for_the_next_read(
    pki_folder: Path, trust: TrustStore, tmp_path: Path
) -> None:
    bac_only = build_profile(citizens.list_citizens()[0], pki_folder, Fault.NO_PACE)
    memory = JsonCardMemory(tmp_path / "card_memory.json")
    service = ChipReadingService(trust, lambda: TODAY, memory=memory)
    record = citizens.list_citizens()[0].citizen
    given = AccessInput(
        id_number=record.id_number,
        date_of_birth=record.date_of_birth,
        date_of_expiry=record.date_of_expiry,
    )
    first = service.read(SimulatedReader(bac_only), given).read
    assert (first.access, first.access_attempts) == ("BAC", 2)
    assert memory.read_limit(READER_NAME) == 0x1000 - 48  # the chip's own chunk went through
    second = service.read(SimulatedReader(bac_only), given).read
    assert (second.access, second.access_attempts) == ("BAC", 1)
    assert second.apdus < first.apdus
