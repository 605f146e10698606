from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import pytest

from kiosk.domain.biometrics import (
    FaceAttempts,
    FaceDecision,
    FaceGate,
    FaceOutcome,
    FaceOverride,
    compare_faces,
    face_gate,
)
from kiosk.domain.chip import ChipVerdict
from kiosk.domain.clock import LOCAL_ZONE, Clock, SystemClock, is_aware_utc, to_local
from kiosk.domain.ids import (
    ApplicationId,
    PacketId,
    UserId,
    new_application_id,
    new_packet_id,
    new_user_id,
)
from kiosk.domain.progress import Progress, ProgressSink

T0 = datetime(2026, 11, 27, 20, 30, tzinfo=UTC)


@dataclass
class FixedClock:
    moment: datetime = T0

    def now(self) -> datetime:
        return self.moment


def test_ids_are_fresh_uuids() -> None:
    ids = [new_application_id(), new_user_id(), new_packet_id()]
    assert all(isinstance(value, uuid.UUID) and value.version == 4 for value in ids)
    assert len({new_application_id() for _ in range(10)}) == 10
    assert ApplicationId(ids[0]) == ids[0]
    assert UserId(ids[1]) == ids[1]
    assert PacketId(ids[2]) == ids[2]


def test_clocks() -> None:
    clocks: list[Clock] = [SystemClock(), FixedClock()]
    assert all(is_aware_utc(clock.now()) for clock in clocks)


def test_is_aware_utc() -> None:
    assert is_aware_utc(T0)
    assert not is_aware_utc(datetime(2026, 1, 1))
    assert not is_aware_utc(T0.astimezone(timezone(timedelta(hours=7))))


def test_to_local_is_vietnam_time() -> None:
    local = to_local(T0)
    assert (local.date().isoformat(), local.hour, local.minute) == ("2026-11-28", 3, 30)
    assert local.tzinfo is LOCAL_ZONE
    assert local == T0
    with pytest.raises(ValueError, match="naive"):
        to_local(datetime(2026, 1, 1))


@pytest.mark.parametrize(
    ("progress", "fraction"),
    [
        (Progress("read_dg2", 50, 200), 0.25),
        (Progress("read_dg2", 0, 0), None),
        (Progress("read_dg2", 300, 200), 1.0),
        (Progress("read_dg2", -1, 200), 0.0),
    ],
)
def test_progress(progress: Progress, fraction: float | None) -> None:
    seen: list[Progress] = []
    sink: ProgressSink = seen.append
    sink(progress)
    assert seen[0].fraction == fraction


def test_chip_verdicts() -> None:
    assert [v.value for v in ChipVerdict] == ["genuine", "not_genuine", "unverifiable"]
    allowed = {v for v in ChipVerdict if v.allows_submission}
    assert allowed == {ChipVerdict.GENUINE, ChipVerdict.UNVERIFIABLE}


@pytest.mark.parametrize(
    ("distance", "decision"),
    [(0.3, FaceDecision.MATCH), (0.6, FaceDecision.MATCH), (0.61, FaceDecision.MISMATCH)],
)
def test_compare_faces(distance: float, decision: FaceDecision) -> None:
    assert compare_faces(distance, 0.6) == (result := compare_faces(distance, 0.6))
    assert (result.distance, result.threshold, result.decision) == (distance, 0.6, decision)


F = FaceOutcome
OVERRIDE = FaceOverride(UserId(uuid.UUID(int=2)), T0, "identity_confirmed_in_person")


@pytest.mark.parametrize(
    ("attempts", "gate"),
    [
        (FaceAttempts(), FaceGate.RETRY),
        (FaceAttempts((F.PASSED,)), FaceGate.PASSED),
        (FaceAttempts((F.MISMATCH, F.LIVENESS_FAILED)), FaceGate.RETRY),
        (FaceAttempts((F.MISMATCH, F.LIVENESS_FAILED, F.PASSED)), FaceGate.PASSED),
        (FaceAttempts((F.MISMATCH, F.MISMATCH, F.LIVENESS_FAILED)), FaceGate.NEEDS_OVERRIDE),
        (FaceAttempts((F.MISMATCH,) * 3, OVERRIDE), FaceGate.OVERRIDDEN),
    ],
)
def test_face_gate(attempts: FaceAttempts, gate: FaceGate) -> None:
    assert face_gate(attempts) is gate
    assert gate.may_continue is (gate in (FaceGate.PASSED, FaceGate.OVERRIDDEN))


def test_failures_count() -> None:
    assert FaceAttempts((F.MISMATCH, F.PASSED, F.LIVENESS_FAILED)).failures == 2
