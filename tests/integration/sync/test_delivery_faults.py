"""Delivery that loses nothing: the real reference server in its own process, faults on loopback.

After each fault, every approved application is accepted exactly once on the server (ids
compared with the server's own database) and nothing is lost on the kiosk.
"""

import json
import logging
import os
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from kiosk.domain.application import DeliveryState, ServerVerdict
from kiosk.domain.clock import SystemClock
from kiosk.domain.errors import ErrorCode
from kiosk.services.sync_control import SyncStatus
from kiosk.store.repositories.outbox import Verdict
from kiosk.sync import relay
from kiosk.sync.child import CentralChild, central_command
from kiosk.sync.client import Credentials, ServerClient
from kiosk.sync.envelope import PacketSealer
from kiosk.sync.relay import CRASH_ENV
from tests.conftest import LogFail
from tests.integration.sync.helpers import assert_each_accepted_once, drain, lines
from tests.support.fault_proxy import Fault, FaultProxy
from tests.support.sync_world import SyncWorld, write_config


def test_approved_applications_are_delivered_and_accepted_once(direct: SyncWorld) -> None:
    approved = direct.approve(3)
    reported: list[SyncStatus] = []
    direct.kiosk.services.sync.subscribe(reported.append)
    drain(direct, approved)
    assert_each_accepted_once(direct, approved)
    assert reported
    assert reported[-1].undelivered == 0
    status = direct.kiosk.services.sync.status()
    assert status.online is True
    assert status.clock_offset is not None
    assert not status.clock_skewed


def test_server_down_at_first(direct: SyncWorld) -> None:
    direct.central.stop()
    try:
        approved = direct.approve(2)
        status = direct.kiosk.services.sync.run_once()
        assert status.online is False
        assert status.last_error_code == "server_unreachable"
        found = lines(direct, approved)
        assert {line.state for line in found.values()} == {DeliveryState.PENDING}
        assert all(line.next_attempt_at is not None for line in found.values())
    finally:
        direct.start_server()
    drain(direct, approved)
    assert_each_accepted_once(direct, approved)


def test_500s_and_429s_are_retried(proxy: FaultProxy, direct: SyncWorld) -> None:
    proxy.plan(Fault("status", 2, status=500, code="server_error"))
    proxy.plan(Fault("status", 2, status=429, code="rate_limited", retry_after=1))
    approved = direct.approve(2)
    drain(direct, approved)
    assert proxy.seen["status"] == 4
    assert_each_accepted_once(direct, approved)
    assert all(line.attempts >= 1 for line in lines(direct, approved).values())


def test_answers_slower_than_the_timeout(proxy: FaultProxy, direct: SyncWorld) -> None:
    # The server takes each packet, but its answer comes after the kiosk gave up: the resend
    # must get the original acknowledgement, not a second application.
    proxy.plan(Fault("slow", 2, seconds=3.0))
    approved = direct.approve(2)
    first = direct.kiosk.services.sync.run_once()
    assert first.last_error_code == "server_unreachable"
    drain(direct, approved)
    assert proxy.seen["slow"] == 2
    assert_each_accepted_once(direct, approved)


def test_connection_reset_mid_upload(proxy: FaultProxy, direct: SyncWorld) -> None:
    proxy.plan(Fault("reset", 3))
    approved = direct.approve(2)
    drain(direct, approved)
    assert proxy.seen["reset"] == 3
    assert_each_accepted_once(direct, approved)


def test_server_restarted_mid_backlog(direct: SyncWorld) -> None:
    approved = direct.approve(6)
    killed: list[int] = []

    def kill_after_two() -> None:
        while not killed:
            done = [line for line in lines(direct, approved).values() if line.delivered_at]
            if len(done) >= 2:
                direct.central.kill()
                killed.append(len(done))
            time.sleep(0.01)

    killer = threading.Thread(target=kill_after_two)
    killer.start()
    try:
        direct.kiosk.services.sync.run_once()
    finally:
        killed.append(0)
        killer.join()
    undelivered = [line for line in lines(direct, approved).values() if not line.delivered_at]
    assert undelivered, "the server was not killed mid-backlog"
    # The rest of the claimed batch went back to pending with the round, not left sending.
    assert DeliveryState.SENDING not in {line.state for line in undelivered}
    direct.start_server()
    drain(direct, approved)
    assert_each_accepted_once(direct, approved)


def test_the_same_packet_twice_gets_the_same_acknowledgement(direct: SyncWorld) -> None:
    approved = direct.approve(1)
    drain(direct, approved)
    with direct.kiosk.context.read() as uow:
        entry = uow.outbox.for_application(approved[0])
        assert entry is not None
        first_ack = uow.outbox.acknowledgement(entry.packet_id)
        state = uow.sync_state.get()
    payload = _stored_payload(direct, entry.row_id)
    sealer = PacketSealer(direct.kiosk.keys.signing_key)
    client = _client(direct, state.tls_pins, sealer)
    try:
        again = client.send_packet(str(entry.packet_id), payload)
    finally:
        client.close()
    assert again.status == 200
    assert again.body == first_ack
    assert_each_accepted_once(direct, approved)


