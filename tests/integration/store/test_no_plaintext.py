"""No personal value reaches the disk or the log in clear: the database, -wal, -shm, backups."""

import logging
import sqlite3
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from kiosk.domain.text import ascii_fold
from kiosk.store.backup import backup_database

NAME = "Nguyễn Thị Thuỷ Hoà"
ID_NUMBER = "001190012345"
EMAIL = "thuy.hoa@example.vn"
BIRTH = date(1990, 5, 17)


def _needles() -> dict[str, bytes]:
    forms = {
        "name NFC": unicodedata.normalize("NFC", NAME).encode(),
        "name NFD": unicodedata.normalize("NFD", NAME).encode(),
        "name ASCII": ascii_fold(NAME).encode(),
        "name ASCII upper": ascii_fold(NAME).upper().encode(),
        "name UTF-16-LE": NAME.encode("utf-16-le"),
        "name UTF-16-BE": NAME.encode("utf-16-be"),
        "surname NFC": "Nguyễn".encode(),
        "id number": ID_NUMBER.encode(),
        "id number UTF-16": ID_NUMBER.encode("utf-16-le"),
        "phone local": b"0912345678",
        "phone international": b"84912345678",
        "email": EMAIL.encode(),
        "birth ISO": BIRTH.isoformat().encode(),
        "birth DD/MM/YYYY": BIRTH.strftime("%d/%m/%Y").encode(),
        "birth YYMMDD": BIRTH.strftime("%y%m%d").encode(),
        "birth DDMMYYYY": BIRTH.strftime("%d%m%Y").encode(),
        "residence": "ngõ Huế".encode(),
    }
    return forms


def _assert_absent(files: list[Path]) -> None:
    assert files
    for path in files:
        content = path.read_bytes()
        for label, needle in _needles().items():
            assert needle not in content, f"{label} found in {path.name}"


def test_nothing_personal_is_stored_in_clear(tmp_path, store, enrol, citizen, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    assert citizen.full_name == NAME
    assert citizen.date_of_birth == BIRTH
    for _ in range(3):
        enrol()
    with store.uow(read_only=True) as uow:
        found = uow.applications.find_by_id_number(ID_NUMBER)
    assert found[0].email == EMAIL  # the data is really there, just not in clear
    backup = backup_database(store.engine, tmp_path / "backups", store.keys.ring.backup_key)
    # Read while the engine is open, so the -wal and -shm files are still there to search.
    files = [store.path, Path(f"{store.path}-wal"), Path(f"{store.path}-shm"), backup]
    assert all(path.exists() for path in files)
    _assert_absent(files)
    logged = "\n".join(record.getMessage() for record in caplog.records).encode()
    for label, needle in _needles().items():
        assert needle not in logged, f"{label} logged"


def test_the_search_finds_a_value_stored_in_clear(tmp_path) -> None:
    # Guards the search itself: the same check fails on a database that stores text in clear.
    path = tmp_path / "plain.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (v TEXT)")
        conn.execute("INSERT INTO t VALUES (?)", (NAME,))
    conn.close()
    with pytest.raises(AssertionError, match="name NFC"):
        _assert_absent([path])
