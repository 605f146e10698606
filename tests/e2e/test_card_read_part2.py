"""``kiosk card read`` end to end with PACE, Chip and Active Authentication (issue 5).

The simulated CCCD offers PACE (CAN and MRZ), Chip Authentication (DG14) and Active
Authentication (DG15); the clone faults keep the genuine data under another private key.
Each test drives ``kiosk.cli.main`` in this process in demo mode and checks the stable contract
of design.md ("Command line"): ``access``, the three checks, ``chip_verdict`` and exit codes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kiosk.cli import main
from kiosk.devices.sim import citizens

VAN_A = "001090001234"
"""Nguyễn Văn A, the synthetic CCCD of facts/cccd.md (CAN 001234)."""
VALID = {"verdict": "valid", "reasons": []}


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo data folder for the module, so the test PKI is generated once."""
    return tmp_path_factory.mktemp("demo-data")


@pytest.fixture(autouse=True)
def demo(demo_data: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Demo mode with the module's data folder."""
    monkeypatch.setenv("KIOSK_DEMO", "1")
    monkeypatch.setenv("KIOSK_DATA_DIR", str(demo_data))
    return demo_data


def read(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any]:
    """``kiosk card read --sim VAN_A ARGS --json``: the exit code and the JSON printed."""
    code = main(["card", "read", "--sim", VAN_A, *args, "--json"])
    return code, json.loads(capsys.readouterr().out)


def assert_error(code: int, body: Any, exit_code: int, error_code: str) -> None:
    assert code == exit_code, body
    assert list(body) == ["error"]
    assert body["error"]["code"] == error_code


@pytest.mark.parametrize("access", [["--can", "001234"], ["--id", VAN_A]])
def test_the_can_alone_opens_the_chip_with_pace_and_both_clone_checks_pass(
    capsys: pytest.CaptureFixture[str], access: list[str]
) -> None:
    code, data = read(capsys, *access)

    assert code == 0, data
    assert data["id_number"] == VAN_A
    assert data["access"] == "PACE-CAN"
    assert data["passive_authentication"] == VALID
    assert data["chip_authentication"] == VALID
    assert data["active_authentication"] == VALID
    assert data["chip_verdict"] == "genuine"
    assert data["chip_verdict_reasons"] == []
    assert {"EF.CardAccess", "DG14", "DG15"} <= set(data["files"])


def test_the_aa_challenge_signature_and_ca_transcript_are_evidence(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, first = read(capsys, "--can", "001234")
    _, second = read(capsys, "--can", "001234")

    evidence = first["authentication_evidence"]
    active = evidence["active_authentication"]
    assert len(bytes.fromhex(active["challenge"])) == 8
    assert len(bytes.fromhex(active["signature"])) == 64  # plain r || s on brainpoolP256r1
    chip = evidence["chip_authentication"]
    assert chip["protocol"] == "0.4.0.127.0.7.2.2.3.2.2"
    assert bytes.fromhex(chip["terminal_public_key"])[0] == 0x04
    # our own random challenge every time
    assert (
        second["authentication_evidence"]["active_authentication"]["challenge"]
        != (active["challenge"])
    )


def test_the_id_with_its_birth_date_reads_a_chip_without_pace_by_bac(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # No EF.CardAccess: PACE-CAN is tried with the CCCD constant, refused, and BAC follows
    # with each expiry the renewal rules allow.
    citizen = citizens.find(VAN_A).citizen
    code, data = read(
        capsys, "--id", VAN_A, "--dob", citizen.date_of_birth.isoformat(), "--fault", "no-pace"
    )
    assert (code, data["access"]) == (0, "BAC")
    assert "EF.CardAccess" not in data["files"]
    assert data["chip_verdict"] == "genuine"


@pytest.mark.parametrize(
    ("fault", "check", "reason"),
    [
        ("clone-ca", "chip_authentication", "chip_authentication_failed"),
        ("clone-aa", "active_authentication", "active_authentication_failed"),
    ],
)
def test_a_clone_is_not_genuine_and_require_genuine_exits_3(
    capsys: pytest.CaptureFixture[str], fault: str, check: str, reason: str
) -> None:
    code, data = read(capsys, "--can", "001234", "--fault", fault)

    assert code == 0  # a completed read exits 0 whatever the verdict
    assert data["passive_authentication"] == VALID  # same data as the genuine card
    assert data[check] == {"verdict": "invalid", "reasons": [reason]}
    assert data["chip_verdict"] == "not_genuine"
    assert data["chip_verdict_reasons"] == [f"{check}_invalid", "suspected_clone"]

    code, data = read(capsys, "--can", "001234", "--fault", fault, "--require-genuine")
    assert (code, data["chip_verdict"]) == (3, "not_genuine")


def test_a_wrong_can_is_access_denied(capsys: pytest.CaptureFixture[str]) -> None:
    assert_error(*read(capsys, "--can", "999999"), 4, "access_denied")


def test_a_can_on_a_chip_without_pace_is_a_protocol_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert_error(*read(capsys, "--can", "001234", "--fault", "no-pace"), 4, "chip_protocol")


def test_a_can_that_is_not_six_digits_is_invalid_input(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert_error(*read(capsys, "--can", "12345"), 5, "validation_failed")


def test_sim_list_names_the_part_2_faults(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["card", "sim", "list", "--json"]) == 0
    faults = json.loads(capsys.readouterr().out)["faults"]
    assert {"clone-aa", "clone-ca", "no-pace"} <= set(faults)
