"""Failure classes and back-off (issue 10's table)."""

import random
from datetime import timedelta

import pytest

from kiosk.sync.policy import VALIDATION_CODES, Outcome, RetryPolicy, classify


@pytest.mark.parametrize(
    ("status", "code", "outcome"),
    [
        (201, None, Outcome.DELIVERED),
        (200, None, Outcome.DELIVERED),
        (400, "schema_invalid", Outcome.PERMANENT),
        (422, "demo_outside_demo", Outcome.PERMANENT),
        (400, None, Outcome.TRANSIENT),
        (400, "something_else", Outcome.TRANSIENT),
        (401, "replay", Outcome.PAUSE),
        (403, "kiosk_revoked", Outcome.PAUSE),
        (409, "packet_conflict", Outcome.CONFLICT),
        (408, None, Outcome.TRANSIENT),
        (425, None, Outcome.TRANSIENT),
        (429, "rate_limited", Outcome.TRANSIENT),
        (500, None, Outcome.TRANSIENT),
        (503, None, Outcome.TRANSIENT),
    ],
)
def test_each_answer_has_its_class(status: int, code: str | None, outcome: Outcome) -> None:
    assert classify(status, code) is outcome


def test_every_protocol_validation_code_is_permanent() -> None:
    for code in VALIDATION_CODES:
        assert classify(400, code) is Outcome.PERMANENT


def test_back_off_doubles_up_to_the_cap_with_bounded_jitter() -> None:
    policy = RetryPolicy(base=timedelta(seconds=2), cap=timedelta(seconds=60), jitter=0.25)
    rng = random.Random(7)
    delays = [policy.delay(attempt, rng) for attempt in range(1, 12)]
    for attempt, delay in enumerate(delays, start=1):
        plain = min(timedelta(seconds=2 * 2 ** (attempt - 1)), timedelta(seconds=60))
        assert plain <= delay <= plain * 1.25
    assert max(delays) <= timedelta(seconds=75)


def test_jitter_spreads_kiosks_that_failed_together() -> None:
    policy = RetryPolicy()
    rng = random.Random(1)
    assert len({policy.delay(3, rng) for _ in range(20)}) > 10


def test_retry_after_is_honoured_but_capped() -> None:
    policy = RetryPolicy(base=timedelta(seconds=1), cap=timedelta(seconds=30), jitter=0)
    assert policy.retry_after(1, 10) == timedelta(seconds=10)
    assert policy.retry_after(1, 3600) == timedelta(seconds=30)
    assert policy.retry_after(3, None) == timedelta(seconds=4)
