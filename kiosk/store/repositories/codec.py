"""JSON encodings of the domain values kept inside one column: the citizen and face attempts.

The citizen is encoded whole (then sealed) because its fields are read and written together;
face attempts hold no personal data (outcomes, a supervisor id, a reason code) and stay plain.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, fields
from datetime import date, datetime
from typing import Any

from kiosk.domain.biometrics import FaceAttempts, FaceOutcome, FaceOverride
from kiosk.domain.citizen import Citizen, Sex
from kiosk.domain.ids import UserId

_CITIZEN_DATES = frozenset(
    item.name for item in fields(Citizen) if item.name.startswith("date_of_")
)


def encode_citizen(citizen: Citizen) -> str:
    """The citizen as compact JSON (dates ISO 8601, sex as its code)."""
    document = {
        key: value.isoformat() if isinstance(value, date) else value
        for key, value in asdict(citizen).items()
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def decode_citizen(text: str) -> Citizen:
    """The citizen back from ``encode_citizen``'s JSON (validated again by ``Citizen``)."""
    document: dict[str, Any] = json.loads(text)
    for key in _CITIZEN_DATES:
        if document.get(key) is not None:
            document[key] = date.fromisoformat(document[key])
    document["sex"] = Sex(document["sex"])
    return Citizen(**document)


def encode_face(face: FaceAttempts) -> str:
    """Face attempts as compact JSON."""
    override = face.override
    document = {
        "outcomes": [outcome.value for outcome in face.outcomes],
        "override": None
        if override is None
        else {
            "supervisor": str(override.supervisor),
            "at": override.at.isoformat(),
            "reason": override.reason,
        },
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True)


def decode_face(text: str) -> FaceAttempts:
    """Face attempts back from ``encode_face``'s JSON."""
    document = json.loads(text)
    raw = document["override"]
    override = (
        None
        if raw is None
        else FaceOverride(
            UserId(uuid.UUID(raw["supervisor"])), datetime.fromisoformat(raw["at"]), raw["reason"]
        )
    )
    outcomes = tuple(FaceOutcome(value) for value in document["outcomes"])
    return FaceAttempts(outcomes, override)
