"""The access order: EF.CardAccess before any SELECT, the PACEInfo chosen, the attempts planned."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.emrtd import access
from kiosk.emrtd.apdu import CommandAPDU, ResponseAPDU
from kiosk.emrtd.errors import AccessDenied, FileNotFound
from kiosk.emrtd.keys import CANKey, MRZKey
from kiosk.emrtd.lds import card_access
from kiosk.emrtd.lds.card_access import CCCD_CARD_ACCESS
from kiosk.emrtd.lds.security_infos import PACEInfo, SecurityInfos

CAN = CANKey("001234")
MRZ = MRZKey("090001234", date(1990, 1, 1), date(2030, 1, 1))
CONSTANT_PACE = card_access.parse(CCCD_CARD_ACCESS).pace[0]


class FileCard:
    """Serves EF.CardAccess after SELECT 011C only (no SFI reads), or nothing at all."""

    def __init__(self, content: bytes | None) -> None:
        self.content = content
        self.selected = False
        self.commands: list[CommandAPDU] = []

    def transmit(self, command: CommandAPDU) -> ResponseAPDU:
        self.commands.append(command)
        if self.content is None:
            return ResponseAPDU.from_sw(0x6A82)
        if command.ins == 0xA4:
            self.selected = command.data == b"\x01\x1c"
            return ResponseAPDU.from_sw(0x9000 if self.selected else 0x6A82)
        if command.p1 & 0x80 or not self.selected:
            return ResponseAPDU.from_sw(0x6986)
        offset = (command.p1 << 8) | command.p2
        return ResponseAPDU.from_sw(0x9000, self.content[offset : offset + (command.le or 0)])


def test_ef_card_access_is_selected_when_the_sfi_read_fails() -> None:
    card = FileCard(CCCD_CARD_ACCESS)
    assert access.read_card_access(card) == CCCD_CARD_ACCESS
    assert card.commands[0].p1 == 0x9C  # READ BINARY with SFI 1C first
    assert card.commands[1].ins == 0xA4


def test_an_unreadable_ef_card_access_is_none() -> None:
    assert access.read_card_access(FileCard(None)) is None


def test_the_constant_is_used_only_when_the_file_was_not_read() -> None:
    assert access.pace_info(None) == CONSTANT_PACE
    own = PACEInfo("0.4.0.127.0.7.2.2.4.2.4", 2, 12)
    assert access.pace_info(card_access.encode(SecurityInfos((own,)))) == own


def test_a_malformed_or_unsupported_file_offers_no_pace() -> None:
    assert access.pace_info(b"\x31\x03\x02\x01") is None
    integrated = PACEInfo("0.4.0.127.0.7.2.2.4.4.2", 2, 13)
    assert access.pace_info(card_access.encode(SecurityInfos((integrated,)))) is None
    both = card_access.encode(SecurityInfos((integrated, CONSTANT_PACE)))
    assert access.pace_info(both) == CONSTANT_PACE


def test_attempts_follow_design_order() -> None:
    plan = access.attempts([MRZ, CAN], CONSTANT_PACE)
    assert [(a.name, a.key) for a in plan] == [
        ("PACE-CAN", CAN),
        ("PACE-MRZ", MRZ),
        ("BAC", MRZ),
    ]
    assert [a.name for a in access.attempts([MRZ, CAN], None)] == ["BAC"]


class Refusing(FileCard):
    """Selects the application, then answers every other command with ``sw``."""

    def __init__(self, sw: int) -> None:
        super().__init__(None)
        self.sw = sw

    def transmit(self, command: CommandAPDU) -> ResponseAPDU:
        return ResponseAPDU.from_sw(0x9000 if command.ins == 0xA4 else self.sw)


def refuse(sw: int) -> FileCard:
    return Refusing(sw)


def open_with(card: FileCard, keys: list[access.AccessKey], info: PACEInfo | None) -> None:
    access.open_access(card, keys, info, reset=None, rng=bytes, progress=None)


def test_no_keys_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="key"):
        open_with(FileCard(None), [], CONSTANT_PACE)


def test_a_can_without_pace_is_a_protocol_refusal() -> None:
    with pytest.raises(AccessDenied) as caught:
        open_with(refuse(0x6A82), [CAN], None)
    assert (caught.value.protocol, caught.value.step, caught.value.wrong_key) == (
        "PACE",
        "EF.CardAccess",
        False,
    )


def test_a_bac_refusal_other_than_a_wrong_key_stops_at_once() -> None:
    with pytest.raises(AccessDenied) as caught:
        open_with(refuse(0x6D00), [MRZ], None)
    assert (caught.value.protocol, caught.value.wrong_key) == ("BAC", False)


def test_a_card_without_the_application_is_told_apart_from_a_refusal() -> None:
    # An old CCCD or a CMND answers 6A82 to everything. With only the CAN, PACE fails and no BAC
    # follows: the plain SELECT, after a reset, says there is no eMRTD application at all.
    card, resets = FileCard(None), []
    with pytest.raises(FileNotFound):
        access.open_access(
            card, [CAN], CONSTANT_PACE, reset=lambda: resets.append(1), rng=bytes, progress=None
        )
    assert (card.commands[-1].ins, card.commands[-1].p1) == (0xA4, 0x04)
    assert resets == [1]
    with pytest.raises(FileNotFound):
        open_with(FileCard(None), [CAN, MRZ], CONSTANT_PACE)


def test_progress_is_reported_per_attempt() -> None:
    seen: list[tuple[str, int, int]] = []
    with pytest.raises(AccessDenied):
        access.open_access(
            refuse(0x6300),
            [CAN, MRZ],
            CONSTANT_PACE,
            reset=None,
            rng=bytes,
            progress=lambda *step: seen.append(step),
        )
    assert seen == [("access", 0, 3), ("access", 1, 3)]
