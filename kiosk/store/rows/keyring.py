"""The station's key record: a single row proving which master key opens this database.

It holds the master key's check value and fingerprint, the derivation secret and the signing
key sealed under the master key, the signing public key, and the recovery copy. Keeping them in
the database (rather than beside the key file) puts them in every backup and lets a rotation
re-wrap them in the same transaction as the data keys.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.store.base import Base

KEYRING_ROW_ID = 1


class KeyringRow(Base):
    """The one row of ``keyring`` (its id is always 1)."""

    __tablename__ = "keyring"
    __table_args__ = (CheckConstraint(f"id = {KEYRING_ROW_ID}", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    master_key_id: Mapped[bytes]
    key_check: Mapped[bytes]
    derivation_secret: Mapped[bytes]
    signing_private_key: Mapped[bytes]
    signing_public_key: Mapped[bytes]
    recovery_copy: Mapped[bytes | None]
    created_at: Mapped[datetime]
    rotated_at: Mapped[datetime | None]
