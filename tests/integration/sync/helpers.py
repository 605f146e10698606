"""Driving the relay in the test's thread until a backlog is settled, and the checks."""

from collections.abc import Collection

from kiosk.domain.application import DeliveryState, ServerVerdict
from kiosk.domain.ids import ApplicationId
from kiosk.services.sync_control import OutboxLine
from tests.support.sync_world import SyncWorld

SETTLED = {ServerVerdict.ACCEPTED, ServerVerdict.ACTIVATED}


def lines(world: SyncWorld, among: Collection[ApplicationId]) -> dict[ApplicationId, OutboxLine]:
    found = world.kiosk.services.sync.outbox(world.supervisor, limit=10_000)
    return {line.application_id: line for line in found if line.application_id in among}


def drain(world: SyncWorld, among: Collection[ApplicationId], rounds: int = 40) -> None:
    """Retry now and run rounds until these packets are delivered and settled (or give up)."""
    sync = world.kiosk.services.sync
    for _ in range(rounds):
        sync.retry_now(world.supervisor)
        sync.run_once()
        if all(line.server_verdict in SETTLED for line in lines(world, among).values()):
            return


def assert_each_accepted_once(world: SyncWorld, approved: list[ApplicationId]) -> None:
    """Each approved application: delivered and settled on the kiosk, once on the server."""
    found = lines(world, approved)
    assert set(found) == set(approved), "an approved application has no packet"
    for app_id in approved:
        assert found[app_id].state is DeliveryState.DELIVERED
        assert found[app_id].server_verdict in SETTLED
    on_server = world.server_packets(approved)
    assert set(on_server) == {str(app_id) for app_id in approved}
    assert set(on_server.values()) == {1}
    assert set(world.server_decisions(approved).values()) <= {"accepted", "activated"}
