import threading

import pytest

from kiosk.store.engine import create_session_factory, create_store_engine
from kiosk.store.errors import DatabaseUnavailableError
from kiosk.store.uow import UnitOfWork


def test_a_reader_does_not_wait_for_the_writer(store, enrol) -> None:
    app = enrol()
    seen: list[object] = []
    with store.uow() as writer:
        writer.applications.purge(app.id, store.clock.now())  # holds the write lock

        def read() -> None:
            with store.uow(read_only=True) as reader:
                seen.append(reader.applications.get(app.id))

        thread = threading.Thread(target=read)
        thread.start()
        thread.join(2)  # far below busy_timeout: a blocked reader would still be waiting
        assert seen == [app]


def test_a_read_only_unit_cannot_commit(store) -> None:
    with store.uow(read_only=True) as uow, pytest.raises(RuntimeError):
        uow.commit()


def test_a_unit_used_twice_is_refused(store) -> None:
    uow = store.uow()
    with uow:
        pass
    with pytest.raises(RuntimeError):
        uow.commit()


def test_an_unopenable_database_is_database_unavailable(tmp_path, store) -> None:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'missing' / 'k.db'}")
    with pytest.raises(DatabaseUnavailableError):
        UnitOfWork(create_session_factory(engine), store.keys.ring).__enter__()
    engine.dispose()


def test_an_unmigrated_database_is_database_unavailable(tmp_path, store) -> None:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    uow = UnitOfWork(create_session_factory(engine), store.keys.ring, read_only=True)
    with pytest.raises(DatabaseUnavailableError), uow:
        uow.users.list()
    engine.dispose()


def test_a_second_writer_waits_then_proceeds(store, enrol) -> None:
    app = enrol()
    finished = threading.Event()
    with store.uow() as first:
        first.applications.get(app.id)

        def second() -> None:
            with UnitOfWork(store.sessions, store.keys.ring) as uow:
                uow.applications.purge(app.id, store.clock.now())
                uow.commit()
            finished.set()

        thread = threading.Thread(target=second)
        thread.start()
        assert not finished.wait(0.5)
    thread.join(10)
    assert finished.is_set()
