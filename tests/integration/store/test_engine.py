import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from kiosk.store.engine import READ_ONLY, checkpoint, create_store_engine
from kiosk.store.errors import DatabaseUnavailableError


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'k.db'}")
    yield engine
    engine.dispose()


def test_pragmas_are_set_on_every_connection(engine: Engine) -> None:
    with engine.connect() as c1, engine.connect() as c2:
        for conn in (c1.execution_options(**{READ_ONLY: True}), c2):
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
            assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
            conn.rollback()


def test_write_transactions_take_the_write_lock_at_begin(engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    with engine.connect() as conn:
        conn.begin()
        # No statement yet: BEGIN IMMEDIATE alone must already hold the reserved lock.
        other = sqlite3.connect(tmp_path / "k.db", timeout=0, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()
        conn.rollback()


def test_read_only_sessions_do_not_block_the_writer(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    reader = engine.connect().execution_options(**{READ_ONLY: True})
    reader.begin()
    reader.execute(text("SELECT count(*) FROM t")).scalar()
    done = threading.Event()

    def write() -> None:
        with engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        done.set()

    thread = threading.Thread(target=write)
    thread.start()
    thread.join(10)
    assert done.is_set()
    reader.rollback()
    reader.close()


def test_rollback_discards_a_write(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    with engine.connect() as conn:
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        conn.rollback()
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar() == 0


def test_checkpoint_truncates_the_wal(engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x BLOB)")
        conn.exec_driver_sql("INSERT INTO t VALUES (randomblob(10000))")
    checkpoint(engine)
    assert (tmp_path / "k.db-wal").stat().st_size == 0


def test_unopenable_database_is_refused(tmp_path: Path) -> None:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'missing' / 'k.db'}")
    with pytest.raises(Exception, match="unable to open"):
        engine.connect()
    engine.dispose()


def test_bad_url_is_database_unavailable() -> None:
    with pytest.raises(DatabaseUnavailableError):
        create_store_engine("nosuchdialect://x")


def test_an_in_memory_database_gets_the_other_settings() -> None:
    engine = create_store_engine("sqlite://")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "memory"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
        conn.rollback()
    engine.dispose()
