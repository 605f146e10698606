"""The server assembled: settings, database, keys, trust store, and the parts that use them.

``Central`` is what both the HTTP layer (``central.api``) and the command line use, so
``central kiosk invite`` on the same data folder and database works beside a running server.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.x509.oid import NameOID

from central import jose
from central.bundles import Bundles
from central.db import create_server_engine, session_factory
from central.decision import Judge
from central.intake import Intake, IntakeSettings
from central.keys import load_or_create
from central.migrations import migrate
from central.opening import Opener, Rules
from central.registry import Registry
from central.workers import Workers
from kiosk.emrtd import TrustStore

_log = logging.getLogger(__name__)

TEST_ORGANIZATION = "KIOSK TEST PKI"
"""The organisation every certificate of the kiosk's test PKI names (kiosk/devices/sim/pki.py);
the server cannot import that module, so the name is repeated here."""


class TestAnchorOutsideDemo(ValueError):
    """A CSCA of the test PKI in the trust store of a server not in demo mode."""

    __test__ = False  # not a pytest test class, despite its name


@dataclass(frozen=True, slots=True)
class Settings:
    """How the server runs (``central serve`` options).

    Attributes:
        data_dir: keys, the self-signed certificate and the default SQLite database.
        db_url: the database; None is ``sqlite:///<data_dir>/central.db``.
        demo: accept DEMO packets (and the test CSCA); activation at once unless a delay is set.
        activation_delay: seconds from ``accepted`` to ``activated``; None is 0 in demo, else 60.
        trust_dir: the CSCA folder Passive Authentication trusts; None trusts nothing.
        tls_cert: a certificate to serve instead of the self-signed one (with ``tls_key``).
        tls_key: its key.
        worker_processes: processes that open and decide packets (``central.workers``; 0: the
            request threads open them and the decision thread decides them).
    """

    data_dir: Path
    db_url: str | None = None
    demo: bool = False
    activation_delay: float | None = None
    trust_dir: Path | None = None
    tls_cert: Path | None = None
    tls_key: Path | None = None
    worker_processes: int = 0

    @property
    def database(self) -> str:
        """The database URL in use."""
        return self.db_url or f"sqlite:///{self.data_dir / 'central.db'}"

    @property
    def delay(self) -> dt.timedelta:
        """The activation delay in use."""
        default = 0.0 if self.demo else 60.0
        seconds = default if self.activation_delay is None else self.activation_delay
        return dt.timedelta(seconds=seconds)


def utc_now() -> dt.datetime:
    """The server's clock."""
    return dt.datetime.now(dt.UTC)


class Central:
    """One server: its registry of kiosks, its packet intake and its configuration bundles."""

    def __init__(self, settings: Settings, clock: Callable[[], dt.datetime] = utc_now) -> None:
        """Open (and migrate) the database and load or make the keys.

        Raises:
            TestAnchorOutsideDemo: ``trust_dir`` holds a test CSCA and ``demo`` is off.
            kiosk.emrtd.MalformedData: a file of ``trust_dir`` is not a usable certificate.
        """
        self.settings = settings
        self.keys = load_or_create(settings.data_dir, settings.tls_cert, settings.tls_key)
        self.engine = create_server_engine(settings.database)
        version = migrate(self.engine)
        sessions = session_factory(self.engine)
        trust = TrustStore.load(settings.trust_dir) if settings.trust_dir else TrustStore()
        if not settings.demo and any(_is_test_anchor(c) for c in trust.certificates):
            raise TestAnchorOutsideDemo("the trust store holds a test CSCA; run with --demo")
        self.signing_key = jose.public_jwk(self.keys.signing)
        self.encryption_key = jose.public_jwk(self.keys.encryption.public_key())
        self.signing_kid = jose.thumbprint(self.signing_key)
        self.encryption_kid = jose.thumbprint(self.encryption_key)
        self.clock = clock
        reads = session_factory(self.engine, reads=True)
        self.registry = Registry(sessions, reads, self.keys.tls_pins[0], clock)
        self._workers = (
            Workers(settings.worker_processes, settings.trust_dir, self.keys.encryption)
            if settings.worker_processes > 0
            else None
        )
        rules = Rules(self.encryption_kid, settings.demo)
        intake_settings = IntakeSettings(
            keys=self.keys,
            signing_kid=self.signing_kid,
            opener=Opener(self.keys.encryption, rules, self._workers),
            judge=Judge(trust, self._workers),
            activation_delay=settings.delay,
        )
        self.intake = Intake(sessions, reads, intake_settings, clock)
        self.bundles = Bundles(sessions, self.keys, self.signing_kid, clock)
        _log.info(
            "central server: schema %d, %d CSCA, demo %s, activation delay %.0f s",
            version,
            len(trust.certificates),
            settings.demo,
            settings.delay.total_seconds(),
        )

    def server_info(self) -> dict[str, Any]:
        """The body of ``GET /v1/server``."""
        return {
            "server_id": self.signing_kid,
            "signing_key": {**self.signing_key, "kid": self.signing_kid},
            "encryption_key": {**self.encryption_key, "kid": self.encryption_kid},
            "tls_pins": list(self.keys.tls_pins),
            "time": self.clock().isoformat(),
        }

    def close(self) -> None:
        """Stop the decision thread (if it runs), the worker processes, the database connections."""
        self.intake.stop()
        if self._workers is not None:
            self._workers.close()
        self.engine.dispose()


def _is_test_anchor(certificate: x509.Certificate) -> bool:
    names = certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    return any(name.value == TEST_ORGANIZATION for name in names)
