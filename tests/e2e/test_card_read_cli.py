"""``kiosk card read`` and ``kiosk card sim list`` end to end, as scripts and officers use them.

Each test drives the real command line (``kiosk.cli.main`` in this process, and the installed
``kiosk`` script in a child process) against the simulated CCCD in demo mode, and checks the
stable contract of design.md ("Command line"): the JSON keys and their types, the verdicts, the
exit codes, the error form, and that a failed read leaves no file behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kiosk.cli import main
from kiosk.devices.sim import citizens
from kiosk.devices.sim.chip.faults import FAULTS
from kiosk.devices.sim.chip.profile import td1_mrz
from kiosk.domain.citizen import Citizen, Sex
from kiosk.emrtd.lds import sod

HANG = "001185012345"
"""Trần Thị Thu Hằng: every DG13 field filled, a spouse and an old CMND number."""
ANH = "079197004321"
"""Huỳnh Thị Ngọc Ánh: no spouse and no old CMND number."""
VAN_A = "001090001234"
"""Nguyễn Văn A, the synthetic CCCD of facts/cccd.md."""

PERSON_TEXT = (
    "id_number",
    "full_name",
    "nationality",
    "ethnicity",
    "religion",
    "place_of_origin",
    "place_of_residence",
    "identifying_features",
    "father_name",
    "mother_name",
)
PERSON_OPTIONAL_TEXT = ("spouse_name", "old_id_number")
PERSON_DATES = ("date_of_birth", "date_of_issue")
CHECKS = ("passive_authentication", "chip_authentication", "active_authentication")
VERDICTS = {"valid", "invalid", "unverified", "not_supported", "not_performed"}
CHIP_VERDICTS = {"genuine", "not_genuine", "unverifiable"}
MRZ_TEXT = (
    "document_code",
    "issuing_state",
    "document_number",
    "id_number",
    "sex",
    "nationality",
    "surname",
    "given_names",
)
READ_FILES = {"EF.COM", "EF.SOD", "DG1", "DG2", "DG13"}


@dataclass(frozen=True)
class Run:
    """What one command did: its exit code and what it printed."""

    code: int
    out: str
    err: str

    @property
    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo data folder for the module, so the test PKI is generated once."""
    return tmp_path_factory.mktemp("demo-data")


