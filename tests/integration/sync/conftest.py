"""One kiosk and one real reference server per module (starting them is most of the cost).

Each test makes its own applications and checks only those; a test that changes the link
(another URL, a stopped server) puts it back, so tests keep their independence in any order.
"""

from collections.abc import Iterator

import pytest

from tests.support.fault_proxy import FaultProxy
from tests.support.sync_world import SyncWorld


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncWorld]:
    """A kiosk registered directly with a running reference server."""
    made = SyncWorld(tmp_path_factory.mktemp("sync"), timeout=2.0)
    try:
        made.start_server()
        made.register()
        yield made
    finally:
        made.close()


@pytest.fixture
def direct(world: SyncWorld) -> Iterator[SyncWorld]:
    """The world with the kiosk talking to the server directly, as it was left by nobody."""
    world.use_url(world.server_url)
    yield world
    world.use_url(world.server_url)
    world.kiosk.services.sync.resume(world.supervisor)


@pytest.fixture
def proxy(direct: SyncWorld) -> Iterator[FaultProxy]:
    """A fault-injecting proxy in front of the server; the kiosk talks through it."""
    data = direct.central.data_dir
    with FaultProxy(direct.server_url, data / "tls-cert.pem", data / "tls-key.pem") as made:
        direct.use_url(made.url)
        yield made
