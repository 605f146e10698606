"""The records commands end to end: a production settings file, passwords on standard input."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import x25519

from kiosk.cli import main
from tests.support.demo_run import DemoRun

ADMIN_PASSWORD = "mật-khẩu-quản-trị-1"


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    recovery = x25519.X25519PrivateKey.generate().public_key()
    pem = tmp_path / "recovery.pem"
    pem.write_bytes(
        recovery.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f"""
[station]
province_code = "01"
commune_code = "00004"
unit_name = "Công an phường Phúc Xá"
counter = 2
[paths]
data_dir = "{tmp_path / "data"}"
[security]
recovery_public_key = "{pem}"
""",
        encoding="utf-8",
    )
    monkeypatch.setenv("KIOSK_CONFIG", str(path))
    return path


def run(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *argv: str,
    stdin: str = "",
) -> tuple[int, dict[str, object]]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main([*argv, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out)


def add_admin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, data = run(
        capsys, monkeypatch, "user", "add", "quantri", "--name", "Trần Quản Trị",
        "--service-number", "QT-01", "--role", "admin", stdin=ADMIN_PASSWORD + "\n",
    )  # fmt: skip
    assert code == 0, data


def test_users_from_the_first_admin_on(
    config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    add_admin(capsys, monkeypatch)
    code, data = run(
        capsys, monkeypatch, "user", "add", "canbo", "--name", "Lê Văn Cán", "--service-number",
        "CB-7", "--role", "officer", "--admin", "quantri",
        stdin=f"{ADMIN_PASSWORD}\nmật-khẩu-cán-bộ-2\n",
    )  # fmt: skip
    assert code == 0
    assert data["user"]["role"] == "officer"  # type: ignore[index]
    code, data = run(
        capsys, monkeypatch, "user", "list", "--admin", "quantri", stdin=ADMIN_PASSWORD
    )
    assert code == 0
    assert [u["username"] for u in data["users"]] == ["canbo", "quantri"]  # type: ignore[union-attr,index]
    code, data = run(capsys, monkeypatch, "user", "list", "--admin", "quantri", stdin="sai")
    assert code == 4
    assert data["error"]["code"] == "login_failed"  # type: ignore[index]


def test_changing_commands_need_an_administrator_outside_demo(
    config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    add_admin(capsys, monkeypatch)
    code, data = run(capsys, monkeypatch, "db", "backup")
    assert code == 2
    assert data["error"]["code"] == "usage"  # type: ignore[index]


def test_backup_restore_and_key_rotation(
    config: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    add_admin(capsys, monkeypatch)
    code, data = run(
        capsys, monkeypatch, "db", "backup", "--admin", "quantri", stdin=ADMIN_PASSWORD
    )
    assert code == 0
    backup = Path(str(data["backup"]))
    assert backup.parent == tmp_path / "data" / "backups"
    assert b"quantri" not in backup.read_bytes()
    code, data = run(
        capsys, monkeypatch, "keys", "rotate", "--admin", "quantri", stdin=ADMIN_PASSWORD
    )
    assert code == 0
    assert data["rotated"] is True
    code, data = run(capsys, monkeypatch, "audit", "verify")
    assert code == 0
    assert data["valid"] is True


def test_audit_verify_names_the_first_tampered_entry(
    config: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    add_admin(capsys, monkeypatch)
    run(capsys, monkeypatch, "user", "list", "--admin", "quantri", stdin=ADMIN_PASSWORD)
    database = tmp_path / "data" / "kiosk.db"
    with sqlite3.connect(database) as connection:
        # Someone with the file can drop the append-only triggers; the chain still tells.
        connection.execute("DROP TRIGGER audit_log_no_update")
        connection.execute("UPDATE audit_log SET action = 'erased' WHERE sequence = 2")
    code, data = run(capsys, monkeypatch, "audit", "verify")
    assert code == 5
    assert data == {**data, "valid": False, "first_bad": 2}


def test_audit_export_is_written_and_signed(
    config: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    add_admin(capsys, monkeypatch)
    target = tmp_path / "audit.json"
    code, data = run(
        capsys, monkeypatch, "audit", "export", "--from", "2020-01-01", "--to", "31/12/2099",
        "--out", str(target), "--admin", "quantri", stdin=ADMIN_PASSWORD,
    )  # fmt: skip
    assert code == 0
    exported = json.loads(target.read_text(encoding="utf-8"))
    assert len(exported["payload"]["entries"]) == data["entries"]
    assert exported["signature"]


def test_demo_mode_lists_applications_after_the_headless_demo(
    demo_run: DemoRun, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    report = demo_run.report
    assert report["application_state"] == "approved"
    names = [s["name"] for s in report["stages"]]
    assert names == [
        "chip", "face", "liveness", "documents", "submit", "approve", "receipt", "sync"
    ]  # fmt: skip
    monkeypatch.setenv("KIOSK_DEMO", "1")
    monkeypatch.setenv("KIOSK_DATA_DIR", str(demo_run.run / "kiosk"))
    code, listed = run(capsys, monkeypatch, "app", "list")
    assert code == 0
    assert [a["id"] for a in listed["applications"]] == [report["application_id"]]  # type: ignore[union-attr,index]
    code, shown = run(capsys, monkeypatch, "app", "show", str(report["application_id"]))
    assert code == 0
    application = shown["application"]
    assert application["state"] == "approved"  # type: ignore[index]
    assert application["citizen"]["full_name"] == "Trần Thị Thu Hằng"  # type: ignore[index]
