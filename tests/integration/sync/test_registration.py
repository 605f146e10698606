"""Registration with the real reference server: the pinned invitation, held packets, the CLI."""

import json
from collections.abc import Iterator

import pytest

from kiosk.cli import main
from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.sync.envelope import kiosk_key_id
from tests.integration.sync.helpers import assert_each_accepted_once, drain
from tests.support.sync_world import SyncWorld, write_config


@pytest.fixture(scope="module")
def unregistered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncWorld]:
    """A kiosk and a running server that do not know each other yet."""
    made = SyncWorld(tmp_path_factory.mktemp("registration"))
    try:
        made.start_server()
        yield made
    finally:
        made.close()


def test_registration_pins_the_server_and_sends_what_was_held(unregistered: SyncWorld) -> None:
    world = unregistered
    sync = world.kiosk.services.sync
    approved = world.approve(2)
    assert sync.status().held == 2
    ready = world.central.ready
    assert ready is not None
    invite = ready.invite
    assert invite is not None
    token = invite.split(".")[1]

    with pytest.raises(DomainError) as wrong_pin:
        sync.register(world.admin, ready.url, f"KI1.{token}.{'A' * 52}")
    assert wrong_pin.value.code is ErrorCode.SERVER_KEY_MISMATCH
    with pytest.raises(DomainError) as unknown:
        sync.register(world.admin, ready.url, f"KI1.{'B' * 32}.{ready.pin}")
    assert unknown.value.code is ErrorCode.INVITE_INVALID
    with pytest.raises(DomainError) as malformed:
        sync.register(world.admin, ready.url, "not a code")
    assert malformed.value.code is ErrorCode.INVITE_INVALID

    done = sync.register(world.admin, ready.url, invite)
    assert done.kiosk_id == kiosk_key_id(world.kiosk.context.signing_public_key)
    assert done.counter == 1
    drain(world, approved)
    assert_each_accepted_once(world, approved)

    with pytest.raises(DomainError) as again:
        sync.register(world.admin, ready.url, world.central.invite("DEMO", 3))
    assert again.value.code is ErrorCode.SERVER_REFUSED


def test_sync_status_on_the_command_line(
    unregistered: SyncWorld, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIOSK_DEMO", "1")
    config = write_config(unregistered.folder, unregistered.settings)
    assert main(["--config", str(config), "sync", "status", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert set(shown) >= {"pending", "oldest_age_seconds", "last_error_code", "online"}
    assert shown["online"] is shown["registered"]
