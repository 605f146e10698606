"""Command and response APDU encoding: the four ISO 7816-4 cases, short and extended."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.emrtd.apdu import CommandAPDU, ResponseAPDU
from kiosk.emrtd.errors import EmrtdError, MalformedData

H = bytes.fromhex
PROPERTY = settings.get_profile("emrtd")


@pytest.mark.parametrize(
    ("command", "encoded"),
    [
        (CommandAPDU(0x00, 0xA4, 0x02, 0x0C), "00A4020C"),  # case 1
        (CommandAPDU(0x00, 0xA4, 0x02, 0x0C, extended=True), "00A4020C"),  # nothing to extend
        (CommandAPDU(0x00, 0x84, 0x00, 0x00, le=8), "0084000008"),  # case 2S
        (CommandAPDU(0x00, 0xB0, 0x00, 0x00, le=256), "00B0000000"),  # 256 is 00
        (CommandAPDU(0x00, 0xA4, 0x02, 0x0C, H("011E")), "00A4020C02011E"),  # case 3S
        (CommandAPDU(0x00, 0x82, 0, 0, H("AA"), le=1), "0082000001AA01"),  # case 4S
        (CommandAPDU(0x00, 0xB0, 0, 0, le=257), "00B00000000101"),  # case 2E
        (CommandAPDU(0x00, 0xB0, 0, 0, le=65536), "00B00000000000"),  # 65536 is 0000
        (CommandAPDU(0x00, 0xB0, 0, 0, le=4, extended=True), "00B00000000004"),  # forced
        (CommandAPDU(0x0C, 0xB1, 0, 0, H("AA"), extended=True), "0CB100000000" + "01AA"),
        (CommandAPDU(0, 0xB1, 0, 0, H("AA"), le=300), "00B100000000" + "01AA012C"),  # case 4E
    ],
)
def test_encoding_and_parsing_of_each_case(command: CommandAPDU, encoded: str) -> None:
    assert command.to_bytes() == H(encoded)
    assert CommandAPDU.from_bytes(H(encoded)) == command


def test_long_data_forces_extended_length() -> None:
    command = CommandAPDU(0x00, 0xD6, 0, 0, bytes(256))
    assert command.extended
    assert command.to_bytes()[4:7] == H("000100")
    assert CommandAPDU(0x00, 0xD6, 0, 0, bytes(255)).to_bytes()[4] == 0xFF


def test_repr_hides_the_data_field() -> None:
    command = CommandAPDU(0x00, 0x82, 0, 0, b"secret-key-material")
    response = ResponseAPDU(b"personal", 0x90, 0x00)
    assert "secret" not in repr(command)
    assert "personal" not in repr(response)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"cla": 256},
        {"ins": -1},
        {"data": bytes(65536)},
        {"le": 0},
        {"le": 65537},
    ],
)
def test_invalid_fields_are_programming_errors(kwargs: dict[str, object]) -> None:
    fields: dict[str, object] = {"cla": 0, "ins": 0xB0, "p1": 0, "p2": 0} | kwargs
    with pytest.raises(ValueError, match=r"must be|longer"):
        CommandAPDU(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "00A402",  # short header
        "00A4020C0301",  # Lc 3, one byte
        "00A4020C0101020304",  # Lc 1, too many bytes
        "00B0000000",  # fine: Le 256 (control case, see below)
        "00B000000000",  # extended marker and one byte
        "00B0000000000001",  # extended Lc 0 with data
        "00B000000000020102FF",  # extended Lc 2 then 3 bytes
    ],
)
def test_malformed_commands_are_refused(raw: str) -> None:
    if raw == "00B0000000":
        assert CommandAPDU.from_bytes(H(raw)).le == 256
        return
    with pytest.raises(MalformedData):
        CommandAPDU.from_bytes(H(raw))


def test_response_parsing_and_status_word() -> None:
    response = ResponseAPDU.from_bytes(H("60145F016A82"))
    assert response.data == H("60145F01")
    assert response.sw == 0x6A82
    assert response.to_bytes() == H("60145F016A82")
    assert ResponseAPDU.from_sw(0x9000, b"x") == ResponseAPDU(b"x", 0x90, 0x00)
    with pytest.raises(MalformedData):
        ResponseAPDU.from_bytes(H("90"))
    with pytest.raises(ValueError, match="status"):
        ResponseAPDU(b"", 0x100, 0)


@PROPERTY
@given(st.binary(max_size=70000))
def test_any_bytes_parse_to_a_command_or_malformed_data(raw: bytes) -> None:
    try:
        command = CommandAPDU.from_bytes(raw)
    except EmrtdError:
        return
    assert command.to_bytes() == raw


@PROPERTY
@given(
    st.integers(0, 255),
    st.binary(max_size=300),
    st.none() | st.integers(1, 65536),
    st.booleans(),
)
def test_built_commands_round_trip(ins: int, data: bytes, le: int | None, extended: bool) -> None:
    command = CommandAPDU(0x00, ins, 0x01, 0x02, data, le, extended)
    assert CommandAPDU.from_bytes(command.to_bytes()) == command


@PROPERTY
@given(st.binary(max_size=600))
def test_any_bytes_parse_to_a_response_or_malformed_data(raw: bytes) -> None:
    try:
        response = ResponseAPDU.from_bytes(raw)
    except EmrtdError:
        return
    assert response.to_bytes() == raw
