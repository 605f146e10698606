"""The in-process simulated reader: presence, sessions, reset, waits with timeout and cancel."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from kiosk.devices.errors import Timeout
from kiosk.devices.sim.chip.profile import CardProfile
from kiosk.devices.sim.reader import SimulatedReader, simulated_reader
from kiosk.domain.errors import Cancelled, ErrorCode
from kiosk.emrtd import bac, files
from kiosk.emrtd.apdu import CommandAPDU
from kiosk.emrtd.errors import CardRemoved
from kiosk.emrtd.keys import MRZKey
from kiosk.emrtd.lds import dg13

SELECT_AID = CommandAPDU(0x00, 0xA4, 0x04, 0x0C, files.APPLICATION_AID)

ProfileFactory = Callable[..., CardProfile]


def test_a_card_on_the_reader_answers_through_the_session(make_profile: ProfileFactory) -> None:
    reader = SimulatedReader(make_profile())
    session = reader.wait_for_card(0, threading.Event())
    assert session.info.atr[:1] == b"\x3b"
    assert session.transport.transmit(SELECT_AID).sw == 0x9000
    assert reader.describe().is_virtual


def test_an_empty_reader_times_out_with_no_card() -> None:
    reader = SimulatedReader()
    with pytest.raises(Timeout) as raised:
        reader.wait_for_card(0.05, threading.Event())
    assert raised.value.code is ErrorCode.NO_CARD


def test_waiting_stops_when_cancelled() -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        SimulatedReader().wait_for_card(None, cancel)


def test_a_card_put_on_later_ends_the_wait(make_profile: ProfileFactory) -> None:
    reader = SimulatedReader()
    timer = threading.Timer(0.05, reader.insert, (make_profile(),))
    timer.start()
    session = reader.wait_for_card(5.0, threading.Event())
    timer.join()
    assert session.transport.transmit(SELECT_AID).sw == 0x9000


def test_a_pulled_card_raises_card_removed_even_after_another_is_put_on(
    make_profile: ProfileFactory,
) -> None:
    reader = SimulatedReader(make_profile())
    old = reader.wait_for_card(0, threading.Event())
    reader.remove()
    assert not reader.is_present
    with pytest.raises(CardRemoved):
        old.transport.transmit(SELECT_AID)
    reader.insert(make_profile())
    with pytest.raises(CardRemoved):
        old.transport.transmit(SELECT_AID)
    with pytest.raises(CardRemoved):
        old.reset()
    new = reader.wait_for_card(0, threading.Event())
    assert new.transport.transmit(SELECT_AID).sw == 0x9000


def test_wait_for_removal_returns_when_the_card_leaves(make_profile: ProfileFactory) -> None:
    reader = SimulatedReader(make_profile())
    session = reader.wait_for_card(0, threading.Event())
    timer = threading.Timer(0.05, reader.remove)
    timer.start()
    session.wait_for_removal(threading.Event())
    timer.join()
    assert not reader.is_present


def test_wait_for_removal_stops_when_cancelled(make_profile: ProfileFactory) -> None:
    session = SimulatedReader(make_profile()).wait_for_card(0, threading.Event())
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        session.wait_for_removal(cancel)


def test_reset_ends_the_secure_messaging_session(make_profile: ProfileFactory) -> None:
    profile = make_profile()
    session = SimulatedReader(profile).wait_for_card(0, threading.Event())
    channel = bac.run_bac(session.transport, profile.access_key).secure_channel(session.transport)
    session.reset()
    assert channel.transmit(CommandAPDU(0x00, 0xA4, 0x02, 0x0C, b"\x01\x1e")).sw == 0x6882


def test_simulated_reader_builds_the_named_citizens_card(pki_folder: Path) -> None:
    reader = simulated_reader("079197004321", pki_folder)
    session = reader.wait_for_card(0, threading.Event())
    key = MRZKey.from_id_number("079197004321", date(1997, 11, 2), date(2037, 11, 2))
    channel = bac.run_bac(session.transport, key).secure_channel(session.transport)
    assert dg13.parse(files.read_file(channel, files.data_group(13))).full_name == (
        "Huỳnh Thị Ngọc Ánh"
    )


def test_simulated_reader_defaults_to_the_first_citizen_and_refuses_unknown_ones(
    pki_folder: Path,
) -> None:
    assert simulated_reader(None, pki_folder).is_present
    with pytest.raises(LookupError):
        simulated_reader("999999999999", pki_folder)
