"""The card memory file: what is learnt survives a restart, bad files are set aside, and reader
names become models without their slot numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.devices.card.memory import JsonCardMemory
from kiosk.devices.ports import CardReaderInfo, reader_model
from tests.conftest import LogFail

KIND = "8073840160:" + "ab" * 32


def test_what_is_learnt_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "data" / "card_memory.json"
    first = JsonCardMemory(path)
    assert first.recall(KIND) is None
    assert first.read_limit("ACS ACR1252") is None
    first.remember(KIND, "BAC")
    first.remember_read_limit("ACS ACR1252", 0x800)
    again = JsonCardMemory(path)
    assert again.recall(KIND) == "BAC"
    assert again.read_limit("ACS ACR1252") == 0x800
    assert json.loads(path.read_text())["version"] == 1


def test_an_unchanged_value_is_not_written_again(tmp_path: Path) -> None:
    path = tmp_path / "card_memory.json"
    memory = JsonCardMemory(path)
    memory.remember(KIND, "PACE-CAN")
    memory.remember_read_limit("Reader", 0x400)
    written = path.stat().st_mtime_ns
    path.write_text(path.read_text())  # same content, newer time
    newer = path.stat().st_mtime_ns
    memory.remember(KIND, "PACE-CAN")
    memory.remember_read_limit("Reader", 0x400)
    assert path.stat().st_mtime_ns == newer >= written


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("{not json", id="not-json"),
        pytest.param('{"version": 2, "access": {}, "read_limit": {}}', id="version"),
        pytest.param('{"version": 1, "access": {"k": "NFC"}, "read_limit": {}}', id="protocol"),
        pytest.param('{"version": 1, "access": {}, "read_limit": {"r": 0}}', id="limit"),
        pytest.param('{"version": 1}', id="missing"),
    ],
)
def test_a_bad_file_is_set_aside_and_learning_starts_afresh(
    tmp_path: Path, logfail: LogFail, content: str
) -> None:
    logfail.allow("kiosk.devices.card.memory", "learning afresh")
    path = tmp_path / "card_memory.json"
    path.write_text(content)
    assert JsonCardMemory(path).recall(KIND) is None
    assert (tmp_path / "card_memory.json.bad").read_text() == content
    assert not path.exists()


def test_values_are_checked_before_they_are_kept(tmp_path: Path) -> None:
    memory = JsonCardMemory(tmp_path / "card_memory.json")
    with pytest.raises(ValueError, match="protocol"):
        memory.remember(KIND, "NFC")
    with pytest.raises(ValueError, match="range"):
        memory.remember_read_limit("Reader", 0)


def test_a_memory_that_cannot_be_written_keeps_its_values_for_this_run(
    tmp_path: Path, logfail: LogFail
) -> None:
    logfail.allow("kiosk.devices.card.memory")  # unreadable, not set aside, not saved
    blocked = tmp_path / "file"
    blocked.write_text("")
    memory = JsonCardMemory(blocked / "card_memory.json")  # its folder is a file
    memory.remember(KIND, "BAC")
    assert memory.recall(KIND) == "BAC"


@pytest.mark.parametrize(
    ("name", "model"),
    [
        ("Virtual PCD 00 01", "Virtual PCD"),
        (
            "ACS ACR1252 1S CL Reader [ACR1252 1S CL Reader(1)] 01 00",
            "ACS ACR1252 1S CL Reader [ACR1252 1S CL Reader(1)]",
        ),
        ("HID OMNIKEY 5422 Smartcard Reader 1", "HID OMNIKEY 5422 Smartcard Reader"),
        ("nfc:usb:001:023", "nfc:usb"),
        ("Simulated CCCD reader", "Simulated CCCD reader"),
    ],
)
def test_a_reader_model_is_its_name_without_the_slot(name: str, model: str) -> None:
    assert reader_model(name) == model
    assert CardReaderInfo(name, is_virtual=False).model == model
