"""The active challenge: two of blink, turn left and turn right, in an order nobody can predict.

Drawn with ``secrets`` so that an attacker cannot prepare the one recording that will be asked
for. Actions are named as the command line and the design name them (``blink``, ``left``,
``right``); ``left`` and ``right`` are the citizen's own left and right, which a camera that
does not mirror its image shows as the nose moving to the image's right and left.
"""

from __future__ import annotations

import secrets
from enum import StrEnum

from kiosk.domain.errors import DomainError, ErrorCode

CHALLENGE_LENGTH = 2


class Action(StrEnum):
    """One thing the citizen is asked to do."""

    BLINK = "blink"
    LEFT = "left"
    RIGHT = "right"

    @property
    def is_turn(self) -> bool:
        """True for a head turn (``left`` or ``right``)."""
        return self is not Action.BLINK


Challenge = tuple[Action, ...]
"""The actions in the order they must be done."""


def draw_challenge() -> Challenge:
    """Two different actions in random order, from the operating system's CSPRNG."""
    chosen = secrets.SystemRandom().sample(list(Action), CHALLENGE_LENGTH)
    return tuple(chosen)


def parse_challenge(text: str) -> Challenge:
    """``"blink,left"`` as a challenge: one to three different known actions.

    Raises:
        DomainError: USAGE for an unknown, repeated or missing action.
    """
    names = [name.strip().lower() for name in text.split(",") if name.strip()]
    known = {action.value for action in Action}
    if not names or len(names) > len(Action) or len(set(names)) != len(names):
        raise DomainError(ErrorCode.USAGE, "a challenge is one to three different actions")
    unknown = [name for name in names if name not in known]
    if unknown:
        raise DomainError(ErrorCode.USAGE, "unknown challenge action", action=unknown[0])
    return tuple(Action(name) for name in names)


def format_challenge(challenge: Challenge) -> str:
    """The challenge as the command line writes it (``blink,left``)."""
    return ",".join(action.value for action in challenge)
