"""Secure messaging: ICAO 9303-11 App. D.4 byte for byte, failure handling, AES, card side."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.emrtd import tlv
from kiosk.emrtd.apdu import CommandAPDU, ResponseAPDU
from kiosk.emrtd.crypto.cipher import tdes_encrypt
from kiosk.emrtd.crypto.kdf import KeyType
from kiosk.emrtd.errors import CardRemoved, EmrtdError, SecureMessagingError
from kiosk.emrtd.sm import (
    SecureChannel,
    SessionKeys,
    unwrap_command,
    unwrap_response,
    wrap_command,
    wrap_response,
)
from kiosk.emrtd.transport import Exchange, ReplayTransport

H = bytes.fromhex
PROPERTY = settings.get_profile("emrtd")

D3_KEYS = SessionKeys(
    H("979EC13B1CBFE9DCD01AB0FED307EAE5"), H("F1CB1F1FB5ADF208806B89DC579DC1F8"), KeyType.TDES
)
D3_SSC = H("887022120C06C226")
AES_KEYS = SessionKeys(
    H("F5F0E35C0D7161EE6724EE513A0D9A7F"), H("FE251C7858B356B24514B3BD5F4297D1"), KeyType.AES128
)

SELECT_EF_COM = CommandAPDU(0x00, 0xA4, 0x02, 0x0C, H("011E"))
READ_4 = CommandAPDU(0x00, 0xB0, 0x00, 0x00, le=4)
READ_18_AT_4 = CommandAPDU(0x00, 0xB0, 0x00, 0x04, le=0x12)

# ICAO 9303-11 App. D.4: (plain command, SSC, protected command, protected response, data)
D4 = [
    (
        SELECT_EF_COM,
        "887022120C06C227",
        "0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800",
        "990290008E08FA855A5D4C50A8ED9000",
        "",
    ),
    (
        READ_4,
        "887022120C06C229",
        "0CB000000D9701048E08ED6705417E96BA5500",
        "8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000",
        "60145F01",
    ),
    (
        READ_18_AT_4,
        "887022120C06C22B",
        "0CB000040D9701128E082EA28A70F3C7B53500",
        "871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000",
        "04303130365F36063034303030305C026175",
    ),
]


def _next(ssc: bytes) -> bytes:
    return (int.from_bytes(ssc, "big") + 1).to_bytes(len(ssc), "big")


@pytest.mark.parametrize(("plain", "ssc", "protected", "response", "data"), D4)
def test_icao_app_d4_wrap_command_and_unwrap_response(
    plain: CommandAPDU, ssc: str, protected: str, response: str, data: str
) -> None:
    assert wrap_command(D3_KEYS, H(ssc), plain).to_bytes() == H(protected)
    answer = unwrap_response(D3_KEYS, _next(H(ssc)), ResponseAPDU.from_bytes(H(response)))
    assert (answer.data, answer.sw) == (H(data), 0x9000)


@pytest.mark.parametrize(("plain", "ssc", "protected", "response", "data"), D4)
def test_icao_app_d4_card_side_reproduces_the_chip(
    plain: CommandAPDU, ssc: str, protected: str, response: str, data: str
) -> None:
    assert unwrap_command(D3_KEYS, H(ssc), CommandAPDU.from_bytes(H(protected))) == plain
    wrapped = wrap_response(D3_KEYS, _next(H(ssc)), ResponseAPDU(H(data), 0x90, 0x00))
    assert wrapped.to_bytes() == H(response)


def _d4_channel() -> tuple[SecureChannel, ReplayTransport]:
    replay = ReplayTransport(
        Exchange(CommandAPDU.from_bytes(H(c)), ResponseAPDU.from_bytes(H(r)))
        for _, _, c, r, _ in D4
    )
    return SecureChannel(replay, D3_KEYS, D3_SSC), replay


def test_icao_app_d4_through_the_channel() -> None:
    channel, replay = _d4_channel()
    assert channel.transmit(SELECT_EF_COM).sw == 0x9000
    assert channel.transmit(READ_4).data == H("60145F01")
    assert channel.transmit(READ_18_AT_4).data == H("04303130365F36063034303030305C026175")
    assert channel.ssc == H("887022120C06C22C")
    assert replay.remaining == 0


class OneAnswer:
    """Answers every command with the same response (or raises)."""

    def __init__(self, response: ResponseAPDU | EmrtdError) -> None:
        self.response = response
        self.count = 0

    def transmit(self, command: CommandAPDU) -> ResponseAPDU:
        self.count += 1
        if isinstance(self.response, EmrtdError):
            raise self.response
        return self.response


def _protected(objects: bytes, ssc: bytes = H("887022120C06C228"), *, mac: bool = True) -> bytes:
    """Response data with a correct MAC over ``objects`` (for the first D.4 response)."""
    return objects + (tlv.encode(0x8E, D3_KEYS.mac(ssc + objects)) if mac else b"")


DO99 = H("99029000")
BAD_PADDING = tlv.encode(0x87, b"\x01" + tdes_encrypt(D3_KEYS.ks_enc, bytes(8)))


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (H("990290008E08FA855A5D4C50A8EE"), "MAC does not verify"),
        (_protected(b""), "DO'99 missing"),
        (_protected(H("990190")), "DO'99 missing or malformed"),
        (_protected(DO99, mac=False), "DO'8E missing"),
        (_protected(DO99) + DO99, "data follows"),
        (_protected(H("970100") + DO99), "unexpected or repeated data object 97"),
        (_protected(DO99 + DO99), "unexpected or repeated data object 99"),
        (_protected(H("87020211") + DO99), "indicator is not 01"),
        (_protected(H("8700") + DO99), "indicator is not 01"),
        (_protected(H("870201AA") + DO99), "cryptogram or its padding is malformed"),
        (_protected(BAD_PADDING + DO99), "cryptogram or its padding is malformed"),
        (_protected(H("8509") + bytes(9) + DO99), "cryptogram or its padding is malformed"),
        (H("9902"), "not well-formed"),
        (b"", "DO'8E missing"),
    ],
)
def test_a_bad_response_closes_the_channel(data: bytes, reason: str) -> None:
    card = OneAnswer(ResponseAPDU(data, 0x90, 0x00))
    channel = SecureChannel(card, D3_KEYS, D3_SSC)
    with pytest.raises(SecureMessagingError, match=reason):
        channel.transmit(SELECT_EF_COM)
    with pytest.raises(SecureMessagingError, match="channel closed"):
        channel.transmit(SELECT_EF_COM)
    assert card.count == 1


def test_a_bare_error_status_is_returned_and_closes_the_channel() -> None:
    channel = SecureChannel(OneAnswer(ResponseAPDU.from_sw(0x6A82)), D3_KEYS, D3_SSC)
    assert channel.transmit(SELECT_EF_COM).sw == 0x6A82
    with pytest.raises(SecureMessagingError, match="channel closed"):
        channel.transmit(SELECT_EF_COM)


def test_a_transport_failure_closes_the_channel() -> None:
    channel = SecureChannel(OneAnswer(CardRemoved("gone")), D3_KEYS, D3_SSC)
    with pytest.raises(CardRemoved):
        channel.transmit(READ_4)
    with pytest.raises(SecureMessagingError, match="channel closed"):
        channel.transmit(READ_4)


def test_the_protected_status_word_is_the_one_returned() -> None:
    ssc = H("887022120C06C228")
    objects = H("99026982")
    response = ResponseAPDU(objects + tlv.encode(0x8E, D3_KEYS.mac(ssc + objects)), 0x90, 0x00)
    assert unwrap_response(D3_KEYS, ssc, response).sw == 0x6982


def test_ssc_size_must_match_the_cipher() -> None:
    with pytest.raises(ValueError, match="SSC"):
        SecureChannel(OneAnswer(ResponseAPDU.from_sw(0x9000)), AES_KEYS, D3_SSC)


class SMCard:
    """The chip side of secure messaging over a plain handler, using the public helpers."""

    def __init__(self, keys: SessionKeys, ssc: bytes) -> None:
        self.keys = keys
        self.ssc = int.from_bytes(ssc, "big")
        self.size = len(ssc)
        self.received: list[CommandAPDU] = []

    def _step(self) -> bytes:
        self.ssc = (self.ssc + 1) % (1 << (8 * self.size))
        return self.ssc.to_bytes(self.size, "big")

    def transmit(self, command: CommandAPDU) -> ResponseAPDU:
        plain = unwrap_command(self.keys, self._step(), command)
        self.received.append(plain)
        answer = ResponseAPDU(plain.data[::-1] + bytes(plain.le or 0)[:3], 0x90, 0x00)
        return wrap_response(self.keys, self._step(), answer, odd_ins=bool(plain.ins & 1))


@pytest.mark.parametrize("keys", [D3_KEYS, AES_KEYS], ids=["3DES", "AES"])
def test_round_trip_through_a_simulated_chip(keys: SessionKeys) -> None:
    ssc = b"\xff" * keys.block_size  # also wraps the counter around
    card = SMCard(keys, ssc)
    channel = SecureChannel(card, keys, ssc)
    commands = [
        SELECT_EF_COM,
        CommandAPDU(0x00, 0xB1, 0x00, 0x00, H("54028000"), le=0xDF),  # odd INS: DO'85
        CommandAPDU(0x00, 0xD6, 0x00, 0x00, bytes(range(256)) * 2, le=1000),  # extended
    ]
    answers = [channel.transmit(c) for c in commands]
    assert card.received == commands
    assert [a.data for a in answers] == [c.data[::-1] + bytes(c.le or 0)[:3] for c in commands]
    assert answers[2].sw == 0x9000


def test_extended_wrap_uses_two_byte_le_objects() -> None:
    wrapped = wrap_command(AES_KEYS, bytes(16), CommandAPDU(0x00, 0xB0, 0, 0, le=4000))
    assert wrapped.extended
    assert wrapped.le == 65536
    assert H("97020FA0") in wrapped.data
    assert wrap_command(AES_KEYS, bytes(16), CommandAPDU(0, 0xB0, 0, 0, le=65536)).data[:4] == H(
        "97020000"
    )


def _protect(objects: bytes, header: bytes = H("0CB00000")) -> CommandAPDU:
    mac = D3_KEYS.mac(D3_SSC + header + H("80000000") + objects)
    return CommandAPDU(header[0], header[1], header[2], header[3], objects + tlv.encode(0x8E, mac))


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        (CommandAPDU(0x00, 0xB0, 0, 0, le=4), "not protected"),
        (_protect(H("9703000000")), "DO'97 has a bad length"),
        (CommandAPDU(0x0C, 0xB0, 0, 0, _protect(H("970100"), H("0CB00001")).data), "MAC does"),
        (_protect(H("99029000")), "unexpected"),
    ],
)
def test_card_side_refuses_bad_commands(command: CommandAPDU, reason: str) -> None:
    with pytest.raises(SecureMessagingError, match=reason):
        unwrap_command(D3_KEYS, D3_SSC, command)


def test_card_side_le_forms() -> None:
    assert unwrap_command(D3_KEYS, D3_SSC, _protect(H("970100"))).le == 256
    extended = unwrap_command(D3_KEYS, D3_SSC, _protect(H("97020000")))
    assert (extended.le, extended.extended) == (65536, True)


@PROPERTY
@given(st.binary(max_size=300))
def test_any_response_data_gives_a_response_or_an_sm_error(data: bytes) -> None:
    try:
        unwrap_response(D3_KEYS, D3_SSC, ResponseAPDU(data, 0x90, 0x00))
    except SecureMessagingError:
        return


@PROPERTY
@given(st.binary(max_size=300), st.integers(0, 255))
def test_any_protected_command_gives_a_command_or_an_sm_error(data: bytes, ins: int) -> None:
    try:
        unwrap_command(D3_KEYS, D3_SSC, CommandAPDU(0x0C, ins, 0, 0, data))
    except SecureMessagingError:
        return


@PROPERTY
@given(
    st.sampled_from([D3_KEYS, AES_KEYS]),
    st.binary(min_size=16, max_size=16),
    st.integers(0, 255),
    st.binary(max_size=300),
    st.none() | st.integers(1, 65536),
)
def test_wrapping_round_trips_on_both_sides(
    keys: SessionKeys, counter: bytes, ins: int, data: bytes, le: int | None
) -> None:
    ssc = counter[: keys.block_size]
    command = CommandAPDU(0x00, ins, 0x12, 0x34, data, le, extended=(le or 0) > 256)
    received = unwrap_command(keys, ssc, wrap_command(keys, ssc, command))
    assert (received.ins, received.p1, received.p2, received.data, received.le) == (
        ins,
        0x12,
        0x34,
        data,
        le,
    )
    answer = ResponseAPDU(data, 0x62, 0x82)
    wrapped = wrap_response(keys, ssc, answer, odd_ins=bool(ins & 1))
    assert unwrap_response(keys, ssc, wrapped) == answer