@pytest.fixture
def demo(demo_data: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Demo mode with the module's data folder, as the design asks of tests."""
    monkeypatch.setenv("KIOSK_DEMO", "1")
    monkeypatch.setenv("KIOSK_DATA_DIR", str(demo_data))
    return demo_data


def kiosk(capsys: pytest.CaptureFixture[str], *args: str) -> Run:
    """Run ``kiosk ARGS`` in this process."""
    code = main(list(args))
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def record(id_number: str) -> Citizen:
    return citizens.find(id_number).citizen


def id_access(id_number: str, *, expiry: bool = True) -> list[str]:
    """``--id --dob [--expiry]`` of a demo citizen, dates in the three accepted spellings."""
    citizen = record(id_number)
    args = ["--id", id_number, "--dob", citizen.date_of_birth.strftime("%d/%m/%Y")]
    if expiry:
        assert citizen.date_of_expiry is not None
        args += ["--expiry", citizen.date_of_expiry.isoformat()]
    return args


def qr_text(citizen: Citizen) -> str:
    """The front QR of a 2021 CCCD: ``ID12|oldID9|name|ddMMyyyy|Nam/Nữ|address|ddMMyyyy``."""
    assert citizen.date_of_issue is not None
    return "|".join(
        (
            citizen.id_number,
            citizen.old_id_number or "",
            citizen.full_name,
            citizen.date_of_birth.strftime("%d%m%Y"),
            "Nam" if citizen.sex is Sex.MALE else "Nữ",
            citizen.place_of_residence or "",
            citizen.date_of_issue.strftime("%d%m%Y"),
        )
    )


def read(capsys: pytest.CaptureFixture[str], *args: str, citizen: str = HANG) -> Run:
    return kiosk(capsys, "card", "read", "--sim", citizen, *args)


def files_under(folder: Path) -> set[str]:
    """Every file below ``folder`` except the log (which a failure is meant to write)."""
    if not folder.exists():
        return set()
    return {
        str(path.relative_to(folder))
        for path in folder.rglob("*")
        if path.is_file() and "logs" not in path.relative_to(folder).parts
    }


def assert_error(run: Run, code: int, error_code: str) -> None:
    """The failure JSON form of design.md, and nothing else on stdout."""
    assert run.code == code, run.out + run.err
    body = run.json
    assert list(body) == ["error"]
    error = body["error"]
    assert set(error) == {"code", "message_vi", "message_en"}
    assert error["code"] == error_code
    assert error["message_vi"] != error["message_en"]
    assert all(isinstance(error[key], str) and error[key] for key in error)


def assert_contract(data: dict[str, Any], citizen: Citizen) -> None:
    """Every key of the ``card read --json`` contract, with its type and the citizen's values."""
    for key in PERSON_TEXT:
        assert isinstance(data[key], str), key
        assert unicodedata.is_normalized("NFC", data[key]), key
    for key in PERSON_OPTIONAL_TEXT:
        assert data[key] is None or isinstance(data[key], str), key
    for key in (*PERSON_DATES, "date_of_expiry"):
        assert data[key] is None or _is_iso_date(data[key]), key
    assert data["sex"] in ("M", "F")
    assert isinstance(data["lifetime"], bool)
    assert (data["date_of_expiry"] is None) == data["lifetime"]
    assert data["id_number"] == citizen.id_number
    assert data["full_name"] == citizen.full_name
    assert data["date_of_birth"] == citizen.date_of_birth.isoformat()
    assert data["sex"] == citizen.sex.value
    assert data["place_of_residence"] == citizen.place_of_residence
    assert data["father_name"] == citizen.father_name
    assert data["mother_name"] == citizen.mother_name
    assert data["spouse_name"] == citizen.spouse_name
    assert data["old_id_number"] == citizen.old_id_number
    assert data["date_of_issue"] == _iso(citizen.date_of_issue)
    assert data["date_of_expiry"] == _iso(citizen.date_of_expiry)
    mrz = data["mrz"]
    for key in MRZ_TEXT:
        assert isinstance(mrz[key], str), key
    assert _is_iso_date(mrz["date_of_birth"])
    assert _is_iso_date(mrz["date_of_expiry"])
    assert mrz["document_number"] == citizen.id_number[3:]
    assert mrz["id_number"] == citizen.id_number
    assert isinstance(data["warnings"], list)
    assert data["access"] in ("PACE-CAN", "PACE-MRZ", "BAC")
    portrait = data["portrait"]
    assert portrait["format"] in ("jpeg", "jpeg2000")
    assert isinstance(portrait["width"], int)
    assert portrait["width"] > 0
    assert isinstance(portrait["height"], int)
    assert portrait["height"] > 0
    for check in CHECKS:
        assert data[check]["verdict"] in VERDICTS, check
        assert all(isinstance(reason, str) for reason in data[check]["reasons"]), check
    assert data["chip_verdict"] in CHIP_VERDICTS
    assert set(data["files"]) >= READ_FILES
    assert all(isinstance(size, int) and size > 0 for size in data["files"].values())
    assert isinstance(data["apdus"], int)
    assert data["apdus"] > 0
    assert all(isinstance(ms, int | float) for ms in data["timings_ms"].values())


def assert_genuine(data: dict[str, Any]) -> None:
    """Genuine as design.md defines it: PA valid, and each clone check the chip offers valid."""
    assert data["passive_authentication"] == {"verdict": "valid", "reasons": []}
    assert data["chip_verdict"] == "genuine"
    offered = {"DG14": "chip_authentication", "DG15": "active_authentication"}
    checks = [check for group, check in offered.items() if group in data["files"]]
    for check in checks:
        assert data[check] == {"verdict": "valid", "reasons": []}, check
    assert data["chip_verdict_reasons"] == ([] if checks else ["no_clone_check"])


def _is_iso_date(value: object) -> bool:
    return (
        isinstance(value, str)
        and len(value) == 10
        and value[4] == value[7] == "-"
        and value.replace("-", "").isdigit()
    )


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


# A clean read, by each access form


def test_a_clean_read_prints_every_contract_key_with_dg13_text(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = read(capsys, *id_access(HANG), "--json")

    assert run.code == 0, run.err
    data = run.json
    assert_contract(data, record(HANG))
    assert data["full_name"] == "Trần Thị Thu Hằng"
    assert data["mother_name"] == "Lê Thị Hoà"
    assert data["nationality"] == "Việt Nam"
    assert data["mrz"]["surname"] == "TRAN"
    assert data["access"] == "PACE-CAN"  # the CAN is the ID's last 6 digits (design.md)
    assert data["warnings"] == []
    assert_genuine(data)
    assert data["files"]["DG2"] >= 15_000
    assert data["demo"] is True


def test_a_card_without_spouse_or_old_number_gives_nulls(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = read(capsys, *id_access(ANH), "--json", citizen=ANH)

    assert run.code == 0, run.err
    assert_contract(run.json, record(ANH))
    assert run.json["spouse_name"] is None
    assert run.json["old_id_number"] is None


@pytest.mark.parametrize(("fault", "access"), [(None, "PACE-CAN"), ("no-pace", "BAC")])
def test_the_td1_mrz_opens_the_chip(
    fault: str | None, access: str, demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    citizen = record(VAN_A)
    text = td1_mrz(citizen)
    lines = "\n".join(text[i : i + 30] for i in range(0, 90, 30))
    faults = ["--fault", fault] if fault else []

    run = read(capsys, "--mrz", lines, *faults, "--json", citizen=VAN_A)

    assert run.code == 0, run.err
    assert_contract(run.json, citizen)
    assert run.json["access"] == access
    assert_genuine(run.json)


def test_the_mrz_run_together_opens_the_chip_too(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = read(capsys, "--mrz", td1_mrz(record(HANG)), "--json")

    assert run.code == 0, run.err
    assert run.json["id_number"] == HANG


@pytest.mark.parametrize(
    ("id_number", "fault", "access"),
    [(HANG, None, "PACE-CAN"), (HANG, "no-pace", "BAC"), (VAN_A, "no-pace", "BAC")],
)
def test_the_cccd_qr_gives_the_key_through_the_renewal_rules(
    id_number: str,
    fault: str | None,
    access: str,
    demo: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Without PACE, BAC needs the expiry, which the QR does not hold: it must come from the
    # birth and issue dates through the renewal rules.
    citizen = record(id_number)
    faults = ["--fault", fault] if fault else []

    run = read(capsys, "--qr", qr_text(citizen), *faults, "--json", citizen=id_number)

    assert run.code == 0, run.err
    assert_contract(run.json, citizen)
    assert run.json["access"] == access
    assert_genuine(run.json)


def test_the_birth_date_alone_tries_each_possible_expiry(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A chip without PACE, so BAC and its expiry date are needed.
    known = read(capsys, "--fault", "no-pace", *id_access(HANG), "--json")
    guessed = read(capsys, "--fault", "no-pace", *id_access(HANG, expiry=False), "--json")

    assert guessed.code == 0, guessed.err
    assert_contract(guessed.json, record(HANG))
    assert guessed.json["access"] == known.json["access"] == "BAC"
    # The card runs to the 60th birthday, the last candidate: the earlier keys were refused
    # first, each attempt costing APDUs the known expiry does not need.
    assert guessed.json["apdus"] > known.json["apdus"]
    assert_genuine(guessed.json)


def test_the_id_number_alone_opens_a_pace_chip_whatever_the_dates(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    only_id = read(capsys, "--id", HANG, "--json")
    wrong_dates = read(
        capsys, "--id", HANG, "--dob", "1985-06-16", "--expiry", "2045-06-16", "--json"
    )

    for run in (only_id, wrong_dates):
        assert run.code == 0, run.out + run.err
        assert run.json["access"] == "PACE-CAN"
        assert_genuine(run.json)


# Failures: the error form, the exit code, and nothing left behind


@pytest.mark.parametrize(
    ("fault", "id_number", "birth"),
    [
        ("no-pace", HANG, "1985-06-16"),  # BAC with a wrong birth date
        (None, "001185012346", "1985-06-15"),  # PACE-CAN, PACE-MRZ and BAC with a wrong ID
    ],
)
def test_a_wrong_key_is_access_denied(
    fault: str | None,
    id_number: str,
    birth: str,
    demo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    read(capsys, *id_access(HANG), "--json")  # the PKI exists before the snapshot
    before = files_under(demo)
    evidence = tmp_path / "evidence"
    citizen = record(HANG)
    assert citizen.date_of_expiry is not None
    key = ["--id", id_number, "--dob", birth, "--expiry", citizen.date_of_expiry.isoformat()]
    faults = ["--fault", fault] if fault else []

    run = read(capsys, *faults, *key, "--json", "--evidence", str(evidence))

    assert_error(run, 4, "access_denied")
    assert not evidence.exists()
    assert files_under(demo) == before


@pytest.mark.parametrize(
    ("fault", "exit_code", "error_code"),
    [
        ("bad-mac", 4, "chip_protocol"),
        ("truncated-file", 5, "chip_data_malformed"),
        ("removed-mid-read", 4, "card_removed"),
    ],
)
def test_a_faulty_chip_fails_with_its_code_and_leaves_no_files(
    fault: str,
    exit_code: int,
    error_code: str,
    demo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read(capsys, *id_access(HANG), "--json")  # the PKI exists before the snapshot
    before = files_under(demo)
    evidence = tmp_path / "evidence"
    config = tmp_path.parent / f"{tmp_path.name}-kiosk.toml"  # the card lifted is not put back
    config.write_text("[devices]\ncard_return_seconds = 0.2\n", encoding="utf-8")
    monkeypatch.setenv("KIOSK_CONFIG", str(config))

    run = read(capsys, "--fault", fault, *id_access(HANG), "--json", "--evidence", str(evidence))

    assert_error(run, exit_code, error_code)
    assert run.err == ""
    assert not evidence.exists()
    assert files_under(demo) == before
    assert files_under(tmp_path) == set()


def test_without_json_a_failure_is_one_vietnamese_line_on_stderr(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = read(capsys, "--fault", "bad-mac", *id_access(HANG))

    assert run.code == 4
    assert run.out == ""
    assert run.err.count("\n") == 1
    assert run.err.startswith("Lỗi giao tiếp với chip")


def test_without_json_a_read_prints_the_holder_and_verdict(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = read(capsys, *id_access(HANG))

    assert run.code == 0
    assert run.out.strip() == f"Trần Thị Thu Hằng ({HANG}): chip xác thực"


# Verdicts: a completed read exits 0 whatever they are


def test_a_forged_sod_is_not_genuine_and_names_dg13(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = read(capsys, "--fault", "forged-sod", *id_access(HANG), "--json")

    assert run.code == 0, run.err
    data = run.json
    assert data["passive_authentication"]["verdict"] == "invalid"
    assert any("DG13" in reason for reason in data["passive_authentication"]["reasons"])
    assert data["chip_verdict"] == "not_genuine"


def test_require_genuine_makes_a_forged_chip_exit_3(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    forged = read(capsys, "--fault", "forged-sod", *id_access(HANG), "--json", "--require-genuine")
    clean = read(capsys, *id_access(HANG), "--json", "--require-genuine")

    assert forged.code == 3
    assert forged.json["chip_verdict"] == "not_genuine"
    assert clean.code == 0


def test_an_unknown_signer_is_unverifiable(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = read(capsys, "--fault", "unknown-signer", *id_access(HANG), "--json")

    assert run.code == 0, run.err
    assert run.json["passive_authentication"]["verdict"] == "unverified"
    assert run.json["chip_verdict"] == "unverifiable"


def test_a_chip_without_extended_length_reads_genuine(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extended = read(capsys, *id_access(HANG), "--json")
    short = read(capsys, "--fault", "no-extended-length", *id_access(HANG), "--json")

    assert short.code == 0, short.err
    assert_contract(short.json, record(HANG))
    assert_genuine(short.json)
    # The same files; EF.SOD may differ by a byte (each card is signed anew, ECDSA's DER varies).
    assert set(short.json["files"]) == set(extended.json["files"])
    assert short.json["files"]["DG2"] == extended.json["files"]["DG2"]
    assert short.json["apdus"] > extended.json["apdus"]  # 0xDF-byte chunks instead of 4 KiB


@pytest.mark.parametrize(
    ("fault", "check"), [("clone-aa", "active_authentication"), ("clone-ca", "chip_authentication")]
)
def test_a_cloned_chip_is_not_genuine(
    fault: str, check: str, demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = read(capsys, "--fault", fault, *id_access(HANG), "--json")
    strict = read(capsys, "--fault", fault, *id_access(HANG), "--json", "--require-genuine")

    assert run.code == 0, run.err
    assert run.json["passive_authentication"]["verdict"] == "valid"
    assert run.json[check]["verdict"] == "invalid"
    assert run.json["chip_verdict"] == "not_genuine"
    assert "suspected_clone" in run.json["chip_verdict_reasons"]
    assert strict.code == 3


def test_an_empty_trust_folder_makes_the_chip_unverifiable(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trust = tmp_path / "trust"
    trust.mkdir()

    run = read(capsys, *id_access(HANG), "--json", "--trust", str(trust))

    assert run.code == 0, run.err
    assert run.json["passive_authentication"]["verdict"] == "unverified"
    assert run.json["chip_verdict"] == "unverifiable"


# Evidence


def test_evidence_holds_each_file_readable_by_the_owner_only_and_matching_the_sod(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    evidence = tmp_path / "evidence"

    run = read(capsys, *id_access(HANG), "--json", "--evidence", str(evidence))

    assert run.code == 0, run.err
    written = {path.name: path for path in evidence.iterdir()}
    assert set(written) == {f"{name}.bin" for name in run.json["files"]}
    for name, size in run.json["files"].items():
        path = written[f"{name}.bin"]
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, name
        assert path.stat().st_size == size, name
    security_object = sod.parse(written["EF.SOD.bin"].read_bytes())
    groups = [name for name in run.json["files"] if name.startswith("DG")]
    assert groups
    for name in groups:
        digest = hashlib.new(security_object.hash_algorithm, written[f"{name}.bin"].read_bytes())
        assert digest.digest() == security_object.data_group_hashes[int(name[2:])], name


# The simulated citizens and the refusal outside demo mode


def test_sim_list_names_the_citizens_and_the_faults(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = kiosk(capsys, "card", "sim", "list", "--json")

    assert run.code == 0
    data = run.json
    assert set(data) == {"citizens", "faults"}
    assert data["faults"] == list(FAULTS)
    assert {
        "bad-mac",
        "truncated-file",
        "removed-mid-read",
        "forged-sod",
        "unknown-signer",
        "no-extended-length",
    } <= set(data["faults"])
    keys = {"id_number", "full_name", "date_of_birth", "date_of_expiry", "sex"}
    assert [person["id_number"] for person in data["citizens"]] == [
        r.citizen.id_number for r in citizens.list_citizens()
    ]
    for person in data["citizens"]:
        assert set(person) == keys
        assert _is_iso_date(person["date_of_birth"])
        assert person["date_of_expiry"] is None or _is_iso_date(person["date_of_expiry"])
        assert person["sex"] in ("M", "F")
    assert data["citizens"][0]["full_name"] == "Trần Thị Thu Hằng"


def test_the_simulated_reader_is_refused_outside_demo_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "data"
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[paths]\ndata_dir = "{data_dir}"\n', encoding="utf-8")
    monkeypatch.setenv("KIOSK_CONFIG", str(config))
    evidence = tmp_path / "evidence"

    run = read(capsys, *id_access(HANG), "--json", "--evidence", str(evidence))

    assert_error(run, 4, "reader_refused")
    assert not evidence.exists()
    assert files_under(data_dir) == set()


# The installed script, in a process of its own


def installed_kiosk(args: list[str], data_dir: Path) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("kiosk")
    assert script.exists(), f"the kiosk script is not installed beside {sys.executable}"
    env = {**os.environ, "KIOSK_DEMO": "1", "KIOSK_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [str(script), *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def test_the_installed_script_reads_a_card_and_reports_failures_by_exit_code(
    demo_data: Path, tmp_path: Path
) -> None:
    base = ["card", "read", "--sim", HANG, *id_access(HANG), "--json"]
    evidence = tmp_path / "evidence"

    done = installed_kiosk(base, demo_data)
    failed = installed_kiosk([*base, "--fault", "bad-mac", "--evidence", str(evidence)], demo_data)
    plain = installed_kiosk([*base[:-1], "--fault", "truncated-file"], demo_data)

    assert done.returncode == 0, done.stderr
    assert_contract(json.loads(done.stdout), record(HANG))
    assert_genuine(json.loads(done.stdout))
    assert_error(Run(failed.returncode, failed.stdout, failed.stderr), 4, "chip_protocol")
    assert not evidence.exists()
    assert plain.returncode == 5
    assert plain.stdout == ""
    assert plain.stderr.count("\n") == 1
    assert plain.stderr.startswith("Dữ liệu chip không hợp lệ")


# Output folders the command cannot use


def test_evidence_that_cannot_be_written_leaves_no_partial_files(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    evidence = tmp_path / "evidence"
    (evidence / "DG2.bin").mkdir(parents=True)  # DG2, read last, cannot be written

    run = read(capsys, *id_access(HANG), "--json", "--evidence", str(evidence))

    assert_error(run, 2, "usage")
    assert files_under(tmp_path) == set()
    assert [path.name for path in tmp_path.iterdir()] == ["evidence"]


def test_evidence_into_a_folder_of_an_earlier_read_is_refused_whole(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    evidence = tmp_path / "evidence"
    assert read(capsys, *id_access(HANG), "--json", "--evidence", str(evidence)).code == 0
    first = {path.name: path.read_bytes() for path in evidence.iterdir()}

    run = read(capsys, *id_access(ANH), "--json", "--evidence", str(evidence), citizen=ANH)

    assert_error(run, 2, "usage")
    assert {path.name: path.read_bytes() for path in evidence.iterdir()} == first
    assert [path.name for path in tmp_path.iterdir()] == ["evidence"]


@pytest.mark.parametrize("kind", ["missing", "not a certificate"])
def test_an_unusable_trust_folder_is_a_coded_error(
    kind: str, demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trust = tmp_path / "trust"
    if kind == "not a certificate":
        trust.mkdir()
        (trust / "csca.pem").write_text("-----BEGIN CERTIFICATE-----\nnot base64\n")

    run = read(capsys, *id_access(HANG), "--json", "--trust", str(trust))

    assert_error(run, 5, "trust_store_invalid")


@pytest.mark.parametrize(
    ("args", "exit_code", "error_code"),
    [
        (["--sim", HANG, "--id", HANG, "--expiry", "2045-06-15"], 2, "usage"),
        (["--sim", HANG, "--fault", "nope", "--id", HANG], 2, "usage"),
        (["--sim", "999999999999", "--id", HANG], 5, "validation_failed"),
        (["--sim", HANG, "--id", "12345"], 5, "validation_failed"),
        (["--sim", HANG, "--mrz", "IDVNM<<<"], 5, "validation_failed"),
        (["--sim", HANG, "--qr", "not|a|cccd"], 5, "validation_failed"),
    ],
)
def test_bad_input_is_refused_with_its_code_and_no_files(
    args: list[str],
    exit_code: int,
    error_code: str,
    demo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    evidence = tmp_path / "evidence"

    run = kiosk(capsys, "card", "read", *args, "--json", "--evidence", str(evidence))

    assert_error(run, exit_code, error_code)
    assert not evidence.exists()
