"""A support bundle made after a simulated enrolment holds none of the citizen's personal data,
and no secret: it is safe to send (issue 15)."""

from __future__ import annotations

import json
import unicodedata
import zipfile
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.devices.sim import citizens
from kiosk.headless import DEMO_EMAIL, DEMO_PHONE
from kiosk.services.support_bundle import without_secrets
from tests.support.demo_run import DemoRun


def _ascii(text: str) -> str:
    """Vietnamese without diacritics, as a careless log line might spell it (đ → d)."""
    folded = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in folded if not unicodedata.combining(c))


def _forbidden() -> list[str]:
    citizen = citizens.list_citizens()[0].citizen
    name = citizen.full_name
    born = citizen.date_of_birth
    values = [
        name,
        unicodedata.normalize("NFD", name),
        name.upper(),
        _ascii(name),
        _ascii(name).upper(),
        citizen.id_number,
        citizen.id_number[-6:] + born.strftime("%y%m%d"),
        born.isoformat(),
        born.strftime("%d/%m/%Y"),
        born.strftime("%y%m%d"),
        DEMO_PHONE,
        DEMO_EMAIL,
    ]
    return [value for value in values if value]


@pytest.mark.slow  # the session's headless demo (tests/support/demo_run.py): about 15 s of CPU
def test_bundle_after_an_enrolment_has_no_personal_data(
    demo_run: DemoRun, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = demo_run.run
    assert demo_run.report["application_state"] == "approved"
    log_dir = run / "kiosk" / "logs"
    citizen = citizens.list_citizens()[0].citizen
    # A line written before a redaction rule existed: the bundle must redact it on the way in.
    with (log_dir / "kiosk.log").open("a", encoding="utf-8") as handle:
        handle.write(
            f"old INFO x id {citizen.id_number} born {citizen.date_of_birth.isoformat()} "
            f"phone {DEMO_PHONE} mail {DEMO_EMAIL}\n"
        )
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[paths]\ndata_dir = "{run / "kiosk"}"\nlog_dir = "{log_dir}"\n'
        f'[security]\nrecovery_public_key = "{tmp_path / "recovery.pem"}"\n'
        f'[database]\nurl = "postgresql://kiosk:s3cret-pw@db.example:5432/kiosk"\n',
        encoding="utf-8",
    )
    out = tmp_path / "support.zip"
    assert main(["--config", str(config), "support", "bundle", "--out", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["bundle"] == str(out)

    with zipfile.ZipFile(out) as bundle:
        members = {name: bundle.read(name).decode("utf-8") for name in bundle.namelist()}
    assert {"versions.json", "settings.json", "devices.json", "logs/kiosk.log"} <= set(members)
    assert "application" in members["logs/kiosk.log"]  # the demo's own log lines are there
    assert "kiosk.db" in members["data-folder.json"]
    everything = "\n".join(members.values())
    for value in _forbidden():
        assert value not in everything, f"personal data in the bundle: {value!r}"
    assert "s3cret-pw" not in everything
    settings = json.loads(members["settings.json"])
    assert settings["security"]["recovery_public_key"] == "(set)"
    assert settings["security"]["update_public_key"] == "(not set)"
    assert oct(out.stat().st_mode & 0o777) == "0o600"


def test_secrets_are_dropped_at_any_depth() -> None:
    cleaned = without_secrets(
        {
            "security": {"key_dir": "/var/lib/kiosk/keys", "idle_lock_minutes": 5},
            "server": {"url": "https://user:pw@central.example/api"},
        }
    )
    assert cleaned["security"] == {"key_dir": "(set)", "idle_lock_minutes": 5}
    assert cleaned["server"]["url"] == "https://user:***@central.example/api"
