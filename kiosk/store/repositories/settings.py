"""``SettingsRepository``: named station settings whose changes are themselves audited."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from kiosk.domain.ids import UserId
from kiosk.store.rows.settings import SettingRow


class SettingsRepository:
    """Reads and writes settings inside one unit of work (the caller audits the change)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, name: str) -> str | None:
        """The setting's value, or None when it was never set (the caller's default applies)."""
        row = self._session.get(SettingRow, name)
        return None if row is None else row.value

    def put(self, name: str, value: str, by: UserId, at: datetime) -> None:
        """Set ``name`` to ``value``, recording who and when."""
        self._session.merge(SettingRow(name=name, value=value, updated_at=at, updated_by=by))
        self._session.flush()
