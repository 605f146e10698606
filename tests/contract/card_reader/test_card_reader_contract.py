"""The CardReader port's contract, run against every implementation (see conftest's benches).

Every reader must: wait for a card (timing out, or stopping when cancelled), give a session
whose transport carries a whole read (PACE-CAN, and BAC with resets between attempts), show
every fault of the simulated chip as the in-process chip does, report a card pulled mid-read as
``CardRemoved``/``PartialRead`` and never talk to a card put back through the old session, and
stop a read within one APDU of a cancel.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

import pytest

from kiosk.devices.errors import Timeout
from kiosk.devices.ports import CardSession
from kiosk.devices.sim.chip.faults import Fault
from kiosk.devices.sim.chip.profile import CardProfile
from kiosk.domain.errors import Cancelled, ErrorCode
from kiosk.emrtd import errors as emrtd_errors
from kiosk.emrtd.access import AccessKey
from kiosk.emrtd.apdu import CommandAPDU, ResponseAPDU
from kiosk.emrtd.auth.trust import TrustStore
from kiosk.emrtd.auth.verdict import ChipVerdict
from kiosk.emrtd.files import APPLICATION_AID
from kiosk.emrtd.reader import ChipRead, read_document
from kiosk.emrtd.transport import Transport
from tests.contract.card_reader.conftest import Bench

TODAY = date(2026, 11, 27)
WAIT = 10.0
ProfileFactory = Callable[..., CardProfile]
Progress = Callable[[str, int, int], None]


class Counting:
    """Counts the APDUs that reach the reader's transport."""

    def __init__(self, inner: Transport) -> None:
        self._inner = inner
        self.sent = 0

    def transmit(self, command: CommandAPDU) -> ResponseAPDU:
        self.sent += 1
        return self._inner.transmit(command)


def session_with(bench: Bench, profile: CardProfile) -> CardSession:
    bench.insert(profile)
    return bench.reader.wait_for_card(WAIT, threading.Event())


