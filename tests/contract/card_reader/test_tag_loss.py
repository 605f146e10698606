"""Tag loss on every reader: the card lifted mid-read and put back (issue 6, "Tag loss").

Through the chip-reading service, as the enrolment screens read: the card leaves half-way
through DG2 or EF.SOD and is put back a moment later; the read waits for it (progress
``chip:card_lifted``, then ``chip:card_back``), opens the chip afresh, proves it is the same
card by EF.SOD's first chunk, and goes on from the last verified offset. Every chunk of every
file is read once: the progress reports of the files never repeat an offset. Another card put
back is refused with ``card_replaced``: the same citizen's next card (the same CAN opens it;
EF.SOD differs) and another citizen's (the CAN that opened the lifted card fails).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from kiosk.devices.sim import citizens
from kiosk.devices.sim.chip.profile import CardProfile, build_profile
from kiosk.devices.sim.lift import TagLoss
from kiosk.domain.chip import ChipVerdict
from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.domain.progress import Progress
from kiosk.emrtd.auth.trust import TrustStore
from kiosk.services.chip_reading import (
    STEP_CARD_BACK,
    STEP_CARD_LIFTED,
    AccessInput,
    ChipReadingService,
)
from tests.contract.card_reader.conftest import Bench

TODAY = date(2026, 11, 27)
DELAY = 0.2
"""Seconds the card stays away (the benchmark uses 500 ms; here the tests stay quick)."""
ProfileFactory = Callable[..., CardProfile]


def service(trust: TrustStore) -> ChipReadingService:
    return ChipReadingService(trust, lambda: TODAY, return_wait=20.0)


def file_reports(seen: list[Progress]) -> list[tuple[str, int]]:
    """(file, offset) of every chunk reported: "chip:DG2" and the like, access left out."""
    return [(p.step, p.done) for p in seen if p.step != "chip:access" and "card_" not in p.step]


@pytest.mark.parametrize("lifted_in", ["DG2", "EF.SOD"])
def test_a_card_lifted_and_put_back_is_read_on_from_where_it_stopped(
    bench: Bench, make_profile: ProfileFactory, trust: TrustStore, lifted_in: str
) -> None:
    profile = make_profile()
    bench.insert(profile, loss=TagLoss(lifted_in, DELAY))
    seen: list[Progress] = []
    outcome = service(trust).read(
        bench.reader, AccessInput(can=profile.can.can), progress=seen.append
    )
    assert outcome.verdict is ChipVerdict.GENUINE
    assert outcome.read.sessions == 2
    assert [p.step for p in seen if "card_" in p.step] == [STEP_CARD_LIFTED, STEP_CARD_BACK]
    reports = file_reports(seen)
    assert len(reports) == len(set(reports)), "a chunk was read twice"
    lifted_at = [p.step for p in seen].index(STEP_CARD_LIFTED)
    before = [p.done for p in seen[:lifted_at] if p.step == f"chip:{lifted_in}"]
    after = [p.done for p in seen[lifted_at:] if p.step == f"chip:{lifted_in}"]
    assert before, "the card left before the file was begun"
    assert after[0] > before[-1], "the read did not go on from where it stopped"
    assert after[-1] == len(outcome.read.files[lifted_in])


@pytest.fixture(scope="module")
def other_citizen(pki_folder: Path) -> CardProfile:
    """Another citizen's card, which the first card's CAN does not open."""
    return build_profile(citizens.list_citizens()[1], pki_folder)


@pytest.mark.parametrize("which", ["renewed", "other_citizen"])
def test_another_card_put_back_is_refused(
    bench: Bench, make_profile: ProfileFactory, request: pytest.FixtureRequest, which: str
) -> None:
    profile = make_profile()
    other = request.getfixturevalue("renewed_profile" if which == "renewed" else which)
    bench.insert(profile, loss=TagLoss("DG2", DELAY, replacement=other))
    trust = request.getfixturevalue("trust")
    with pytest.raises(DomainError) as caught:
        service(trust).read(bench.reader, AccessInput(can=profile.can.can))
    assert caught.value.code is ErrorCode.CARD_REPLACED
    assert caught.value.params["file"] == ("EF.SOD" if which == "renewed" else "access key")
