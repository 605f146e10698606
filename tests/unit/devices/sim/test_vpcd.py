"""The vpcd link, against a real local socket standing in for pcscd's vpcd driver."""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from kiosk.devices.sim import vpcd
from kiosk.devices.sim.chip.faults import Fault
from kiosk.devices.sim.chip.os import build_atr
from kiosk.devices.sim.chip.profile import CardProfile
from kiosk.emrtd import bac, files
from kiosk.emrtd.apdu import CommandAPDU, ResponseAPDU
from kiosk.emrtd.errors import CardRemoved, PartialRead
from kiosk.emrtd.lds import dg1

TIMEOUT = 10.0

ProfileFactory = Callable[..., CardProfile]


class FakeVpcd:
    """The driver's side of the link: frames control codes and APDUs, reads framed answers."""

    def __init__(self, connection: socket.socket) -> None:
        self.connection = connection

    def send(self, payload: bytes) -> None:
        self.connection.sendall(vpcd.frame(payload))

    def receive(self) -> bytes:
        header = self._exactly(2)
        return self._exactly(struct.unpack("!H", header)[0])

    def transmit(self, command: CommandAPDU) -> ResponseAPDU:
        self.send(command.to_bytes())
        return ResponseAPDU.from_bytes(self.receive())

    def _exactly(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = self.connection.recv(size - len(data))
            if not chunk:
                raise CardRemoved("the card closed the vpcd connection")
            data += chunk
        return data


@contextmanager
def card_on_vpcd(
    profile: CardProfile,
) -> Iterator[tuple[FakeVpcd, threading.Thread, threading.Event]]:
    """Listen like vpcd, let ``vpcd.serve`` connect from a thread, yield the driver's side."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(TIMEOUT)
        stop = threading.Event()
        port = server.getsockname()[1]
        card = threading.Thread(target=vpcd.serve, args=(profile, stop, "127.0.0.1", port))
        card.start()
        connection, _ = server.accept()
        connection.settimeout(TIMEOUT)
        try:
            yield FakeVpcd(connection), card, stop
        finally:
            stop.set()
            connection.close()
            card.join(TIMEOUT)


def test_frame_is_a_two_byte_big_endian_length_then_the_payload() -> None:
    assert vpcd.frame(b"\x04") == b"\x00\x01\x04"
    assert vpcd.frame(bytes(300))[:2] == b"\x01\x2c"


@pytest.mark.parametrize(
    ("text", "address"), [("127.0.0.1:35963", ("127.0.0.1", 35963)), ("::1:35964", ("::1", 35964))]
)
def test_parse_address(text: str, address: tuple[str, int]) -> None:
    assert vpcd.parse_address(text) == address


@pytest.mark.parametrize("text", ["35963", "host:", ":35963", "host:0", "host:65536", "host:x"])
def test_parse_address_refuses_anything_else(text: str) -> None:
    with pytest.raises(ValueError, match="HOST:PORT"):
        vpcd.parse_address(text)


def test_atr_control_codes_and_a_full_bac_read_round_trip(make_profile: ProfileFactory) -> None:
    profile = make_profile()
    with card_on_vpcd(profile) as (driver, card, _):
        driver.send(bytes((vpcd.GET_ATR,)))
        assert driver.receive() == build_atr(extended_length=True)
        driver.send(bytes((vpcd.POWER_ON,)))
        driver.send(bytes((vpcd.RESET,)))
        channel = bac.run_bac(driver, profile.access_key).secure_channel(driver)
        mrz = dg1.parse(files.read_file(channel, files.data_group(1))).mrz
        assert mrz.startswith("IDVNM0900012345001090001234<<6")
        driver.send(bytes((vpcd.POWER_OFF,)))
        assert driver.transmit(CommandAPDU(0x00, 0xA4, 0x02, 0x0C, b"\x01\x01")).sw == 0x6A82
    assert not card.is_alive()


def test_the_card_hangs_up_when_vpcd_does(make_profile: ProfileFactory) -> None:
    with card_on_vpcd(make_profile()) as (driver, card, _):
        driver.connection.close()
        card.join(TIMEOUT)
        assert not card.is_alive()


def test_removed_mid_read_closes_the_connection_like_a_pulled_card(
    make_profile: ProfileFactory,
) -> None:
    profile = make_profile(fault=Fault.REMOVED_MID_READ)
    with card_on_vpcd(profile) as (driver, card, _):
        channel = bac.run_bac(driver, profile.access_key).secure_channel(driver)
        with pytest.raises(PartialRead) as raised:
            files.read_file(channel, files.data_group(2))
        assert raised.value.file == "DG2"
        card.join(TIMEOUT)
        assert not card.is_alive()


def test_serve_stops_when_asked(make_profile: ProfileFactory) -> None:
    with card_on_vpcd(make_profile()) as (_, card, stop):
        stop.set()
        card.join(TIMEOUT)
        assert not card.is_alive()
