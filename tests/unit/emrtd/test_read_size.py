"""``announced_settings``: extended length only when EF.ATR/INFO states limits that hold a chunk."""

from __future__ import annotations

import pytest

from kiosk.emrtd import tlv
from kiosk.emrtd.apdu import CommandAPDU, ResponseAPDU
from kiosk.emrtd.files import DEFAULT_SETTINGS, ReadSettings
from kiosk.emrtd.read_size import announced_settings


class ATRInfoCard:
    """Serves ``content`` as EF.ATR/INFO (2F01) after SELECT."""

    def __init__(self, content: bytes) -> None:
        self.content = content

    def transmit(self, command: CommandAPDU) -> ResponseAPDU:
        if command.ins == 0xA4:
            return ResponseAPDU.from_sw(0x9000)
        return ResponseAPDU.from_sw(0x9000, self.content[: command.le])


def limits(*sizes: int) -> bytes:
    return tlv.encode(0x7F66, b"".join(tlv.encode(0x02, s.to_bytes(2, "big")) for s in sizes))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(limits(0x1000, 0x1000), ReadSettings(True, 0x1000 - 48), id="4k"),
        pytest.param(limits(0x1000), DEFAULT_SETTINGS, id="one-limit"),
        pytest.param(limits(0x100, 0x100), DEFAULT_SETTINGS, id="too-small"),
        pytest.param(tlv.encode(0x47, b"\x00\x00\x00"), DEFAULT_SETTINGS, id="no-7F66"),
        pytest.param(b"\x7f", DEFAULT_SETTINGS, id="malformed"),
    ],
)
def test_announced_settings(content: bytes, expected: ReadSettings) -> None:
    assert announced_settings(ATRInfoCard(content)) == expected
