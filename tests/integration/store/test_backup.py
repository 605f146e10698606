import os
from pathlib import Path

import pytest

from kiosk.domain.errors import ErrorCode
from kiosk.store.backup import backup_database, restore_database
from kiosk.store.engine import create_session_factory, create_store_engine
from kiosk.store.errors import BackupFailedError, NotFoundError
from kiosk.store.uow import UnitOfWork


def _reopen(store):
    engine = create_store_engine(f"sqlite:///{store.path}")
    return engine, UnitOfWork(create_session_factory(engine), store.keys.ring, read_only=True)


def test_backup_and_restore_round_trip(tmp_path: Path, store, enrol) -> None:
    kept = enrol()
    backup = backup_database(store.engine, tmp_path / "backups", store.keys.ring.backup_key)
    later = enrol()
    store.engine.dispose()

    restore_database(backup, store.path, store.keys.ring.backup_key)

    engine, uow = _reopen(store)
    with uow:
        assert uow.applications.get(kept.id) == kept
        with pytest.raises(NotFoundError):
            uow.applications.get(later.id)
    assert engine.connect().exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    engine.dispose()


def test_a_large_database_is_backed_up_in_chunks(tmp_path: Path, store, enrol) -> None:
    big = os.urandom(3 << 20)
    app = enrol(portrait=big)
    backup = backup_database(store.engine, tmp_path / "backups", store.keys.ring.backup_key)
    store.engine.dispose()
    restore_database(backup, store.path, store.keys.ring.backup_key)
    engine, uow = _reopen(store)
    with uow:
        assert uow.applications.portraits(app.id)[0][1] == big
    engine.dispose()


@pytest.mark.parametrize("damage", ["flip", "truncate_bytes", "drop_last_chunk", "wrong_key"])
def test_a_damaged_backup_is_refused_and_the_database_kept(
    tmp_path: Path, store, enrol, damage: str
) -> None:
    app = enrol(portrait=os.urandom(2 << 20))
    key = store.keys.ring.backup_key
    backup = backup_database(store.engine, tmp_path / "backups", key)
    data = bytearray(backup.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 1
    elif damage == "truncate_bytes":
        del data[-100:]
    elif damage == "drop_last_chunk":
        del data[_last_chunk_offset(bytes(data)) :]
    else:
        key = bytes(32)
    backup.write_bytes(bytes(data))
    store.engine.dispose()
    before = store.path.read_bytes()

    with pytest.raises(BackupFailedError) as caught:
        restore_database(backup, store.path, key)

    assert caught.value.code is ErrorCode.BACKUP_FAILED
    assert store.path.read_bytes() == before
    assert [p.name for p in store.path.parent.iterdir() if ".restore" in p.name] == []
    engine, uow = _reopen(store)
    with uow:
        assert uow.applications.get(app.id) == app
    engine.dispose()


def test_no_plain_copy_is_left_behind(tmp_path: Path, store, enrol) -> None:
    enrol()
    backup_database(store.engine, tmp_path / "backups", store.keys.ring.backup_key)
    assert sorted(p.name for p in store.path.parent.iterdir()) == [
        "kiosk.db",
        "kiosk.db-shm",
        "kiosk.db-wal",
    ]
    assert [p.suffix for p in (tmp_path / "backups").iterdir()] == [".kbak"]


def test_only_sqlite_files_are_backed_up(tmp_path: Path) -> None:
    engine = create_store_engine("sqlite://")
    with pytest.raises(BackupFailedError):
        backup_database(engine, tmp_path, bytes(32))
    engine.dispose()


def _last_chunk_offset(data: bytes) -> int:
    offset, last = 24, 24
    while offset < len(data):
        last = offset
        offset += 4 + int.from_bytes(data[offset : offset + 4], "big")
    return last
