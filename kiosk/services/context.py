"""What every service receives from the composition root: units of work, clock, station, policy."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from kiosk.domain.clock import Clock
from kiosk.domain.users import Station
from kiosk.store.uow import UnitOfWork

UnitFactory = Callable[[bool], UnitOfWork]
"""Opens a unit of work; the argument says whether it is read-only."""

Signer = Callable[[bytes], bytes]
"""Signs bytes with the station's signing key (Ed25519); the key itself never leaves the store."""


@dataclass(frozen=True, slots=True)
class AccountPolicy:
    """Lock-out rules from the machine settings."""

    lockout_attempts: int = 5
    lockout_duration: timedelta = timedelta(minutes=15)
    min_password_length: int = 10


@dataclass(frozen=True, slots=True)
class ServiceContext:
    """Shared by all services of one kiosk process.

    Attributes:
        demo: everything created is marked DEMO (design.md, demo material never reaches production).
        signer: signs exports and receipts with the station key.
        signing_public_key: the raw public key, for verifiers.
    """

    open_unit: UnitFactory
    clock: Clock
    station: Station
    demo: bool
    policy: AccountPolicy
    signer: Signer
    signing_public_key: bytes

    def write(self) -> UnitOfWork:
        """A unit of work that may change data (BEGIN IMMEDIATE)."""
        return self.open_unit(False)

    def read(self) -> UnitOfWork:
        """A read-only unit of work (never waits for the writer)."""
        return self.open_unit(True)
