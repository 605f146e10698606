"""What only the PC/SC reader promises, beyond the port's contract, through the private pcscd.

A session holds the card exclusively, so no other program can put an APDU inside a
secure-messaging session; the reader lists what pcscd offers and sees a card come and go.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest

from kiosk.devices.card.pcsc import PCSCReader, is_card_present, list_readers
from kiosk.devices.errors import Busy, Unavailable
from kiosk.devices.ports import CardReaderInfo
from kiosk.devices.sim.chip.profile import CardProfile
from kiosk.domain.errors import ErrorCode
from tests.support.pcscd import PrivatePcscd, VpcdCard

pytestmark = pytest.mark.pcscd

ProfileFactory = Callable[..., CardProfile]


@pytest.fixture
def card(pcscd: PrivatePcscd) -> Iterator[VpcdCard]:
    served = VpcdCard(pcscd.port, pcscd.reader_name)
    yield served
    served.remove()


def test_the_private_reader_is_listed_as_virtual(pcscd: PrivatePcscd) -> None:
    assert CardReaderInfo(pcscd.reader_name, is_virtual=True) in list_readers()


def test_presence_follows_the_card(
    pcscd: PrivatePcscd, card: VpcdCard, make_profile: ProfileFactory
) -> None:
    reader = PCSCReader(pcscd.reader_name, demo=True)
    card.insert(make_profile())
    reader.wait_for_card(10.0, threading.Event())
    assert is_card_present(pcscd.reader_name)
    reader.close()
    card.remove()
    assert not is_card_present(pcscd.reader_name)


def test_a_second_program_cannot_open_a_card_in_use(
    pcscd: PrivatePcscd, card: VpcdCard, make_profile: ProfileFactory
) -> None:
    first = PCSCReader(pcscd.reader_name, demo=True)
    second = PCSCReader(pcscd.reader_name, demo=True)
    card.insert(make_profile())
    first.wait_for_card(10.0, threading.Event())
    with pytest.raises(Busy) as caught:
        second.wait_for_card(10.0, threading.Event())
    assert caught.value.code is ErrorCode.READER_UNAVAILABLE
    first.close()
    second.wait_for_card(10.0, threading.Event())
    second.close()


def test_an_unknown_reader_is_unavailable(pcscd: PrivatePcscd) -> None:
    reader = PCSCReader("No Such Reader 00 00", demo=True)
    with pytest.raises(Unavailable) as caught:
        reader.wait_for_card(1.0, threading.Event())
    assert caught.value.code is ErrorCode.READER_UNAVAILABLE
