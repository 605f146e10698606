from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from kiosk.domain.ids import new_user_id
from kiosk.domain.users import Role, User
from kiosk.store.engine import create_session_factory, create_store_engine
from kiosk.store.errors import NotFoundError
from kiosk.store.passwords import hash_password, needs_rehash, verify_password
from kiosk.store.uow import UnitOfWork


def test_an_account_round_trips_without_its_hash(store) -> None:
    with store.uow(read_only=True) as uow:
        assert uow.users.get(store.officer.id) == store.officer
        state = uow.users.login_state("officer1")
        assert uow.users.list() == [store.officer]
    assert state.user == store.officer
    assert state.password_hash.startswith("$argon2id$")
    assert verify_password(state.password_hash, "correct horse")
    assert not verify_password(state.password_hash, "wrong")
    assert not verify_password("not a hash", "correct horse")
    assert not needs_rehash(state.password_hash)
    assert state.failed_attempts == 0


def test_a_lockout_survives_a_restart(store) -> None:
    until = store.clock.now() + timedelta(minutes=15)
    with store.uow() as uow:
        uow.users.record_failure(store.officer.id, None)
        assert uow.users.record_failure(store.officer.id, until) == 2
        uow.commit()
    store.engine.dispose()
    engine = create_store_engine(f"sqlite:///{store.path}")
    with UnitOfWork(create_session_factory(engine), store.keys.ring) as uow:
        state = uow.users.login_state("officer1")
        assert (state.failed_attempts, state.locked_until) == (2, until)
        uow.users.clear_failures(store.officer.id)
        uow.commit()
    with UnitOfWork(create_session_factory(engine), store.keys.ring) as uow:
        state = uow.users.login_state("officer1")
        assert (state.failed_attempts, state.locked_until) == (0, None)
    engine.dispose()


def test_disable_and_rehash(store) -> None:
    with store.uow() as uow:
        uow.users.set_disabled(store.officer.id, True)
        uow.users.set_password_hash(store.officer.id, hash_password("new secret"))
        uow.commit()
    with store.uow(read_only=True) as uow:
        state = uow.users.login_state("officer1")
    assert state.user.disabled
    assert verify_password(state.password_hash, "new secret")


def test_usernames_are_unique(store) -> None:
    twin = User(new_user_id(), "officer1", "Lê Văn Cường", "CA-9999", Role.SUPERVISOR)
    with store.uow() as uow, pytest.raises(IntegrityError):
        uow.users.add(twin, hash_password("x"), store.clock.now())


def test_unknown_accounts_are_not_found(store) -> None:
    with store.uow(read_only=True) as uow:
        with pytest.raises(NotFoundError):
            uow.users.login_state("nobody")
        with pytest.raises(NotFoundError):
            uow.users.get(new_user_id())


def test_settings_keep_who_changed_them(store) -> None:
    with store.uow() as uow:
        assert uow.settings.get("four_eyes_relaxed") is None
        uow.settings.put("four_eyes_relaxed", "true", store.officer.id, store.clock.now())
        uow.settings.put("four_eyes_relaxed", "false", store.officer.id, store.clock.now())
        uow.commit()
    with store.uow(read_only=True) as uow:
        assert uow.settings.get("four_eyes_relaxed") == "false"
