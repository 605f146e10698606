"""The kiosk's side of sync with no server: outbox at approval, clock check, retention, controls."""

import sqlite3
from collections.abc import Iterator
from datetime import timedelta

import pytest

from kiosk.devices.sim import citizens
from kiosk.domain.application import ApplicationState, DeliveryState, ServerVerdict
from kiosk.domain.biometrics import FaceOutcome
from kiosk.domain.chip import ChipVerdict
from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.domain.ids import ApplicationId
from kiosk.domain.users import PermissionDenied
from kiosk.services.consent import consent_record
from kiosk.store.errors import NotFoundError
from kiosk.store.repositories.outbox import Verdict
from tests.integration.sync.helpers import lines
from tests.support.sync_world import DEMO_PHONE, SyncWorld


@pytest.fixture(scope="module")
def kiosk_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncWorld]:
    """A kiosk that never registered (its packets are held)."""
    made = SyncWorld(tmp_path_factory.mktemp("kiosk-only"))
    yield made
    made.close()


def _set_clock_offset(world: SyncWorld, offset: timedelta) -> None:
    offset_ms = int(offset / timedelta(milliseconds=1))
    with world.kiosk.context.write() as uow:
        uow.sync_state.record_contact(world.kiosk.context.clock.now(), offset_ms)
        uow.commit()


def _captured(world: SyncWorld) -> ApplicationId:
    """A captured application whose chip step kept no raw read."""
    enrolment = world.kiosk.services.enrolment
    citizen = citizens.list_citizens()[0].citizen
    app = enrolment.open(world.officer)
    enrolment.record_chip(world.officer, app.id, citizen, ChipVerdict.UNVERIFIABLE)
    enrolment.record_contact(world.officer, app.id, DEMO_PHONE, None)
    enrolment.record_face(world.officer, app.id, FaceOutcome.PASSED)
    enrolment.capture(world.officer, app.id)
    return app.id


def test_submission_is_refused_when_the_clock_is_five_minutes_off(kiosk_only: SyncWorld) -> None:
    app_id = _captured(kiosk_only)
    consent = consent_record(kiosk_only.officer, kiosk_only.kiosk.context.clock.now())
    _set_clock_offset(kiosk_only, timedelta(minutes=6))
    try:
        assert kiosk_only.kiosk.services.sync.clock_offset() == timedelta(minutes=6)
        with pytest.raises(DomainError) as refused:
            kiosk_only.kiosk.services.enrolment.submit(kiosk_only.officer, app_id, consent)
        assert refused.value.code is ErrorCode.CLOCK_SKEW
        _set_clock_offset(kiosk_only, timedelta(minutes=-4))
        submitted = kiosk_only.kiosk.services.enrolment.submit(kiosk_only.officer, app_id, consent)
        assert submitted.state is ApplicationState.SUBMITTED
    finally:
        _set_clock_offset(kiosk_only, timedelta(0))


def test_approval_writes_the_packet_in_the_same_unit_of_work(kiosk_only: SyncWorld) -> None:
    approved = kiosk_only.approve(1)
    line = lines(kiosk_only, approved)[approved[0]]
    assert line.state is DeliveryState.PENDING
    assert line.held
    assert line.size > 10_000
    status = kiosk_only.kiosk.services.sync.status()
    assert not status.registered
    assert status.held >= 1


def test_an_approval_without_the_chip_read_shows_a_failed_packet(kiosk_only: SyncWorld) -> None:
    app_id = _captured(kiosk_only)
    consent = consent_record(kiosk_only.officer, kiosk_only.kiosk.context.clock.now())
    kiosk_only.kiosk.services.enrolment.submit(kiosk_only.officer, app_id, consent)
    kiosk_only.kiosk.services.review.approve(kiosk_only.supervisor, app_id)
    line = lines(kiosk_only, [app_id])[app_id]
    assert line.state is DeliveryState.FAILED
    assert line.error_code == "packet_incomplete"
    assert line.problem is not None
    assert line.problem.code is ErrorCode.VALIDATION_FAILED


def test_the_outbox_and_its_controls_are_the_supervisors(kiosk_only: SyncWorld) -> None:
    sync = kiosk_only.kiosk.services.sync
    with pytest.raises(PermissionDenied):
        sync.outbox(kiosk_only.officer)
    sync.pause(kiosk_only.supervisor)
    assert sync.status().paused
    sync.resume(kiosk_only.supervisor)
    assert not sync.status().paused
    with kiosk_only.kiosk.context.read() as uow:
        actions = [entry.fields.action for entry in uow.audit.entries()]
    assert "sync_pause" in actions
    assert "sync_resume" in actions


def test_retention_shreds_settled_applications_with_their_packets(kiosk_only: SyncWorld) -> None:
    approved = kiosk_only.approve(2)
    settled, waiting = approved
    line = lines(kiosk_only, [settled])[settled]
    clock = kiosk_only.kiosk.context.clock
    old = clock.now() - timedelta(days=2)
    with kiosk_only.kiosk.context.write() as uow:
        uow.outbox.apply_verdicts([Verdict(line.packet_id, ServerVerdict.ACCEPTED, None, old)])
        uow.commit()
    purged = kiosk_only.kiosk.services.maintenance.purge_due()
    assert purged >= 1
    with kiosk_only.kiosk.context.read() as uow:
        with pytest.raises(NotFoundError):
            uow.applications.get(settled)
        assert uow.applications.get(waiting).state is ApplicationState.APPROVED
        assert uow.outbox.acknowledgement(line.packet_id) is None
        actions = [(e.fields.action, e.fields.subject) for e in uow.audit.entries()]
    assert ("purge", str(settled)) in actions
    database = sqlite3.connect(kiosk_only.settings.data_dir / "kiosk.db")
    try:
        query = (
            "SELECT p.payload, o.held, o.acknowledgement, o.purged_at FROM outbox o"
            " LEFT JOIN outbox_payloads p ON p.outbox_id = o.id WHERE o.packet_id = ?"
        )
        payload, held, ack, purged_at = database.execute(query, (line.packet_id.bytes,)).fetchone()
        other = (
            "SELECT p.payload IS NOT NULL OR o.held IS NOT NULL FROM outbox o"
            " LEFT JOIN outbox_payloads p ON p.outbox_id = o.id WHERE o.application_id = ?"
        )
        (kept,) = database.execute(other, (waiting.bytes,)).fetchone()
    finally:
        database.close()
    assert (payload, held, ack) == (None, None, None)
    assert purged_at is not None
    assert kept  # the waiting application's packet is untouched
