import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import x25519
from sqlalchemy import select

from kiosk.domain.errors import ErrorCode
from kiosk.store.custody import LinuxKeyFile
from kiosk.store.errors import KeyUnavailableError
from kiosk.store.keys import MASTER, MASTER_NEXT, rotate_master_key, unlock
from kiosk.store.recovery import load_recovery_public_key, unwrap_recovery
from kiosk.store.rows import KeyringRow
from kiosk.store.uow import UnitOfWork


def test_unlocking_again_gives_the_same_keys(store) -> None:
    again = unlock(store.sessions, store.custody, store.clock, None)
    assert again.ring.key_id == store.keys.ring.key_id
    assert again.ring.audit_mac_key == store.keys.ring.audit_mac_key
    assert again.signing_public_key == store.keys.signing_public_key


def test_no_key_material_is_stored_in_the_clear(store) -> None:
    content = store.path.read_bytes() + store.path.with_name("kiosk.db-wal").read_bytes()
    ring = store.keys.ring
    for secret in (ring.master, ring.derivation_secret, ring.audit_mac_key, ring.backup_key):
        assert secret not in content
    assert store.keys.signing_key.private_bytes_raw() not in content


def test_a_wrong_master_key_is_key_unavailable(store, enrol) -> None:
    enrol()
    store.custody.save(MASTER, bytes(32))
    with pytest.raises(KeyUnavailableError) as caught:
        unlock(store.sessions, store.custody, store.clock, None)
    assert caught.value.code is ErrorCode.KEY_UNAVAILABLE
    assert caught.value.params == {"reason": "wrong_key"}


def test_a_lost_master_key_is_never_replaced(store) -> None:
    store.custody.remove(MASTER)
    with pytest.raises(KeyUnavailableError) as caught:
        unlock(store.sessions, store.custody, store.clock, None)
    assert caught.value.code is ErrorCode.KEY_UNAVAILABLE
    assert not store.custody.exists(MASTER)


def test_a_badly_protected_key_file_stops_unlock(tmp_path, store) -> None:
    (tmp_path / "keys" / "master.key").chmod(0o644)
    with pytest.raises(KeyUnavailableError) as caught:
        unlock(store.sessions, store.custody, store.clock, None)
    assert caught.value.code is ErrorCode.KEY_UNAVAILABLE


def test_the_recovery_copy_opens_with_the_province_key(tmp_path, store) -> None:
    province = x25519.X25519PrivateKey.generate()
    pem = province.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    rotated = rotate_master_key(
        store.sessions, store.custody, store.keys, store.clock, load_recovery_public_key(pem)
    )
    with store.sessions() as session:
        copy = session.scalar(select(KeyringRow.recovery_copy))
    assert unwrap_recovery(copy, province) == rotated.ring.master


def test_rotation_rewraps_every_data_key(store, enrol) -> None:
    apps = [enrol(), enrol()]
    old_master = store.keys.ring.master
    rotated = rotate_master_key(store.sessions, store.custody, store.keys, store.clock, None)
    assert rotated.ring.master != old_master
    assert store.custody.load(MASTER) == rotated.ring.master
    assert not store.custody.exists(MASTER_NEXT)
    reopened = unlock(store.sessions, store.custody, store.clock, None)
    assert reopened.signing_public_key == store.keys.signing_public_key
    assert reopened.ring.blind_index("001190012345") == store.keys.ring.blind_index("001190012345")
    with UnitOfWork(store.sessions, reopened.ring, read_only=True) as uow:
        assert [uow.applications.get(a.id) for a in apps] == apps
    with UnitOfWork(store.sessions, store.keys.ring, read_only=True) as uow:
        with pytest.raises(KeyUnavailableError) as caught:
            uow.applications.get(apps[0].id)
        assert caught.value.code is ErrorCode.KEY_UNAVAILABLE


def test_a_rotation_interrupted_after_commit_is_finished_by_unlock(store, enrol) -> None:
    app = enrol()
    rotated = rotate_master_key(store.sessions, store.custody, store.keys, store.clock, None)
    # Put custody back as a crash between the commit and the promotion would have left it.
    store.custody.save(MASTER_NEXT, rotated.ring.master)
    store.custody.save(MASTER, store.keys.ring.master)
    reopened = unlock(store.sessions, store.custody, store.clock, None)
    assert reopened.ring.master == rotated.ring.master
    assert store.custody.load(MASTER) == rotated.ring.master
    assert not store.custody.exists(MASTER_NEXT)
    with UnitOfWork(store.sessions, reopened.ring, read_only=True) as uow:
        assert uow.applications.get(app.id) == app


def test_a_rotation_interrupted_before_commit_keeps_the_old_key(store) -> None:
    store.custody.save(MASTER_NEXT, bytes(32))
    reopened = unlock(store.sessions, store.custody, store.clock, None)
    assert reopened.ring.master == store.keys.ring.master
    assert not store.custody.exists(MASTER_NEXT)


def test_first_run_reuses_a_master_key_saved_before_a_crash(tmp_path, store) -> None:
    custody = LinuxKeyFile(tmp_path / "other-keys")
    custody.save(MASTER, b"\x01" * 32)
    with store.sessions() as session, session.begin():
        session.delete(session.get_one(KeyringRow, 1))
    keys = unlock(store.sessions, custody, store.clock, None)
    assert keys.ring.master == b"\x01" * 32
