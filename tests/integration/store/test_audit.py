import sqlite3

import pytest
from sqlalchemy.exc import IntegrityError

from kiosk.domain import audit
from kiosk.domain.application import open_application
from kiosk.domain.ids import new_application_id


def _write_entries(store, count: int = 4) -> None:
    with store.uow() as uow:
        for _ in range(count):
            _, fact = open_application(new_application_id(), store.officer.id, store.clock.now())
            uow.audit.record(fact)
        uow.audit.record_event(store.clock.now(), "system", "backup", "-", {"ok": True})
        uow.commit()


def _raw(store) -> sqlite3.Connection:
    store.engine.dispose()
    conn = sqlite3.connect(store.path, isolation_level=None)
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("DROP TRIGGER audit_log_no_delete")
    return conn


def _first_bad(store) -> int | None:
    with store.uow(read_only=True) as uow:
        return uow.audit.first_bad_sequence()


def test_an_intact_chain_verifies_and_exposes_its_head(store) -> None:
    _write_entries(store)
    with store.uow(read_only=True) as uow:
        entries = uow.audit.entries()
        assert [e.fields.sequence for e in entries] == [1, 2, 3, 4, 5]
        assert uow.audit.head() == entries[-1].entry_hash
        assert uow.audit.first_bad_sequence() is None
        assert uow.audit.first_bad_sequence(expected_head=b"x" * 32) == 6
        assert entries[-1].fields.details == {"ok": True}


def test_the_database_refuses_edits_and_deletes(store) -> None:
    _write_entries(store)
    for statement in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(IntegrityError, match="append-only"), store.engine.begin() as conn:
            conn.exec_driver_sql(statement)


def test_an_edit_is_found(store) -> None:
    _write_entries(store)
    _raw(store).execute("UPDATE audit_log SET action = 'approve' WHERE sequence = 3")
    assert _first_bad(store) == 3


def test_a_deletion_is_found(store) -> None:
    _write_entries(store)
    _raw(store).execute("DELETE FROM audit_log WHERE sequence = 2")
    assert _first_bad(store) == 2


def test_a_reordering_is_found(store) -> None:
    _write_entries(store)
    conn = _raw(store)
    conn.execute("UPDATE audit_log SET sequence = 99 WHERE sequence = 2")
    conn.execute("UPDATE audit_log SET sequence = 2 WHERE sequence = 3")
    conn.execute("UPDATE audit_log SET sequence = 3 WHERE sequence = 99")
    assert _first_bad(store) == 2


def test_recomputed_hashes_without_the_mac_key_are_found(store) -> None:
    _write_entries(store)
    with store.uow(read_only=True) as uow:
        entries = uow.audit.entries()
    conn = _raw(store)
    # The attacker rewrites entry 2 and recomputes every hash after it, but cannot make MACs.
    forged = entries[1].fields
    forged = audit.AuditFields(2, forged.at, forged.actor, "cancel", forged.subject, {})
    conn.execute("UPDATE audit_log SET action = 'cancel', details = '{}' WHERE sequence = 2")
    prev = entries[0].entry_hash
    for fields in [forged] + [e.fields for e in entries[2:]]:
        digest = audit.entry_hash(prev, fields)
        conn.execute(
            "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE sequence = ?",
            (prev, digest, fields.sequence),
        )
        prev = digest
    with store.uow(read_only=True) as uow:
        rewritten = uow.audit.entries()
    assert [e.entry_hash for e in rewritten[1:]] != [e.entry_hash for e in entries[1:]]
    assert _first_bad(store) == 2
