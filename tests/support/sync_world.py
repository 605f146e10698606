"""A demo kiosk and the real reference server in its own process, for the sync tests.

``SyncWorld`` builds a kiosk in a temporary folder (demo mode: simulated chip, test PKI),
starts ``central serve`` as a child process trusting that PKI's CSCA, and makes approved
applications through the real services with a real chip read as evidence. ``server_packets``
reads the server's own database, so a test compares application ids on both sides.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections import Counter
from collections.abc import Collection
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk import app
from kiosk.config import PathSettings, ServerSettings, Settings
from kiosk.demo_accounts import ADMIN, OFFICER, SUPERVISOR, ensure_demo_accounts
from kiosk.devices.sim import citizens
from kiosk.devices.sim.pki import load_or_create
from kiosk.domain.biometrics import FaceOutcome
from kiosk.domain.ids import ApplicationId
from kiosk.domain.users import User
from kiosk.services.chip_evidence import chip_evidence
from kiosk.services.chip_reading import AccessInput
from kiosk.services.consent import consent_record
from kiosk.sync.child import CentralChild

DEMO_PHONE = "0912345678"


def kiosk_settings(folder: Path, timeout: float = 5.0) -> Settings:
    """Demo settings with every folder under ``folder``."""
    return dataclasses.replace(
        Settings(demo=True),
        paths=PathSettings(
            data_dir=str(folder / "kiosk"),
            log_dir=str(folder / "kiosk" / "logs"),
            sim_dir=str(folder / "sim"),
        ),
        server=ServerSettings(timeout_seconds=timeout),
    )


def write_config(folder: Path, settings: Settings) -> Path:
    """A settings file for a ``kiosk`` subprocess on the same folders."""
    path = folder / "kiosk.toml"
    paths = settings.paths
    path.write_text(
        "[paths]\n"
        f'data_dir = "{paths.data_dir}"\nlog_dir = "{paths.log_dir}"\nsim_dir = "{paths.sim_dir}"\n'
        f"[server]\ntimeout_seconds = {settings.server.timeout_seconds}\n",
        encoding="utf-8",
    )
    return path


class SyncWorld:
    """One kiosk, its server, and helpers to make approved applications."""

    def __init__(self, folder: Path, timeout: float = 5.0) -> None:
        self.folder = folder
        self.settings = kiosk_settings(folder, timeout)
        self.kiosk = app.build(self.settings)
        ensure_demo_accounts(self.kiosk)
        session = self.kiosk.services.session
        self.officer: User = session.assume_demo_user(OFFICER)
        self.supervisor: User = session.assume_demo_user(SUPERVISOR)
        self.admin: User = session.assume_demo_user(ADMIN)
        self.pki = load_or_create(self.settings.sim_dir / "pki")
        self.central = CentralChild(folder / "central", self.pki.trust_dir)
        self._chip: Any = None

    def start_server(self) -> str:
        """Start the server (on the port it had, after a restart); returns its URL."""
        return self.central.start().url

    @property
    def server_url(self) -> str:
        """The server's own address."""
        ready = self.central.ready
        assert ready is not None
        return ready.url

    def use_url(self, url: str) -> None:
        """Point the registered kiosk at ``url`` (a proxy, or the server again)."""
        with self.kiosk.context.write() as uow:
            uow.sync_state.set_server_url(url)
            uow.commit()

    def register(self, url: str | None = None) -> None:
        """Register the kiosk with the server (through ``url``, a proxy, if given)."""
        ready = self.central.ready
        assert ready is not None
        code = ready.invite or self.central.invite("DEMO", 1)
        self.kiosk.services.sync.register(self.admin, url or ready.url, code)

    def approve(self, count: int) -> list[ApplicationId]:
        """``count`` applications approved through the services, each with its packet."""
        return [self._approve_one() for _ in range(count)]

    def _approve_one(self) -> ApplicationId:
        enrolment = self.kiosk.services.enrolment
        outcome = self._read_chip()
        application = enrolment.open(self.officer)
        evidence = chip_evidence(outcome.read)
        enrolment.record_chip(
            self.officer, application.id, outcome.citizen, outcome.verdict, evidence
        )
        enrolment.record_face(self.officer, application.id, FaceOutcome.PASSED)
        enrolment.record_contact(self.officer, application.id, DEMO_PHONE, None)
        enrolment.capture(self.officer, application.id)
        enrolment.submit(self.officer, application.id, consent_record(self.officer, _now()))
        self.kiosk.services.review.approve(self.supervisor, application.id)
        return application.id

    def _read_chip(self) -> Any:
        if self._chip is None:
            record = citizens.list_citizens()[0]
            given = AccessInput(
                id_number=record.citizen.id_number,
                date_of_birth=record.citizen.date_of_birth,
                date_of_expiry=record.citizen.date_of_expiry,
            )
            reader = app.simulated_card_reader(self.settings)
            self._chip = app.chip_reading(self.settings).read(reader, given)
        return self._chip

    def server_packets(self, among: Collection[ApplicationId]) -> Counter[str]:
        """Application id → how many packets the server holds for it (of ``among``)."""
        wanted = {str(app_id) for app_id in among}
        rows = self._query("SELECT application_id FROM packets")
        return Counter(row[0] for row in rows if row[0] in wanted)

    def server_decisions(self, among: Collection[ApplicationId]) -> dict[str, str]:
        """Application id → the server's decision (of ``among``)."""
        wanted = {str(app_id) for app_id in among}
        rows = self._query("SELECT application_id, decision FROM packets")
        return {app_id: decision for app_id, decision in rows if app_id in wanted}

    def _query(self, sql: str) -> list[tuple[Any, ...]]:
        database = sqlite3.connect(self.central.data_dir / "central.db")
        try:
            return list(database.execute(sql))
        finally:
            database.close()

    def close(self) -> None:
        """Stop the server and the kiosk's connections."""
        self.central.stop()
        self.kiosk.relay.stop(5.0)
        self.kiosk.operations.engine.dispose()


def _now() -> datetime:
    return datetime.now(UTC)
