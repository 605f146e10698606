"""What a server answer means for a packet, and when to try again.

Failure classes (issue 10, docs/sync-protocol.md): only 400/422 carrying one of the server's
validation codes fail a packet for good; 401/403 pause the relay (the kiosk is not recognised:
nothing is the packet's fault, so nothing is marked failed); 409 is a defect alarm (the same
packet id with other content); 408, 425, 429, 5xx, network errors and anything unexpected are
transient and retried with exponential back-off, jitter and a cap (morango's doubling). A 400
without a known validation code is treated as transient too: a proxy's error page must not
destroy a citizen's application.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

VALIDATION_CODES = frozenset(
    {
        "packet_undecryptable",
        "packet_signature_invalid",
        "packet_kiosk_mismatch",
        "packet_id_mismatch",
        "schema_version_unknown",
        "schema_part_unknown",
        "schema_invalid",
        "demo_outside_demo",
    }
)
"""The server's codes that say the packet itself is wrong (sending it again cannot help)."""


class Outcome(StrEnum):
    """What to do with a packet after one answer."""

    DELIVERED = "delivered"
    TRANSIENT = "transient"
    PERMANENT = "permanent"
    PAUSE = "pause"
    CONFLICT = "conflict"


def classify(status: int, code: str | None) -> Outcome:
    """The outcome of an HTTP answer with ``status`` and the JSON error ``code`` (if any)."""
    if status in (200, 201):
        return Outcome.DELIVERED
    if status in (400, 422) and code in VALIDATION_CODES:
        return Outcome.PERMANENT
    if status in (401, 403):
        return Outcome.PAUSE
    if status == 409:
        return Outcome.CONFLICT
    return Outcome.TRANSIENT


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential back-off with jitter and a cap.

    Attributes:
        base: the first delay.
        cap: no delay is longer (before jitter).
        jitter: up to this fraction of the delay is added at random, so kiosks that lost the
            network together do not come back in step.
        flag_after: after this many failed attempts the row stays pending but is flagged for
            the supervisor (nothing is ever dropped).
        pause: how long a 401/403 or a key mismatch pauses the relay before it asks again.
        old_backlog: an undelivered packet older than this raises the backlog warning.
    """

    base: timedelta = timedelta(seconds=2)
    cap: timedelta = timedelta(minutes=5)
    jitter: float = 0.25
    flag_after: int = 10
    pause: timedelta = timedelta(minutes=1)
    old_backlog: timedelta = timedelta(hours=24)

    def delay(self, attempts: int, rng: random.Random | None = None) -> timedelta:
        """The wait before the next try after ``attempts`` failed tries (1 or more)."""
        exponent = max(0, min(attempts - 1, 30))
        plain = min(self.base * (1 << exponent), self.cap)
        draw = rng.random() if rng is not None else random.random()  # noqa: S311 - not a secret
        return plain * (1 + draw * self.jitter)

    def retry_after(self, attempts: int, server_hint: float | None) -> timedelta:
        """The wait after a transient failure, never shorter than the server's Retry-After."""
        wait = self.delay(attempts)
        if server_hint is not None:
            wait = max(wait, timedelta(seconds=min(server_hint, self.cap.total_seconds())))
        return wait
