import os
from pathlib import Path

import pytest

from kiosk.domain.errors import ErrorCode
from kiosk.store.custody import LinuxKeyFile, WindowsDPAPI
from kiosk.store.errors import KeyUnavailableError

SECRET = bytes(range(32))


def test_a_saved_secret_is_private_and_loads(tmp_path: Path) -> None:
    custody = LinuxKeyFile(tmp_path / "keys")
    custody.save("master", SECRET)
    assert custody.exists("master")
    assert custody.load("master") == SECRET
    assert (tmp_path / "keys" / "master.key").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "keys").stat().st_mode & 0o777 == 0o700


def test_save_replaces_atomically_and_remove_forgets(tmp_path: Path) -> None:
    custody = LinuxKeyFile(tmp_path / "keys")
    custody.save("master", SECRET)
    custody.save("master", b"new")
    assert custody.load("master") == b"new"
    assert sorted(p.name for p in (tmp_path / "keys").iterdir()) == ["master.key"]
    custody.remove("master")
    assert not custody.exists("master")


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644])
def test_a_key_file_readable_by_others_is_refused(tmp_path: Path, mode: int) -> None:
    custody = LinuxKeyFile(tmp_path / "keys")
    custody.save("master", SECRET)
    os.chmod(tmp_path / "keys" / "master.key", mode)
    with pytest.raises(KeyUnavailableError) as caught:
        custody.load("master")
    assert caught.value.code is ErrorCode.KEY_UNAVAILABLE
    assert caught.value.params == {"reason": "permissions"}
    assert "group or others" in str(caught.value)


def test_an_open_key_folder_is_refused(tmp_path: Path) -> None:
    custody = LinuxKeyFile(tmp_path / "keys")
    custody.save("master", SECRET)
    os.chmod(tmp_path / "keys", 0o755)  # noqa: S103 - the open folder under test
    with pytest.raises(KeyUnavailableError, match="folder"):
        custody.load("master")


def test_a_missing_key_is_key_unavailable(tmp_path: Path) -> None:
    with pytest.raises(KeyUnavailableError):
        LinuxKeyFile(tmp_path / "keys").load("master")
    (tmp_path / "keys").mkdir(mode=0o700)
    with pytest.raises(KeyUnavailableError):
        LinuxKeyFile(tmp_path / "keys").load("master")


def test_dpapi_is_import_safe_and_refuses_off_windows(tmp_path: Path) -> None:
    custody = WindowsDPAPI(tmp_path)
    assert not custody.exists("master")
    with pytest.raises(KeyUnavailableError, match="Windows"):
        custody.save("master", SECRET)
