from dataclasses import replace

import pytest
from sqlalchemy import select, text, update

from kiosk.domain.application import ApplicationState, ReasonCode
from kiosk.domain.biometrics import FaceOutcome
from kiosk.domain.errors import ErrorCode
from kiosk.store.engine import checkpoint
from kiosk.store.errors import DataIntegrityError, KeyUnavailableError, NotFoundError
from kiosk.store.rows import ApplicationRow, DataKeyRow, PortraitRow
from kiosk.store.rows.biometric import PortraitKind


def test_an_application_round_trips(store, enrol) -> None:
    app = enrol()
    with store.uow(read_only=True) as uow:
        loaded = uow.applications.get(app.id)
        portraits = uow.applications.portraits(app.id)
    assert loaded == app
    assert portraits[0][1].startswith(b"\xff\xd8")


def test_transitions_are_saved_with_their_audit_entry(store, enrol) -> None:
    app = enrol()
    officer = store.officer.id
    app, _ = app.record_face(officer, store.clock.now(), FaceOutcome.PASSED)
    changed = app.capture(officer, store.clock.now())
    with store.uow() as uow:
        uow.applications.save(changed.application)
        uow.audit.record(changed.fact)
        uow.commit()
    with store.uow(read_only=True) as uow:
        assert uow.applications.get(app.id).state is ApplicationState.CAPTURED
        assert uow.applications.get(app.id).face.outcomes == (FaceOutcome.PASSED,)
        assert [e.fields.action for e in uow.audit.entries()] == ["capture"]


def test_nothing_is_kept_without_commit(store, enrol) -> None:
    app = enrol()
    cancelled = app.cancel(store.officer.id, store.clock.now(), ReasonCode.OTHER, "ghi chú")
    with store.uow() as uow:
        uow.applications.save(cancelled.application)
        uow.audit.record(cancelled.fact)
    with store.uow(read_only=True) as uow:
        assert uow.applications.get(app.id).state is ApplicationState.DRAFT
        assert uow.audit.entries() == []


def test_an_exception_rolls_back(store, enrol) -> None:
    app = enrol()

    def use_case() -> None:
        with store.uow() as uow:
            uow.applications.purge(app.id, store.clock.now())
            raise RuntimeError("use case failed")

    with pytest.raises(RuntimeError):
        use_case()
    with store.uow(read_only=True) as uow:
        assert uow.applications.get(app.id) == app


def test_search_by_id_number_uses_the_blind_index(store, enrol, citizen) -> None:
    first = enrol()
    other = enrol(replace(citizen, id_number="079085000111"))
    with store.uow(read_only=True) as uow:
        assert [a.id for a in uow.applications.find_by_id_number("001190012345")] == [first.id]
        assert [a.id for a in uow.applications.find_by_id_number("079085000111")] == [other.id]
        assert uow.applications.find_by_id_number("000000000000") == []


def test_page_is_newest_first(store, enrol) -> None:
    apps = [enrol() for _ in range(3)]
    with store.uow(read_only=True) as uow:
        page = uow.applications.page(limit=2)
        rest = uow.applications.page(before=page[-1].updated_at)
    assert [a.id for a in page + rest] == [a.id for a in reversed(apps)]


def test_a_ciphertext_moved_to_another_row_fails(store, enrol) -> None:
    victim, thief = enrol(), enrol()
    with store.engine.begin() as conn:
        phone = conn.scalar(select(ApplicationRow.phone).where(ApplicationRow.id == victim.id))
        conn.execute(
            update(ApplicationRow).where(ApplicationRow.id == thief.id).values(phone=phone)
        )
    with store.uow(read_only=True) as uow, pytest.raises(DataIntegrityError) as caught:
        uow.applications.get(thief.id)
    assert caught.value.code is ErrorCode.DATA_INTEGRITY


def test_a_ciphertext_moved_to_another_column_fails(store, enrol) -> None:
    app = enrol()
    with store.engine.begin() as conn:
        phone = conn.scalar(select(ApplicationRow.phone).where(ApplicationRow.id == app.id))
        conn.execute(update(ApplicationRow).where(ApplicationRow.id == app.id).values(email=phone))
    with store.uow(read_only=True) as uow, pytest.raises(DataIntegrityError):
        uow.applications.get(app.id)


def test_a_data_key_moved_to_another_application_fails(store, enrol) -> None:
    victim, thief = enrol(), enrol()
    with store.engine.begin() as conn:
        key = conn.scalar(select(DataKeyRow.wrapped).where(DataKeyRow.application_id == victim.id))
        conn.execute(
            update(DataKeyRow).where(DataKeyRow.application_id == thief.id).values(wrapped=key)
        )
    with store.uow(read_only=True) as uow, pytest.raises(KeyUnavailableError):
        uow.applications.get(thief.id)


def test_purge_shreds_the_application(store, enrol) -> None:
    portrait = b"PORTRAIT-TO-SHRED" * 64
    app, kept = enrol(portrait=portrait), enrol()
    with store.engine.connect() as conn:
        query = text("SELECT image FROM portraits WHERE application_id = :a")
        sealed = conn.execute(query, {"a": app.id.bytes}).scalar_one()
    with store.uow() as uow:
        uow.applications.purge(app.id, store.clock.now())
        uow.commit()
    checkpoint(store.engine)
    with store.uow(read_only=True) as uow:
        with pytest.raises(NotFoundError):
            uow.applications.get(app.id)
        assert uow.applications.get(kept.id) == kept
    files = [store.path, store.path.with_name("kiosk.db-wal"), store.path.with_name("kiosk.db-shm")]
    content = b"".join(path.read_bytes() for path in files if path.exists())
    assert portrait[:32] not in content
    assert sealed[13:60] not in content


def test_retention_finds_old_final_and_stale_unfinished_applications(store, enrol) -> None:
    officer = store.officer.id
    stale_draft = enrol()
    cancelled = enrol().cancel(officer, store.clock.now(), ReasonCode.CITIZEN_WITHDREW)
    app = enrol()
    app, _ = app.record_face(officer, store.clock.now(), FaceOutcome.PASSED)
    app, _ = app.capture(officer, store.clock.now())
    submitted = app.submit(officer, store.clock.now()).application
    with store.uow() as uow:
        uow.applications.save(cancelled.application)
        uow.applications.save(submitted)
        uow.commit()
    cutoff = store.clock.now()
    fresh = enrol()
    with store.uow(read_only=True) as uow:
        due = uow.applications.due_for_purge(final_before=cutoff, unfinished_before=cutoff)
        only_final = uow.applications.due_for_purge(cutoff, stale_draft.created_at)
    assert set(due) == {stale_draft.id, cancelled.application.id}
    assert fresh.id not in due
    assert only_final == [cancelled.application.id]


def test_portraits_swapped_between_rows_fail(store, enrol) -> None:
    app = enrol()
    with store.uow() as uow:
        uow.applications.add_portrait(app.id, PortraitKind.LIVE, b"live face", store.clock.now())
        uow.commit()
    with store.engine.begin() as conn:
        rows = conn.execute(select(PortraitRow.id, PortraitRow.image)).all()
        (first_id, first), (second_id, second) = rows
        conn.execute(update(PortraitRow).where(PortraitRow.id == first_id).values(image=second))
        conn.execute(update(PortraitRow).where(PortraitRow.id == second_id).values(image=first))
    with store.uow(read_only=True) as uow, pytest.raises(DataIntegrityError):
        uow.applications.portraits(app.id)
