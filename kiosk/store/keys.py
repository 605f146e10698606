"""The key hierarchy at rest: the unlocked ``KeyRing``, first-run set-up, unlocking and rotation.

Hierarchy:
- the **master key** lives only in ``KeyCustody`` (key file or DPAPI), never in the database;
- each application's **data key** is sealed under the master key, bound to the application's id;
- a **derivation secret**, sealed under the master key, is the HKDF root of the blind-index key
  and the audit MAC key. It survives a master-key rotation, so rotating never invalidates the
  audit chain's MACs or the ID-number index, and neither key is ever stored in the database;
- the station's **Ed25519 signing key** is sealed under the master key too;
- the **backup key** is derived from the master key itself, because a backup contains the
  database and so cannot hold the key that opens it.

A missing or wrong master key raises ``KeyUnavailableError`` before anything is decrypted: the
keyring row's check value is opened first. A new master key is never generated for a database
that already has a keyring row: that would orphan every data key.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kiosk.domain.clock import Clock
from kiosk.store import crypto
from kiosk.store.custody import KeyCustody
from kiosk.store.errors import DataIntegrityError, KeyUnavailableError
from kiosk.store.recovery import RecoveryPublicKey, wrap_for_recovery
from kiosk.store.rows.application import DataKeyRow
from kiosk.store.rows.keyring import KEYRING_ROW_ID, KeyringRow

MASTER = "master"
MASTER_NEXT = "master.next"
_CHECK = b"kiosk master key check"
_KEY_ID_SIZE = 16


def _ad(column: str) -> bytes:
    return crypto.associated_data(KeyringRow.__tablename__, column, KEYRING_ROW_ID)


@dataclass(frozen=True, slots=True)
class KeyRing:
    """The unlocked master key and the derivation secret; lives in memory only.

    Everything that needs a key asks the ring, so no other module ever sees the master key.
    """

    master: bytes = field(repr=False)
    derivation_secret: bytes = field(repr=False)

    @property
    def key_id(self) -> bytes:
        """A fingerprint of the master key, safe to store and show (it reveals nothing)."""
        return hmac.new(self.master, b"kiosk key id", hashlib.sha256).digest()[:_KEY_ID_SIZE]

    @property
    def audit_mac_key(self) -> bytes:
        """The key of the audit chain's MACs; derived here, never stored."""
        return crypto.derive_key(self.derivation_secret, "audit-mac")

    @property
    def backup_key(self) -> bytes:
        """The key that encrypts backups (see the module docstring for why it is master-based)."""
        return crypto.derive_key(self.master, "backup")

    def blind_index(self, value: str) -> bytes:
        """The search key of an already normalised value (for example a 12-digit ID number)."""
        return crypto.blind_index(crypto.derive_key(self.derivation_secret, "blind-index"), value)

    def wrap_data_key(self, application_id: uuid.UUID, data_key: bytes) -> bytes:
        """Seal an application's data key, bound to that application."""
        return crypto.seal(self.master, data_key, _data_key_ad(application_id))

    def unwrap_data_key(self, application_id: uuid.UUID, wrapped: bytes) -> bytes:
        """Open an application's data key.

        Raises:
            KeyUnavailableError: wrong master key, or a wrapped key moved from another application.
        """
        try:
            return crypto.unseal(self.master, wrapped, _data_key_ad(application_id))
        except DataIntegrityError as err:
            raise KeyUnavailableError("data key cannot be unwrapped", reason="unwrap") from err


def _data_key_ad(application_id: uuid.UUID) -> bytes:
    return crypto.associated_data(DataKeyRow.__tablename__, "wrapped", application_id)


@dataclass(frozen=True, slots=True)
class StationKeys:
    """What ``unlock`` hands to the composition root: the key ring and the signing key."""

    ring: KeyRing
    signing_key: Ed25519PrivateKey = field(repr=False)

    @property
    def signing_public_key(self) -> bytes:
        """The raw 32-byte Ed25519 public key, registered with the central server."""
        return self.signing_key.public_key().public_bytes_raw()


def unlock(
    sessions: sessionmaker[Session],
    custody: KeyCustody,
    clock: Clock,
    recovery_key: RecoveryPublicKey | None,
) -> StationKeys:
    """Open the station's keys, creating them (and the recovery copy) on first run.

    ``recovery_key`` is used only at first run; ``None`` leaves no recovery copy (demo only).

    Raises:
        KeyUnavailableError: the master key is missing, badly protected, or not this database's.
    """
    with sessions() as session, session.begin():
        row = session.get(KeyringRow, KEYRING_ROW_ID)
        if row is None:
            return _first_run(session, custody, clock, recovery_key)
        return _open_row(row, _load_matching_master(custody, row))


