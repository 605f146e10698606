"""The reference server in process (FastAPI's TestClient), a test PKI it trusts, a registered kiosk.

The server's clock is a ``Clock`` the test can move, so replay windows and activation delays are
tested without sleeping.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from central.api import create_app
from central.service import Central, Settings
from kiosk.devices.sim import pki
from kiosk.sync import schema
from tests.support.kiosk_signer import TestKiosk
from tests.support.sync_packets import chip_of, citizen_part, demo_record, sample_packet


class Clock:
    """A settable UTC clock, starting now (signatures are made against real time)."""

    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@dataclass
class Server:
    """One server under test and what the tests need around it."""

    central: Central
    client: TestClient
    clock: Clock
    pki_folder: Path

    @property
    def info(self) -> dict[str, Any]:
        return self.central.server_info()

    def register(self, kiosk: TestKiosk, unit: str = "X01", counter: int = 2) -> dict[str, Any]:
        code = self.central.registry.invite(unit, counter)
        response = self.client.post(
            "/v1/kiosks/register",
            json={"code": code, "public_key": kiosk.public_jwk, "kiosk_version": "t", "name": "T"},
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    def signed(
        self, kiosk: TestKiosk, method: str, path: str, query: str = "", **options: Any
    ) -> Any:
        headers = kiosk.headers(method, path, query, at=self.clock.now, **options)
        url = f"{path}?{query}" if query else path
        return self.client.request(method, url, headers=headers)

    def send(self, kiosk: TestKiosk, body: bytes, packet_id: str, **options: Any) -> Any:
        headers = kiosk.headers(
            "POST",
            "/v1/packets",
            body=body,
            idempotency_key=packet_id,
            at=self.clock.now,
            **options,
        )
        headers["Content-Type"] = "application/jose"
        return self.client.post("/v1/packets", content=body, headers=headers)

    def packet(self, kiosk: TestKiosk, version: int = schema.CURRENT_VERSION) -> schema.Packet:
        """A packet of ``kiosk`` whose chip files the test PKI really signed."""
        record = demo_record()
        return sample_packet(
            version,
            kiosk_id=kiosk.kid,
            chip=chip_of(record, self.pki_folder),
            citizen=citizen_part(record),
        )


@pytest.fixture(scope="session")
def pki_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pki")
    pki.load_or_create(folder)
    return folder


def make_server(
    data: Path,
    pki_folder: Path,
    *,
    demo: bool = True,
    trust: bool = True,
    delay: float | None = None,
    processes: int = 0,
) -> Server:
    clock = Clock()
    settings = Settings(
        data_dir=data,
        demo=demo,
        activation_delay=delay,
        trust_dir=pki.load_or_create(pki_folder).trust_dir if trust else None,
        worker_processes=processes,
    )
    central = Central(settings, clock=clock)
    return Server(central, TestClient(create_app(central)), clock, pki_folder)


@pytest.fixture
def server(tmp_path: Path, pki_folder: Path) -> Iterator[Server]:
    """A demo server trusting the test CSCA, activating at once."""
    made = make_server(tmp_path / "central", pki_folder)
    yield made
    made.central.close()


@pytest.fixture
def kiosk(server: Server) -> TestKiosk:
    """A kiosk registered with ``server``."""
    kiosk = TestKiosk()
    server.register(kiosk)
    return kiosk
