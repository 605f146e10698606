"""Applications and users as JSON objects for the command line (ISO dates, stable keys)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from enum import Enum
from typing import Any

from kiosk.domain.application import Application
from kiosk.domain.users import User


def plain(value: Any) -> Any:
    """``value`` with dataclasses, enums, dates and UUIDs turned into JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def application_summary(application: Application) -> dict[str, Any]:
    """What a list shows: no personal data."""
    return {
        "id": str(application.id),
        "state": application.state.value,
        "updated_at": application.updated_at.isoformat(),
        "chip_verdict": plain(application.chip_verdict),
        "demo": application.demo,
    }


def application_detail(application: Application) -> dict[str, Any]:
    """Everything recorded on the application."""
    detail: dict[str, Any] = plain(application)
    detail["id"] = str(application.id)
    return detail


def user_json(user: User) -> dict[str, Any]:
    """An account without secrets."""
    data: dict[str, Any] = plain(user)
    data["id"] = str(user.id)
    return data
