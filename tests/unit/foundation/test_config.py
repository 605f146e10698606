"""Settings: defaults, demo rules, and errors that name the key at fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import ConfigError, PathSettings, Settings, load_settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_full_file_is_read_into_typed_settings(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [station]
        province_code = "01"
        commune_code = "00004"
        unit_name = "Công an phường Phúc Xá"
        counter = 2
        [devices]
        card_reader = "nfcpy"
        camera_index = 1
        [face]
        match_threshold = 0.4
        """,
    )
    settings = load_settings(path)
    assert settings.station.unit_name == "Công an phường Phúc Xá"
    assert settings.station.counter == 2
    assert settings.devices.card_reader == "nfcpy"
    assert settings.face.match_threshold == pytest.approx(0.4)
    assert settings.devices.camera == "opencv"
    assert not settings.demo
    assert settings.source == str(path)


@pytest.mark.parametrize(
    ("text", "key", "reason"),
    [
        ('[station]\ncounter = "two"\n', "station.counter", "whole number"),
        ("[station]\ncounter = -1\n", "station.counter", "whole number"),
        ("[station]\ncounter = true\n", "station.counter", "whole number"),
        ('[devices]\ncard_reader = "usb"\n', "devices.card_reader", "one of"),
        ("[devices]\nshiny = 1\n", "devices.shiny", "unknown setting"),
        ('colour = "red"\n', "colour", "unknown setting"),
        ("station = 3\n", "station", "table"),
        ('[security]\nfour_eyes_relaxed = "no"\n', "security.four_eyes_relaxed", "true or false"),
        ('[face]\nmatch_threshold = "low"\n', "face.match_threshold", "number"),
        ("[server]\nurl = 5\n", "server.url", "text"),
    ],
)
def test_each_bad_value_is_reported_with_its_key(
    tmp_path: Path, text: str, key: str, reason: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, text))
    assert caught.value.key == key
    assert reason in caught.value.reason


def test_a_file_that_is_not_toml_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(write(tmp_path, "[station\n"))


def test_an_explicit_file_that_does_not_exist_is_an_error_even_in_demo(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "absent.toml", demo=True)


def test_without_a_file_only_demo_mode_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("kiosk.config.system_config_path", lambda: tmp_path / "none.toml")
    with pytest.raises(ConfigError, match="only demo mode"):
        load_settings()
    assert load_settings(demo=True) == Settings(demo=True)
    monkeypatch.setenv("KIOSK_DEMO", "1")
    assert load_settings().demo


def test_kiosk_config_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "[station]\ncounter = 7\n")
    monkeypatch.setenv("KIOSK_CONFIG", str(path))
    assert load_settings().station.counter == 7


def test_folders_default_inside_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    settings = Settings(demo=True)
    assert settings.data_dir == tmp_path
    assert settings.backup_dir == tmp_path / "backups"
    assert settings.sim_dir == tmp_path / "sim"
    assert settings.database_url == f"sqlite:///{tmp_path / 'kiosk.db'}"


def test_logs_go_to_the_platform_log_folder_unless_configured(tmp_path: Path) -> None:
    assert Settings(demo=True).log_dir.name == "demo"
    assert Settings(demo=False).log_dir == Settings(demo=True).log_dir.parent
    configured = Settings(paths=PathSettings(log_dir=str(tmp_path)))
    assert configured.log_dir == tmp_path


def test_demo_data_is_kept_apart_from_production_data() -> None:
    assert Settings(demo=True).data_dir != Settings(demo=False).data_dir
