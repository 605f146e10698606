"""The command line's contract: one JSON object, the error form, the exit codes, the catalogue."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk import __version__, i18n
from kiosk.cli import EXIT_CODES, build_parser, main
from kiosk.domain.errors import ErrorCategory
from tests.support.pseudo_locale import build_pseudo_locale, unwrapped_text


@pytest.fixture
def pseudo(tmp_path: Path) -> Iterator[None]:
    i18n.set_language("pseudo", build_pseudo_locale(tmp_path / "locale"))
    yield
    i18n.set_language("vi")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"kiosk {__version__}"


def test_support_versions_prints_one_json_object(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["support", "versions", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kiosk"] == __version__
    assert data["missing"] == {}
    assert {"PySide6", "cv2", "dlib", "smartcard", "reportlab"} <= set(data["components"])


def test_a_usage_error_has_the_json_error_form_and_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert (
        main(["support", "versions", "--json", "--bogus"]) == EXIT_CODES[ErrorCategory.USAGE] == 2
    )
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["code"] == "usage"
    assert error["message_vi"].startswith("Lệnh không đúng")
    assert error["message_en"].startswith("Invalid command")


def test_without_json_a_failure_is_one_vietnamese_line_on_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["nonsense"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("Lệnh không đúng")


def test_a_bad_settings_file_names_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text('[station]\ncounter = "two"\n', encoding="utf-8")
    assert main(["--config", str(config), "demo", "--headless", "--json"]) == 2
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["code"] == "config_invalid"
    assert "station.counter" in error["message_vi"]


def test_error_lines_come_from_the_catalogue(
    pseudo: None, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["nonsense"])
    line = capsys.readouterr().err.strip()
    assert "⟪" in line
    assert unwrapped_text(line).replace(":", "").replace(".", "").strip() == ""


def _our_actions(parser: argparse.ArgumentParser) -> Iterator[argparse.Action]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            yield from (a for a in action._choices_actions)
            for child in action.choices.values():
                yield from _our_actions(child)
        elif not isinstance(action, argparse._HelpAction | argparse._VersionAction):
            yield action


def test_every_help_text_comes_from_the_catalogue(pseudo: None) -> None:
    parser = build_parser()
    texts = [parser.description or ""] + [a.help for a in _our_actions(parser) if a.help]
    bare = [text for text in texts if unwrapped_text(text).strip()]
    assert bare == []


def test_python_m_kiosk_runs(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "--version"],
        capture_output=True,
        text=True,
        check=False,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin"},
    )
    assert done.returncode == 0
    assert done.stdout.strip() == f"kiosk {__version__}"
