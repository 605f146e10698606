"""The liveness service: cues over the camera port, the verdict, and what it records.

``LandmarkActor`` is a fake of two ports at once: a camera that acts on cues (as the demo
camera does) and a face engine that reports the landmarks of the synthetic head at the frame's
moment (``tests.support.heads``). Frames carry simulated time, so a run takes milliseconds.
The store is real (SQLite through ``kiosk.app.build``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import numpy as np
import pytest

from kiosk.app import Kiosk, liveness
from kiosk.devices.camera.head import Move, pose_at
from kiosk.devices.ports import CameraInfo, Frame
from kiosk.domain.application import ReasonCode
from kiosk.domain.biometrics import FaceGate, FaceOutcome, face_gate
from kiosk.domain.errors import Cancelled, DomainError, ErrorCode
from kiosk.domain.progress import Progress
from kiosk.domain.users import User
from kiosk.face.liveness.challenge import Action
from kiosk.face.liveness.rules import DEFAULT_LIVENESS_RULES
from kiosk.face.liveness.verdict import judge
from kiosk.face.quality import DEFAULT_RULES, Guidance, GuidanceRules, Instruction
from kiosk.services.liveness import LivenessService
from tests.support.heads import SIZE, Head, blink, samples, turn

B, L, R = Action.BLINK, Action.LEFT, Action.RIGHT
FPS = 15.0


class LandmarkActor:
    """A camera and a face engine showing the synthetic head, which does what it is cued.

    ``swap`` replaces a cued action by another (an animated still made for another challenge).
    """

    def __init__(self, swap: dict[str, str] | None = None, seconds: float = 30.0) -> None:
        self._head = Head()
        self._moves: list[Move] = [blink(20.0)]  # a blink of its own, long after any cue
        self._swap = swap or {}
        self._seconds = seconds
        self.now = 0.0
        self.cues: list[str] = []
        self._image = np.full((SIZE[1], SIZE[0], 3), 120, dtype=np.uint8)

    def info(self) -> CameraInfo:
        return CameraInfo("landmarks", SIZE[0], SIZE[1], FPS)

    def frames(self, cancel: threading.Event) -> Iterator[Frame]:
        for index in range(int(self._seconds * FPS)):
            if cancel.is_set():
                return
            self.now = index / FPS
            yield Frame(self._image, 100.0 + self.now, index + 1)

    def cue(self, action: str) -> None:
        self.cues.append(action)
        done = self._swap.get(action, action)
        start = self.now + 0.5
        if done == "blink":
            self._moves.append(blink(start))
        elif done in ("left", "right"):
            self._moves.append(turn(done, start))

    def analyse(self, image: np.ndarray, rules: GuidanceRules = DEFAULT_RULES) -> Guidance:
        yaw, closure = pose_at(self._moves, self.now)
        return Guidance(Instruction.READY, 1, None, self._head.landmarks(yaw, closure))

    def match(self, image: np.ndarray, portrait: bytes, threshold: float):  # pragma: no cover
        raise AssertionError("liveness never matches")


def _service(kiosk: Kiosk, actor: LandmarkActor) -> LivenessService:
    return liveness(kiosk, actor)


def test_run_cues_each_action_in_turn_and_the_camera_performs_it(kiosk: Kiosk) -> None:
    actor = LandmarkActor()
    events: list[Progress] = []
    result = _service(kiosk, actor).run(actor, (L, B), progress=events.append)
    assert result.live, result.reasons
    assert actor.cues == ["left", "blink"]
    steps = [(e.step, e.done, e.total) for e in events]
    assert steps == [("liveness:left", 0, 2), ("liveness:blink", 1, 2), ("liveness:done", 2, 2)]
    # The run stopped shortly after the last action, not at the end of the camera's stream.
    assert result.seconds < 8.0


def test_a_camera_performing_other_actions_than_cued_fails(kiosk: Kiosk) -> None:
    actor = LandmarkActor(swap={"left": "right", "right": "left"})
    result = _service(kiosk, actor).run(actor, (R, B))
    assert not result.live
    assert result.reasons[0] == "right_unexpected_turn"
    assert actor.cues == ["right"]


def test_a_camera_that_does_nothing_runs_out_of_time(kiosk: Kiosk) -> None:
    actor = LandmarkActor(swap={"blink": "none", "left": "none"})
    result = _service(kiosk, actor).run(actor, (B, L))
    assert result.reasons[:2] == ("blink_not_done", "left_not_reached")
    assert result.seconds == pytest.approx(DEFAULT_LIVENESS_RULES.step_limit + 1 / FPS, abs=0.2)


def test_cancel_stops_the_run(kiosk: Kiosk) -> None:
    actor = LandmarkActor()
    cancel = threading.Event()

    def stop_at_first_cue(_event: Progress) -> None:
        cancel.set()

    with pytest.raises(Cancelled):
        _service(kiosk, actor).run(actor, (L, B), progress=stop_at_first_cue, cancel=cancel)


def _failed(challenge=(L, R)):
    return judge(challenge, samples([turn("left", 1.0, degrees=5.0)]))


def _live(challenge=(L, B)):
    return judge(challenge, samples([turn("left", 1.0), blink(3.0)]))


def test_a_failed_check_counts_one_attempt_and_keeps_the_evidence(
    kiosk: Kiosk, people: dict[str, User]
) -> None:
    officer = people["officer"]
    app = kiosk.services.enrolment.open(officer)
    service = liveness(kiosk, LandmarkActor())
    changed = service.record(officer, app.id, _failed(), attested=True)
    assert changed.face.outcomes == (FaceOutcome.LIVENESS_FAILED,)
    evidence = kiosk.services.records.evidence(officer, app.id).liveness
    assert evidence is not None
    assert (evidence.challenge, evidence.live) == (("left", "right"), False)
    assert evidence.checks["left"] is False
    assert evidence.checks["planarity"] is False
    assert "left_partial" in evidence.reasons
    assert evidence.attested_by == officer.id
    entry = _last_audit(kiosk, "liveness")
    assert entry.details["live"] is False
    assert entry.details["challenge"] == "left,right"
    assert entry.details["demo"] is True


def test_three_failures_need_a_supervisor_override(kiosk: Kiosk, people: dict[str, User]) -> None:
    officer, supervisor = people["officer"], people["supervisor"]
    enrolment = kiosk.services.enrolment
    app = enrolment.open(officer)
    service = liveness(kiosk, LandmarkActor())
    for _ in range(3):
        changed = service.record(officer, app.id, _failed(), attested=True)
    assert face_gate(changed.face) is FaceGate.NEEDS_OVERRIDE
    # A fourth check is still kept as evidence, but the attempts are used up.
    fourth = service.record(officer, app.id, _failed(), attested=True)
    assert len(fourth.face.outcomes) == 3
    overridden = enrolment.override_face(
        supervisor, app.id, ReasonCode.IDENTITY_CONFIRMED_IN_PERSON
    )
    assert face_gate(overridden.face) is FaceGate.OVERRIDDEN


def test_a_live_and_attested_check_counts_no_attempt(kiosk: Kiosk, people: dict[str, User]) -> None:
    officer = people["officer"]
    app = kiosk.services.enrolment.open(officer)
    changed = liveness(kiosk, LandmarkActor()).record(officer, app.id, _live(), attested=True)
    assert changed.face.outcomes == ()
    evidence = kiosk.services.records.evidence(officer, app.id).liveness
    assert evidence is not None
    assert evidence.live
    assert evidence.attested_by == officer.id
    assert evidence.attested_at is not None


def test_a_live_check_the_officer_did_not_attest_is_a_failed_attempt(
    kiosk: Kiosk, people: dict[str, User]
) -> None:
    officer = people["officer"]
    app = kiosk.services.enrolment.open(officer)
    changed = liveness(kiosk, LandmarkActor()).record(officer, app.id, _live(), attested=False)
    assert changed.face.outcomes == (FaceOutcome.LIVENESS_FAILED,)
    evidence = kiosk.services.records.evidence(officer, app.id).liveness
    assert evidence is not None
    assert (evidence.live, evidence.attested_by, evidence.attested_at) == (True, None, None)


def test_only_a_capturing_user_may_record_liveness(kiosk: Kiosk, people: dict[str, User]) -> None:
    app = kiosk.services.enrolment.open(people["officer"])
    with pytest.raises(DomainError) as raised:
        liveness(kiosk, LandmarkActor()).record(people["admin"], app.id, _live(), attested=True)
    assert raised.value.code is ErrorCode.PERMISSION_DENIED


def _last_audit(kiosk: Kiosk, action: str):
    with kiosk.context.read() as uow:
        entries = [e for e in uow.audit.entries() if e.fields.action == action]
    return entries[-1].fields


def test_a_check_failed_after_the_match_passed_is_kept_for_review(
    kiosk: Kiosk, people: dict[str, User]
) -> None:
    officer = people["officer"]
    enrolment = kiosk.services.enrolment
    app = enrolment.open(officer)
    enrolment.record_face(officer, app.id, FaceOutcome.PASSED)
    changed = liveness(kiosk, LandmarkActor()).record(officer, app.id, _failed(), attested=True)
    assert changed.face.outcomes == (FaceOutcome.PASSED,)
    evidence = kiosk.services.records.evidence(officer, app.id).liveness
    assert evidence is not None
    assert not evidence.live


def test_liveness_is_recorded_only_on_a_draft(kiosk: Kiosk, people: dict[str, User]) -> None:
    officer = people["officer"]
    enrolment = kiosk.services.enrolment
    app = enrolment.open(officer)
    enrolment.cancel(officer, app.id, ReasonCode.CITIZEN_WITHDREW)
    with pytest.raises(DomainError) as raised:
        liveness(kiosk, LandmarkActor()).record(officer, app.id, _live(), attested=True)
    assert raised.value.code is ErrorCode.INVALID_TRANSITION