def read(
    session: CardSession,
    keys: list[AccessKey],
    trust: TrustStore,
    *,
    transport: Transport | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> ChipRead:
    return read_document(
        transport or session.transport,
        keys,
        trust,
        today=TODAY,
        reset=session.reset,
        progress=progress,
        cancel=cancel,
    )


def select_application(transport: Transport) -> int:
    command = CommandAPDU(0x00, 0xA4, 0x04, 0x0C, APPLICATION_AID)
    return transport.transmit(command).sw


def test_the_reader_describes_itself_as_virtual(bench: Bench) -> None:
    assert bench.reader.describe().is_virtual


def test_waiting_without_a_card_times_out_with_no_card(bench: Bench) -> None:
    with pytest.raises(Timeout) as caught:
        bench.reader.wait_for_card(0.3, threading.Event())
    assert caught.value.code is ErrorCode.NO_CARD


def test_waiting_stops_when_cancelled(bench: Bench) -> None:
    cancel = threading.Event()
    timer = threading.Timer(0.2, cancel.set)
    timer.start()
    with pytest.raises(Cancelled):
        bench.reader.wait_for_card(None, cancel)
    timer.join()


def test_a_card_gives_a_session_with_its_atr(bench: Bench, make_profile: ProfileFactory) -> None:
    session = session_with(bench, make_profile())
    assert session.info.atr[:1] == b"\x3b"
    assert select_application(session.transport) == 0x9000


def test_a_full_read_with_pace_can_is_genuine(
    bench: Bench, make_profile: ProfileFactory, trust: TrustStore
) -> None:
    profile = make_profile()
    result = read(session_with(bench, profile), [profile.can], trust)
    assert result.access == "PACE-CAN"
    assert result.verdict.verdict is ChipVerdict.GENUINE
    assert {"DG1", "DG2", "DG13", "EF.SOD"} <= set(result.files)


def test_a_full_read_with_bac_resets_the_card_after_the_refused_pace(
    bench: Bench, make_profile: ProfileFactory, trust: TrustStore
) -> None:
    profile = make_profile(Fault.NO_PACE)
    result = read(session_with(bench, profile), [profile.can, profile.access_key], trust)
    assert result.access == "BAC"
    assert result.verdict.verdict is ChipVerdict.GENUINE


VERDICTS = {
    Fault.FORGED_SOD: (ChipVerdict.NOT_GENUINE, ("passive_authentication_invalid",)),
    Fault.UNKNOWN_SIGNER: (ChipVerdict.UNVERIFIABLE, ("passive_authentication_unverified",)),
    Fault.NO_EXTENDED_LENGTH: (ChipVerdict.GENUINE, ()),
    Fault.CLONE_AA: (ChipVerdict.NOT_GENUINE, ("active_authentication_invalid", "suspected_clone")),
    Fault.CLONE_CA: (ChipVerdict.NOT_GENUINE, ("chip_authentication_invalid", "suspected_clone")),
    Fault.NO_PACE: (ChipVerdict.GENUINE, ()),
}
FAILURES: dict[Fault, type[Exception]] = {
    Fault.BAD_MAC: emrtd_errors.SecureMessagingError,
    Fault.TRUNCATED_FILE: emrtd_errors.MalformedData,
    Fault.REMOVED_MID_READ: emrtd_errors.PartialRead,
    Fault.NO_EMRTD: emrtd_errors.FileNotFound,
}


def test_every_fault_is_covered_here() -> None:
    assert set(VERDICTS) | set(FAILURES) == set(Fault)


@pytest.mark.parametrize("fault", VERDICTS, ids=str)
def test_a_fault_that_completes_the_read_gets_its_verdict(
    bench: Bench, make_profile: ProfileFactory, trust: TrustStore, fault: Fault
) -> None:
    profile = make_profile(fault)
    result = read(session_with(bench, profile), [profile.can, profile.access_key], trust)
    assert (result.verdict.verdict, result.verdict.reasons) == VERDICTS[fault]


@pytest.mark.parametrize("fault", FAILURES, ids=str)
def test_a_fault_that_breaks_the_read_raises_its_error(
    bench: Bench, make_profile: ProfileFactory, trust: TrustStore, fault: Fault
) -> None:
    profile = make_profile(fault)
    with pytest.raises(FAILURES[fault]):
        read(session_with(bench, profile), [profile.can], trust)


def test_a_card_leaving_by_itself_mid_dg2_is_a_partial_read_and_gone_for_good(
    bench: Bench, make_profile: ProfileFactory, trust: TrustStore
) -> None:
    profile = make_profile(Fault.REMOVED_MID_READ)
    session = session_with(bench, profile)
    with pytest.raises(emrtd_errors.PartialRead) as caught:
        read(session, [profile.can], trust)
    assert caught.value.file == "DG2"
    assert caught.value.offset > 0
    session.wait_for_removal(threading.Event())
    with pytest.raises(emrtd_errors.CardRemoved):
        select_application(session.transport)


def test_a_card_pulled_mid_read_surfaces_as_removed(
    bench: Bench, make_profile: ProfileFactory, trust: TrustStore
) -> None:
    profile = make_profile()
    session = session_with(bench, profile)

    def pull_during_dg2(step: str, done: int, _total: int) -> None:
        if step == "DG2" and done:
            bench.remove()

    with pytest.raises(emrtd_errors.PartialRead) as caught:
        read(session, [profile.can], trust, progress=pull_during_dg2)
    assert caught.value.file == "DG2"
    session.wait_for_removal(threading.Event())


def test_the_old_session_never_reaches_a_card_put_back(
    bench: Bench, make_profile: ProfileFactory
) -> None:
    profile = make_profile()
    old = session_with(bench, profile)
    bench.remove()
    old.wait_for_removal(threading.Event())
    new = session_with(bench, profile)
    with pytest.raises(emrtd_errors.CardRemoved):
        select_application(old.transport)
    assert select_application(new.transport) == 0x9000


def test_waiting_for_removal_stops_when_cancelled(
    bench: Bench, make_profile: ProfileFactory
) -> None:
    session = session_with(bench, make_profile())
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        session.wait_for_removal(cancel)


def test_a_reset_drops_the_secure_channel(
    bench: Bench, make_profile: ProfileFactory, trust: TrustStore
) -> None:
    profile = make_profile()
    session = session_with(bench, profile)
    read(session, [profile.can], trust)
    session.reset()
    assert select_application(session.transport) == 0x9000  # plain again: the chip forgot SM


def test_a_cancel_stops_the_read_within_one_apdu(
    bench: Bench, make_profile: ProfileFactory, trust: TrustStore
) -> None:
    profile = make_profile()
    session = session_with(bench, profile)
    counting = Counting(session.transport)
    cancel = threading.Event()
    sent_at_cancel: list[int] = []

    def cancel_during_dg2(step: str, done: int, _total: int) -> None:
        if step == "DG2" and done and not cancel.is_set():
            cancel.set()
            sent_at_cancel.append(counting.sent)

    with pytest.raises(emrtd_errors.Cancelled):
        read(
            session,
            [profile.can],
            trust,
            transport=counting,
            progress=cancel_during_dg2,
            cancel=cancel,
        )
    assert counting.sent - sent_at_cancel[0] <= 1