def test_401_for_a_while_pauses_and_marks_nothing_failed(
    proxy: FaultProxy, direct: SyncWorld, logfail: LogFail
) -> None:
    logfail.allow("kiosk.sync.relay", "sync halted: kiosk_unknown")
    proxy.plan(Fault("status", 3, prefix="/v1/", status=401, code="kiosk_unknown"))
    approved = direct.approve(2)
    sync = direct.kiosk.services.sync
    status = sync.run_once()
    assert status.halted
    assert status.last_error_code == "kiosk_unknown"
    found = lines(direct, approved)
    assert {line.state for line in found.values()} == {DeliveryState.PENDING}
    assert all(line.attempts == 0 for line in found.values())
    # Halted: a plain round sends nothing until the pause is over or an operator retries.
    sync.run_once()
    assert proxy.seen["status"] == 1
    drain(direct, approved)
    assert proxy.seen["status"] == 3
    assert_each_accepted_once(direct, approved)
    assert not sync.status().halted


def test_relay_killed_after_the_answer_before_recording_it(direct: SyncWorld) -> None:
    approved = direct.approve(1)
    config = write_config(direct.folder, direct.settings)
    command = [sys.executable, "-m", "kiosk", "--config", str(config), "sync", "run", "--json"]
    environment = {**os.environ, "KIOSK_DEMO": "1", CRASH_ENV: "after_response"}
    crashed = subprocess.run(command, env=environment, capture_output=True, timeout=120)
    assert crashed.returncode == -9, crashed.stderr.decode()[-2000:]
    # The server has the packet; the kiosk never recorded the answer.
    assert direct.server_packets(approved) == {str(approved[0]): 1}
    assert lines(direct, approved)[approved[0]].state is DeliveryState.SENDING
    environment.pop(CRASH_ENV)
    again = subprocess.run(command, env=environment, capture_output=True, timeout=120)
    assert again.returncode == 0, again.stderr.decode()[-2000:]
    drain(direct, approved)
    assert_each_accepted_once(direct, approved)


def test_an_acknowledgement_with_a_bad_signature_is_refused(
    proxy: FaultProxy, direct: SyncWorld, logfail: LogFail
) -> None:
    logfail.allow("kiosk.sync.relay", "acknowledgement refused")
    proxy.plan(Fault("tamper", 1))
    approved = direct.approve(1)
    direct.kiosk.services.sync.run_once()
    line = lines(direct, approved)[approved[0]]
    assert line.state is DeliveryState.PENDING
    assert line.error_code == "signature_invalid"
    assert line.flagged
    drain(direct, approved)
    assert_each_accepted_once(direct, approved)


def test_a_server_with_another_key_is_refused(
    direct: SyncWorld, tmp_path: Path, logfail: LogFail
) -> None:
    logfail.allow("kiosk.sync.relay", "sync halted: server_key_mismatch")
    impostor = CentralChild(tmp_path / "impostor", direct.pki.trust_dir)
    impostor.start()
    try:
        assert impostor.ready is not None
        direct.use_url(impostor.ready.url)
        approved = direct.approve(1)
        status = direct.kiosk.services.sync.run_once()
        assert status.halted
        assert status.last_error_code == "server_key_mismatch"
        assert lines(direct, approved)[approved[0]].state is DeliveryState.PENDING
        assert _count(impostor.data_dir / "central.db") == 0
    finally:
        impostor.stop()
    direct.use_url(direct.server_url)
    drain(direct, approved)
    assert_each_accepted_once(direct, approved)


def _count(database: Path) -> int:
    connection = sqlite3.connect(database)
    try:
        return int(connection.execute("SELECT COUNT(*) FROM packets").fetchone()[0])
    finally:
        connection.close()


def _stored_payload(world: SyncWorld, row_id: int) -> bytes:
    connection = sqlite3.connect(world.settings.data_dir / "kiosk.db")
    try:
        query = "SELECT payload FROM outbox_payloads WHERE outbox_id = ?"
        row = connection.execute(query, (row_id,)).fetchone()
    finally:
        connection.close()
    assert row is not None
    assert row[0] is not None
    return bytes(row[0])


def _client(world: SyncWorld, pins: tuple[str, ...], sealer: PacketSealer) -> ServerClient:
    return ServerClient(
        world.server_url, pins, SystemClock(), credentials=Credentials(sealer.key_id, sealer.sign)
    )


