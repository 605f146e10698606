"""``kiosk card readers``, ``kiosk card sim serve`` and ``kiosk card read --reader``.

The card is served by the real command in a child process (``kiosk card sim serve --vpcd``
to the private pcscd's vpcd port), and read in this process by ``kiosk card read --reader``
over pyscard: the path an integrator follows to try the kiosk without a card. An nfcpy reader
is named ``nfc:`` and its device path; here nfcpy's ``udp`` link with the contactless card.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kiosk.cli import main
from kiosk.devices.card.nfcpy import NFCReader
from kiosk.devices.card.pcsc import PCSCReader
from kiosk.devices.errors import DeviceError
from kiosk.devices.sim import citizens, pki
from kiosk.devices.sim.chip.profile import build_profile
from kiosk.domain.errors import ErrorCode
from tests.conftest import LogFail
from tests.contract.card_reader.conftest import free_udp_port
from tests.support.isodep_card import IsoDepCard
from tests.support.pcscd import PrivatePcscd

SERVE_SECONDS = 60.0


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Demo mode in a fresh data folder whose test PKI exists before any child starts."""
    monkeypatch.setenv("KIOSK_DEMO", "1")
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    pki.load_or_create(tmp_path / "sim" / "pki")
    return tmp_path


def kiosk(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any]:
    code = main(list(args))
    return code, json.loads(capsys.readouterr().out)


def test_a_virtual_reader_is_refused_outside_demo_mode() -> None:
    with pytest.raises(DeviceError) as caught:
        PCSCReader("Virtual PCD 00 00", demo=False)
    assert caught.value.code is ErrorCode.READER_REFUSED


@pytest.mark.pcscd
@pytest.mark.parametrize(("demo_mode", "refused"), [(True, False), (False, True)])
def test_card_readers_lists_the_virtual_reader_refused_outside_demo(
    pcscd: PrivatePcscd,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    demo_mode: bool,
    refused: bool,
) -> None:
    if demo_mode:
        monkeypatch.setenv("KIOSK_DEMO", "1")
    code, data = kiosk(capsys, "card", "readers", "--json")
    assert code == 0
    assert data["demo"] is demo_mode
    assert data["unavailable"] == []
    listed = {reader["name"]: reader for reader in data["readers"]}
    assert listed[pcscd.reader_name] == {
        "name": pcscd.reader_name,
        "backend": "pcsc",
        "virtual": True,
        "refused": refused,
    }


@pytest.mark.pcscd
def test_card_read_reader_reads_the_card_served_by_card_sim_serve(
    pcscd: PrivatePcscd, demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    citizen = citizens.list_citizens()[1].citizen
    command = [str(Path(sys.executable).parent / "kiosk"), "card", "sim", "serve", "--json"]
    serving = subprocess.Popen(
        [*command, "--vpcd", f"127.0.0.1:{pcscd.port}", "--citizen", citizen.id_number],
        stdout=subprocess.PIPE,
        env=os.environ.copy(),
    )
    try:
        code, data = kiosk(
            capsys,
            "card",
            "read",
            "--reader",
            pcscd.reader_name,
            "--id",
            citizen.id_number,
            "--json",
        )
    finally:
        serving.send_signal(signal.SIGTERM)
        out, _ = serving.communicate(timeout=SERVE_SECONDS)
    assert code == 0
    assert (data["id_number"], data["access"], data["demo"]) == (
        citizen.id_number,
        "PACE-CAN",
        True,
    )
    assert data["chip_verdict"] == "genuine"
    assert serving.returncode == 0
    assert json.loads(out) == {
        "vpcd": f"127.0.0.1:{pcscd.port}",
        "citizen": citizen.id_number,
        "fault": None,
        "lift": None,
    }
    assert (data["sessions"], data["access_attempts"]) == (1, 1)


@pytest.mark.pcscd
def test_a_card_served_with_lift_is_lifted_mid_dg2_and_the_read_goes_on(
    pcscd: PrivatePcscd, demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    citizen = citizens.list_citizens()[0].citizen
    command = [str(Path(sys.executable).parent / "kiosk"), "card", "sim", "serve", "--json"]
    serving = subprocess.Popen(
        [*command, "--vpcd", f"127.0.0.1:{pcscd.port}", "--lift", "DG2", "--lift-delay", "0.3"],
        stdout=subprocess.PIPE,
        env=os.environ.copy(),
    )
    try:
        code, data = kiosk(
            capsys,
            "card",
            "read",
            "--reader",
            pcscd.reader_name,
            "--can",
            citizen.id_number[-6:],
            "--json",
        )
    finally:
        serving.send_signal(signal.SIGTERM)
        out, _ = serving.communicate(timeout=SERVE_SECONDS)
    assert code == 0
    assert (data["chip_verdict"], data["sessions"]) == ("genuine", 2)
    assert json.loads(out)["lift"] == {"file": "DG2", "delay": 0.3, "put_back": None}


def test_put_back_needs_lift(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, data = kiosk(capsys, "card", "sim", "serve", "--put-back", "001185012345", "--json")
    assert code == 2
    assert data["error"]["code"] == "usage"


def test_card_read_reader_reads_through_nfcpy(
    demo: Path, capsys: pytest.CaptureFixture[str], logfail: LogFail
) -> None:
    logfail.allow("nfc", "ISO-DEP")
    citizen = citizens.list_citizens()[0]
    port = free_udp_port()
    card = IsoDepCard(port)
    card.insert(build_profile(citizen, demo / "sim" / "pki"))
    try:
        code, data = kiosk(
            capsys,
            "card",
            "read",
            "--reader",
            f"nfc:udp:127.0.0.1:{port}",
            "--id",
            citizen.citizen.id_number,
            "--json",
        )
    finally:
        card.remove()
    assert code == 0
    assert (data["id_number"], data["access"]) == (citizen.citizen.id_number, "PACE-CAN")
    assert data["chip_verdict"] == "genuine"


def test_the_udp_link_of_nfcpy_is_refused_outside_demo_mode() -> None:
    with pytest.raises(DeviceError) as caught:
        NFCReader("udp:127.0.0.1:54321", demo=False)
    assert caught.value.code is ErrorCode.READER_REFUSED
