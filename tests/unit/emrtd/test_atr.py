"""The ATR's historical bytes (ISO/IEC 7816-3 §8.2) and the card type they name."""

from __future__ import annotations

import hashlib

import pytest

from kiosk.emrtd.atr import card_type, historical_bytes
from kiosk.emrtd.errors import MalformedData

H = bytes.fromhex
CONTACTLESS = H("3B8880018073840160" + "00" * 3 + "00")
"""PC/SC part 3's contactless form: TD1 80, TD2 01, then T0's 8 historical bytes and TCK."""


@pytest.mark.parametrize(
    ("atr", "historical"),
    [
        pytest.param(H("3B8880018073840160000000") + b"\x00", H("8073840160000000"), id="pcsc-cl"),
        pytest.param(H("3B0112"), H("12"), id="no-interface-bytes"),
        pytest.param(
            H("3F 96 11 22 33 80 73 FF 01 00 0B".replace(" ", "")), H("8073FF01000B"), id="ta-tb-tc"
        ),
    ],
)
def test_historical_bytes_follow_the_interface_bytes(atr: bytes, historical: bytes) -> None:
    assert historical_bytes(atr) == historical


@pytest.mark.parametrize(
    "atr",
    [
        pytest.param(b"\x3b", id="no-t0"),
        pytest.param(H("3A00"), id="bad-ts"),
        pytest.param(H("3B80"), id="td1-missing"),
        pytest.param(H("3B0312"), id="historical-missing"),
    ],
)
def test_a_malformed_atr_is_refused(atr: bytes) -> None:
    with pytest.raises(MalformedData):
        historical_bytes(atr)


def test_the_card_type_is_historical_bytes_and_the_card_access_hash() -> None:
    kind = card_type(CONTACTLESS, b"\x31\x00")
    assert kind == "8073840160000000:" + hashlib.sha256(b"\x31\x00").hexdigest()
    assert card_type(CONTACTLESS, None).endswith(hashlib.sha256(b"").hexdigest())


def test_an_unparsable_atr_stands_for_itself() -> None:
    assert card_type(H("3A00"), b"").startswith("3a00:")