def test_a_refused_packet_fails_for_good_and_a_conflict_raises_the_alarm(
    proxy: FaultProxy, direct: SyncWorld, logfail: LogFail
) -> None:
    logfail.allow("kiosk.sync.relay", "refused by the server for good|DEFECT")
    proxy.plan(Fault("status", 1, status=422, code="schema_invalid"))
    proxy.plan(Fault("status", 1, status=409, code="packet_conflict"))
    approved = direct.approve(2)
    sync = direct.kiosk.services.sync
    status = sync.run_once()
    refused, conflicting = (lines(direct, approved)[app_id] for app_id in approved)
    assert refused.state is DeliveryState.FAILED
    assert refused.error_code == "schema_invalid"
    assert refused.problem is not None
    assert refused.problem.code is ErrorCode.SERVER_REFUSED
    assert conflicting.state is DeliveryState.FAILED
    assert conflicting.conflict
    assert conflicting.problem is not None
    assert conflicting.problem.code is ErrorCode.SERVER_CONFLICT
    assert status.failed >= 2
    assert status.conflicts >= 1
    # Nothing is dropped: once the cause is fixed, a supervisor sends them again.
    for line in (refused, conflicting):
        sync.resend(direct.supervisor, line.packet_id)
    drain(direct, approved)
    assert_each_accepted_once(direct, approved)


def test_configuration_bundles_are_verified_and_never_go_back(
    proxy: FaultProxy, direct: SyncWorld, tmp_path: Path, logfail: LogFail
) -> None:
    logfail.allow("kiosk.sync.relay", "configuration bundle refused")
    with direct.kiosk.context.read() as uow:
        before = uow.sync_state.get().config_version
    document = tmp_path / "bundle.json"
    document.write_text(json.dumps({"thresholds": {"face_distance": 0.45}}), encoding="utf-8")
    publish = [*central_command(), "config", "publish", str(document)]
    publish += ["--data", str(direct.central.data_dir)]
    subprocess.run(publish, check=True, capture_output=True, timeout=120)
    proxy.plan(Fault("tamper", 1, prefix="/v1/config"))
    status = direct.kiosk.services.sync.run_once()
    assert status.last_error_code == "signature_invalid"
    with direct.kiosk.context.read() as uow:
        assert uow.sync_state.get().config_version == before
    direct.kiosk.services.sync.run_once()
    with direct.kiosk.context.read() as uow:
        assert uow.sync_state.get().config_version == before + 1
        pins = uow.sync_state.get().tls_pins
    assert len(pins) == 2


def test_a_backlog_goes_out_several_requests_at_a_time(
    direct: SyncWorld, caplog: pytest.LogCaptureFixture
) -> None:
    # One request opens the round; once it is answered, the relay's senders share the rest.
    caplog.set_level(logging.INFO, logger="kiosk.sync.client")
    approved = direct.approve(6)
    drain(direct, approved)
    senders = {
        record.threadName
        for record in caplog.records
        if record.getMessage().startswith("POST /v1/packets -> 201")
    }
    assert len(senders) > 1
    assert_each_accepted_once(direct, approved)


def test_verdicts_are_pulled_while_a_backlog_is_delivered(
    direct: SyncWorld, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(relay, "VERDICTS_EVERY", 2)
    caplog.set_level(logging.INFO, logger="kiosk.sync.client")
    approved = direct.approve(6)
    direct.kiosk.services.sync.run_once()
    pulls = [r for r in caplog.records if r.getMessage().startswith("GET /v1/verdicts -> 200")]
    # One page after the delivery, and at least one beside it (one page holds all of these).
    assert len(pulls) >= 2
    drain(direct, approved)
    assert_each_accepted_once(direct, approved)


def test_retention_shreds_a_delivered_packet_and_keeps_the_others(direct: SyncWorld) -> None:
    approved = direct.approve(2)
    drain(direct, approved)
    old = direct.kiosk.context.clock.now() - timedelta(days=2)
    with direct.kiosk.context.write() as uow:
        settled, kept = (uow.outbox.for_application(app) for app in approved)
        assert settled is not None
        assert kept is not None
        uow.outbox.apply_verdicts([Verdict(settled.packet_id, ServerVerdict.ACTIVATED, None, old)])
        uow.commit()
    assert _stored_payload(direct, settled.row_id)
    assert direct.kiosk.services.maintenance.purge_due() >= 1
    database = sqlite3.connect(direct.settings.data_dir / "kiosk.db")
    try:
        payloads = dict(database.execute("SELECT outbox_id, payload FROM outbox_payloads"))
        ack = database.execute(
            "SELECT acknowledgement FROM outbox WHERE id = ?", (settled.row_id,)
        ).fetchone()[0]
    finally:
        database.close()
    assert settled.row_id not in payloads
    assert ack is None
    assert payloads[kept.row_id] == _stored_payload(direct, kept.row_id)