def rotate_master_key(
    sessions: sessionmaker[Session],
    custody: KeyCustody,
    keys: StationKeys,
    clock: Clock,
    recovery_key: RecoveryPublicKey | None,
) -> StationKeys:
    """Replace the master key, re-wrapping every data key and secret in one transaction.

    Crash-safe: the new key is kept as ``master.next`` before the transaction and promoted after
    it; ``unlock`` finishes a promotion interrupted by a crash, and discards a stale ``next``.
    The recovery copy is remade for the new key from ``recovery_key``; with ``None`` the new key
    has no recovery copy (the old copy would open nothing). The derivation secret is kept, so
    audit MACs and the ID-number index stay valid. Backups made before the rotation need the old
    master key (or its recovery copy): take a fresh backup right after rotating.
    """
    new_ring = KeyRing(crypto.new_key(), keys.ring.derivation_secret)
    custody.save(MASTER_NEXT, new_ring.master)
    with sessions() as session, session.begin():
        row = session.get_one(KeyringRow, KEYRING_ROW_ID)
        for data_key in session.scalars(select(DataKeyRow)):
            plain = keys.ring.unwrap_data_key(data_key.application_id, data_key.wrapped)
            data_key.wrapped = new_ring.wrap_data_key(data_key.application_id, plain)
        _write_secrets(row, new_ring, keys.signing_key, recovery_key)
        row.rotated_at = clock.now()
    custody.save(MASTER, new_ring.master)
    custody.remove(MASTER_NEXT)
    return StationKeys(new_ring, keys.signing_key)


def _first_run(
    session: Session, custody: KeyCustody, clock: Clock, recovery_key: RecoveryPublicKey | None
) -> StationKeys:
    # A master key already in custody is reused: a crash may have struck between saving it
    # and committing this row.
    if not custody.exists(MASTER):
        custody.save(MASTER, crypto.new_key())
    keys = StationKeys(
        KeyRing(custody.load(MASTER), crypto.new_key()), Ed25519PrivateKey.generate()
    )
    row = KeyringRow(id=KEYRING_ROW_ID, created_at=clock.now(), rotated_at=None)
    _write_secrets(row, keys.ring, keys.signing_key, recovery_key)
    session.add(row)
    return keys


def _write_secrets(
    row: KeyringRow,
    ring: KeyRing,
    signing_key: Ed25519PrivateKey,
    recovery_key: RecoveryPublicKey | None,
) -> None:
    row.master_key_id = ring.key_id
    row.key_check = crypto.seal(ring.master, _CHECK, _ad("key_check"))
    row.derivation_secret = crypto.seal(
        ring.master, ring.derivation_secret, _ad("derivation_secret")
    )
    private = signing_key.private_bytes_raw()
    row.signing_private_key = crypto.seal(ring.master, private, _ad("signing_private_key"))
    row.signing_public_key = signing_key.public_key().public_bytes_raw()
    row.recovery_copy = (
        None if recovery_key is None else wrap_for_recovery(ring.master, recovery_key)
    )


def _load_matching_master(custody: KeyCustody, row: KeyringRow) -> bytes:
    if custody.exists(MASTER):
        master = custody.load(MASTER)
        if _opens(master, row):
            custody.remove(MASTER_NEXT)
            return master
    if custody.exists(MASTER_NEXT):
        pending = custody.load(MASTER_NEXT)
        if _opens(pending, row):
            custody.save(MASTER, pending)
            custody.remove(MASTER_NEXT)
            return pending
    if not custody.exists(MASTER):
        raise KeyUnavailableError("master key missing", reason="missing")
    raise KeyUnavailableError("master key does not open this database", reason="wrong_key")


def _opens(master: bytes, row: KeyringRow) -> bool:
    try:
        crypto.unseal(master, row.key_check, _ad("key_check"))
    except DataIntegrityError:
        return False
    return True


def _open_row(row: KeyringRow, master: bytes) -> StationKeys:
    try:
        secret = crypto.unseal(master, row.derivation_secret, _ad("derivation_secret"))
        private = crypto.unseal(master, row.signing_private_key, _ad("signing_private_key"))
    except DataIntegrityError as err:
        raise KeyUnavailableError("keyring row damaged", reason="keyring") from err
    return StationKeys(KeyRing(master, secret), Ed25519PrivateKey.from_private_bytes(private))
