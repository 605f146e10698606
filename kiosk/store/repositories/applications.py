"""``ApplicationRepository``: applications and their portraits, sealed field by field.

Encryption is explicit here rather than hidden in column types, because each application has
its own data key and the associated data is ``table|column|row id``: a value copied to another
row or column fails to open (``DataIntegrityError``) instead of showing another citizen's data.
The ID number is searchable only through its blind index. ``purge`` shreds an application by
deleting its data key, its portraits and its sealed columns (``secure_delete`` zeroes the pages);
the caller then runs ``kiosk.store.engine.checkpoint`` so the ``-wal`` file forgets them too.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from kiosk.domain.application import Application, ApplicationState
from kiosk.domain.ids import ApplicationId, UserId
from kiosk.store import crypto
from kiosk.store.errors import NotFoundError
from kiosk.store.keys import KeyRing
from kiosk.store.repositories import codec
from kiosk.store.rows.application import ApplicationRow, DataKeyRow
from kiosk.store.rows.biometric import PortraitKind, PortraitRow
from kiosk.store.rows.evidence import EvidenceRow

_APPLICATIONS = ApplicationRow.__tablename__
_PORTRAITS = PortraitRow.__tablename__
_UNFINISHED = (ApplicationState.DRAFT, ApplicationState.CAPTURED, ApplicationState.RETURNED)


class ApplicationRepository:
    """Applications of this station, seen through one unit of work."""

    def __init__(self, session: Session, ring: KeyRing) -> None:
        self._session = session
        self._ring = ring
        self._data_keys: dict[uuid.UUID, bytes] = {}

    def add(self, application: Application) -> None:
        """Store a new application under a fresh data key of its own."""
        data_key = crypto.new_key()
        wrapped = self._ring.wrap_data_key(application.id, data_key)
        row = ApplicationRow(id=application.id)
        self._write(row, application, data_key)
        self._session.add(row)
        self._session.flush()
        self._session.add(DataKeyRow(application_id=application.id, wrapped=wrapped))
        self._session.flush()
        self._data_keys[application.id] = data_key

    def save(self, application: Application) -> None:
        """Store the new version of an existing application (after a transition)."""
        self._write(self._row(application.id), application, self.data_key(application.id))
        self._session.flush()

    def get(self, application_id: ApplicationId) -> Application:
        """The application; ``NotFoundError`` if absent or purged."""
        return self._read(self._row(application_id))

    def find_by_id_number(self, id_number: str) -> list[Application]:
        """Applications of the citizen with this (normalised, 12-digit) ID number, newest first."""
        query = (
            self._readable()
            .where(ApplicationRow.id_number_index == self._ring.blind_index(id_number))
            .order_by(ApplicationRow.updated_at.desc())
        )
        found = self._read_all(query)
        # The index is truncated: a collision is possible, so confirm on the decrypted value.
        return [app for app in found if app.citizen and app.citizen.id_number == id_number]

    def page(
        self,
        states: Collection[ApplicationState] | None = None,
        before: datetime | None = None,
        limit: int = 50,
    ) -> list[Application]:
        """A page of unpurged applications, most recently changed first (keyset on updated_at)."""
        query = self._readable().where(ApplicationRow.purged_at.is_(None))
        if states is not None:
            query = query.where(ApplicationRow.state.in_(list(states)))
        if before is not None:
            query = query.where(ApplicationRow.updated_at < before)
        return self._read_all(query.order_by(ApplicationRow.updated_at.desc()).limit(limit))

    def due_for_purge(
        self, final_before: datetime, unfinished_before: datetime, limit: int = 100
    ) -> list[ApplicationId]:
        """Unpurged applications the retention period has run out for, oldest first.

        Final ones (approved, rejected, cancelled) last changed before ``final_before``, and ones
        still being prepared (draft, captured, returned) untouched since ``unfinished_before``.
        A submitted application waits for its review and is never due.
        """
        final = ApplicationRow.state.in_([s for s in ApplicationState if s.is_final])
        unfinished = ApplicationRow.state.in_(_UNFINISHED)
        query = (
            select(ApplicationRow.id)
            .where(ApplicationRow.purged_at.is_(None))
            .where(
                (final & (ApplicationRow.updated_at < final_before))
                | (unfinished & (ApplicationRow.updated_at < unfinished_before))
            )
            .order_by(ApplicationRow.updated_at)
            .limit(limit)
        )
        return [ApplicationId(app_id) for app_id in self._session.scalars(query)]

    def add_portrait(
        self, application_id: ApplicationId, kind: PortraitKind, image: bytes, at: datetime
    ) -> uuid.UUID:
        """Keep a face image of the application, sealed under its data key."""
        portrait_id = uuid.uuid4()
        sealed = crypto.seal(self.data_key(application_id), image, _portrait_ad(portrait_id))
        row = PortraitRow(
            id=portrait_id, application_id=application_id, kind=kind, created_at=at, image=sealed
        )
        self._session.add(row)
        self._session.flush()
        return portrait_id

    def portraits(self, application_id: ApplicationId) -> list[tuple[PortraitKind, bytes]]:
        """The application's face images, oldest first."""
        data_key = self.data_key(application_id)
        query = (
            select(PortraitRow)
            .where(PortraitRow.application_id == application_id)
            .order_by(PortraitRow.created_at)
        )
        return [
            (row.kind, crypto.unseal(data_key, row.image, _portrait_ad(row.id)))
            for row in self._session.scalars(query)
        ]

    def purge(self, application_id: ApplicationId, at: datetime) -> None:
        """Crypto-shred the application: its key, portraits, evidence and sealed fields go."""
        row = self._row(application_id)
        self._session.execute(delete(PortraitRow).where(PortraitRow.application_id == row.id))
        self._session.execute(delete(EvidenceRow).where(EvidenceRow.application_id == row.id))
        self._session.execute(delete(DataKeyRow).where(DataKeyRow.application_id == row.id))
        row.citizen = row.phone = row.email = row.reason_note = row.id_number_index = None
        row.purged_at = at
        self._data_keys.pop(row.id, None)
        self._session.flush()

    @staticmethod
    def _readable() -> Select[ApplicationRow, bytes]:
        # Each row comes with its wrapped data key: one query for a page, not one per row.
        return select(ApplicationRow, DataKeyRow.wrapped).join(
            DataKeyRow, DataKeyRow.application_id == ApplicationRow.id
        )

    def _read_all(self, query: Select[ApplicationRow, bytes]) -> list[Application]:
        found = []
        for row, wrapped in self._session.execute(query):
            if row.id not in self._data_keys:
                self._data_keys[row.id] = self._ring.unwrap_data_key(row.id, wrapped)
            found.append(self._read(row))
        return found

    def _row(self, application_id: uuid.UUID) -> ApplicationRow:
        row = self._session.get(ApplicationRow, application_id)
        if row is None or row.purged_at is not None:
            raise NotFoundError("no such application", kind="application")
        return row

    def data_key(self, application_id: uuid.UUID) -> bytes:
        """The application's data key (cached for the unit of work); gone once purged."""
        if application_id not in self._data_keys:
            wrapped = self._session.get(DataKeyRow, application_id)
            if wrapped is None:
                raise NotFoundError("no data key", kind="application")
            self._data_keys[application_id] = self._ring.unwrap_data_key(
                application_id, wrapped.wrapped
            )
        return self._data_keys[application_id]

    def _write(self, row: ApplicationRow, app: Application, data_key: bytes) -> None:
        row.state = app.state
        row.created_by = app.created_by
        row.created_at = app.created_at
        row.updated_at = app.updated_at
        row.chip_verdict = app.chip_verdict
        row.face_attempts = codec.encode_face(app.face)
        row.captured_by = app.captured_by
        row.submitted_by = app.submitted_by
        row.reviewed_by = app.reviewed_by
        row.four_eyes_relaxed = app.four_eyes_relaxed
        row.reason_code = app.reason_code
        row.demo = app.demo
        row.purged_at = None
        index = None if app.citizen is None else self._ring.blind_index(app.citizen.id_number)
        row.id_number_index = index
        citizen = None if app.citizen is None else codec.encode_citizen(app.citizen)
        row.citizen = self._seal(data_key, app.id, "citizen", citizen)
        row.phone = self._seal(data_key, app.id, "phone", app.phone)
        row.email = self._seal(data_key, app.id, "email", app.email)
        row.reason_note = self._seal(data_key, app.id, "reason_note", app.reason_note)

    def _read(self, row: ApplicationRow) -> Application:
        data_key = self.data_key(row.id)
        citizen = self._open(data_key, row, "citizen", row.citizen)
        return Application(
            id=ApplicationId(row.id),
            created_by=UserId(row.created_by),
            created_at=row.created_at,
            updated_at=row.updated_at,
            state=row.state,
            citizen=None if citizen is None else codec.decode_citizen(citizen),
            chip_verdict=row.chip_verdict,
            face=codec.decode_face(row.face_attempts),
            phone=self._open(data_key, row, "phone", row.phone),
            email=self._open(data_key, row, "email", row.email),
            captured_by=_user(row.captured_by),
            submitted_by=_user(row.submitted_by),
            reviewed_by=_user(row.reviewed_by),
            four_eyes_relaxed=row.four_eyes_relaxed,
            reason_code=row.reason_code,
            reason_note=self._open(data_key, row, "reason_note", row.reason_note),
            demo=row.demo,
        )

    @staticmethod
    def _seal(data_key: bytes, row_id: uuid.UUID, column: str, value: str | None) -> bytes | None:
        if value is None:
            return None
        ad = crypto.associated_data(_APPLICATIONS, column, row_id)
        return crypto.seal(data_key, value.encode(), ad)

    @staticmethod
    def _open(
        data_key: bytes, row: ApplicationRow, column: str, sealed: bytes | None
    ) -> str | None:
        if sealed is None:
            return None
        ad = crypto.associated_data(_APPLICATIONS, column, row.id)
        return crypto.unseal(data_key, sealed, ad).decode()


def _portrait_ad(portrait_id: uuid.UUID) -> bytes:
    return crypto.associated_data(_PORTRAITS, "image", portrait_id)


def _user(value: uuid.UUID | None) -> UserId | None:
    return None if value is None else UserId(value)
