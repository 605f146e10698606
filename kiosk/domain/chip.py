"""The chip's genuineness in the domain's words, and what it allows (design.md, verdict policy)."""

from __future__ import annotations

from enum import StrEnum


class ChipVerdict(StrEnum):
    """The overall verdict on a card's chip, as the emrtd checks conclude it.

    ``unverifiable`` is the normal case until Vietnam's CSCA is installed: the application may go
    on, flagged, and the central server decides against the national CSCA.
    """

    GENUINE = "genuine"
    NOT_GENUINE = "not_genuine"
    UNVERIFIABLE = "unverifiable"

    @property
    def allows_submission(self) -> bool:
        """Whether an application read from this chip may be submitted (not for a clone)."""
        return self is not ChipVerdict.NOT_GENUINE
