"""The attended liveness check: draw a challenge, watch the citizen do it, keep the verdict.

One face attempt (design.md, verdict policy) is a liveness challenge, then the capture and
match of ``face_capture``. ``run`` cues each action of the challenge in turn over the camera
port, reporting each cue as progress so the screen shows it, and judges the frames with
``kiosk.face.liveness``. ``record`` keeps the measured result and the officer's attestation
("I saw the citizen do this") with the application in one unit of work: the application's
liveness evidence (``LivenessEvidence``, carried in the packet and shown in review), an audit
entry with every figure and, when the check failed or the officer did not attest, one failed
face attempt (``liveness_failed``), which counts towards the three attempts. Demo applications
are marked DEMO already; the audit entry says so too.

In demo mode the camera is the performing demo face, which does what it is cued to do: it is
cued here through ``ChallengeFollower``, the same moment the citizen's screen shows the cue.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import Protocol, runtime_checkable

from kiosk.devices.ports import Camera
from kiosk.domain.application import Application, ApplicationState
from kiosk.domain.audit import DetailValue
from kiosk.domain.biometrics import FaceGate, FaceOutcome, face_gate
from kiosk.domain.errors import Cancelled, DomainError, ErrorCode
from kiosk.domain.evidence import LivenessEvidence
from kiosk.domain.ids import ApplicationId, UserId
from kiosk.domain.progress import Progress, ProgressSink
from kiosk.domain.users import Permission, User, require
from kiosk.face.engine import FaceEngine
from kiosk.face.liveness.active import StepFailure, StepResult
from kiosk.face.liveness.challenge import Action, Challenge, draw_challenge, format_challenge
from kiosk.face.liveness.clips import sample_of
from kiosk.face.liveness.rules import DEFAULT_LIVENESS_RULES, LivenessRules
from kiosk.face.liveness.series import Sample
from kiosk.face.liveness.verdict import LivenessResult, judge, steps_so_far
from kiosk.services.context import ServiceContext

log = logging.getLogger(__name__)

TAIL_SECONDS = 0.8
"""Frames kept after the last action, so a turn is seen coming back and checks have frames."""

_FINAL = frozenset({StepFailure.WRONG_ORDER, StepFailure.UNEXPECTED_TURN, StepFailure.TOO_LATE})


@runtime_checkable
class ChallengeFollower(Protocol):
    """A camera that acts on cues: the demo face (``kiosk.devices.camera.performer``)."""

    def cue(self, action: str) -> None:
        """Perform ``action`` (``blink``, ``left`` or ``right``) now."""
        ...


def cue_step(action: Action) -> str:
    """The progress step that shows ``action``'s cue: ``liveness:blink`` and so on."""
    return f"liveness:{action.value}"


class LivenessService:
    """Runs the challenge and records its verdict with the application.

    Args:
        context: units of work, clock and the demo flag.
        engine: where landmarks are found (the face worker process in the desktop app).
        rules: the thresholds (``kiosk.face.liveness.rules``).
    """

    def __init__(
        self,
        context: ServiceContext,
        engine: FaceEngine,
        rules: LivenessRules = DEFAULT_LIVENESS_RULES,
    ) -> None:
        self._context = context
        self._engine = engine
        self._rules = rules

    def draw(self) -> Challenge:
        """A fresh challenge for one attempt (two actions, random order, from ``secrets``)."""
        return draw_challenge()

    def run(
        self,
        camera: Camera,
        challenge: Challenge,
        *,
        progress: ProgressSink | None = None,
        cancel: threading.Event | None = None,
    ) -> LivenessResult:
        """Show each action's cue in turn and judge what the camera saw.

        Progress: ``liveness:<action>`` (``done`` = actions done so far, ``total`` = the
        challenge's length) each time a cue is to be shown, then ``liveness:done``. The run
        ends when every action was done (and ``TAIL_SECONDS`` more were seen), when an action
        failed for good, or when the current action's time limit ran out.

        Raises:
            Cancelled: the officer cancelled.
            DeviceError: the camera failed.
            FaceError: the face engine failed (``WorkerFailed``).
        """
        stop = cancel or threading.Event()
        follower = camera if isinstance(camera, ChallengeFollower) else None
        samples: list[Sample] = []
        start: float | None = None
        cued = -1
        warm = False
        for frame in camera.frames(stop):
            if stop.is_set():
                raise Cancelled
            guidance = self._engine.analyse(frame.image)
            if not warm:
                # The first analysis may load the models (seconds): the clock starts after it.
                warm = True
                continue
            if start is None:
                start = frame.timestamp
            samples.append(sample_of(frame.timestamp - start, frame.image, guidance))
            steps = steps_so_far(challenge, samples, self._rules)
            done = _leading_passed(steps)
            if done > cued and done < len(challenge):
                cued = done
                self._cue(challenge[done], done, len(challenge), follower, progress)
            if self._is_over(steps, samples[-1].t, done):
                break
        if stop.is_set():
            raise Cancelled
        result = judge(challenge, samples, self._rules)
        if progress is not None:
            progress(Progress("liveness:done", len(challenge), len(challenge)))
        log.info("liveness: live=%s reasons=%s", result.live, ",".join(result.reasons))
        return result

    def _cue(
        self,
        action: Action,
        done: int,
        total: int,
        follower: ChallengeFollower | None,
        progress: ProgressSink | None,
    ) -> None:
        if progress is not None:
            progress(Progress(cue_step(action), done, total))
        if follower is not None:
            follower.cue(action.value)

    def _is_over(self, steps: tuple[StepResult, ...], now: float, done: int) -> bool:
        if done == len(steps):
            last = steps[-1].at
            return last is not None and now - last >= TAIL_SECONDS
        if any(step.failure in _FINAL for step in steps):
            return True
        previous = 0.0 if done == 0 else steps[done - 1].at
        return previous is not None and now - previous > self._rules.step_limit

    def record(
        self,
        officer: User,
        application_id: ApplicationId,
        result: LivenessResult,
        *,
        attested: bool,
    ) -> Application:
        """Keep the verdict and the officer's attestation; count a failure as a face attempt.

        ``attested`` is the officer's confirmation that they saw the citizen, in person,
        perform the challenge. The evidence (``LivenessEvidence``, the application's latest
        liveness check), its audit entry and, when the check failed or the officer did not
        attest, one ``liveness_failed`` face attempt are stored in one unit of work. Call it
        before the match of the same attempt: while the face step is open the failure counts,
        and after the third failed attempt only a supervisor override lets the application go
        on (``EnrolmentService.override_face``). Once the face step has passed or is out of
        attempts, the evidence and the audit entry are still kept (review shows them), but the
        domain counts no further attempt.

        Raises:
            PermissionDenied: the user may not capture.
            DomainError: INVALID_TRANSITION when the application is not a draft; NOT_FOUND.
        """
        require(officer, Permission.CAPTURE)
        details = self._details(result, attested)
        now = self._context.clock.now()
        with self._context.write() as uow:
            application = uow.applications.get(application_id)
            if application.state is not ApplicationState.DRAFT:
                raise DomainError(
                    ErrorCode.INVALID_TRANSITION,
                    f"liveness is not allowed in {application.state.value}",
                    action="liveness",
                    state=application.state.value,
                )
            if not (result.live and attested) and face_gate(application.face) is FaceGate.RETRY:
                changed = application.record_face(officer.id, now, FaceOutcome.LIVENESS_FAILED)
                uow.applications.save(changed.application)
                uow.audit.record(changed.fact)
                application = changed.application
            evidence = liveness_evidence(result, officer.id if attested else None, now)
            uow.evidence.put_liveness(application_id, evidence, now)
            uow.audit.record_event(now, str(officer.id), "liveness", str(application_id), details)
            uow.commit()
        return application

    def _details(self, result: LivenessResult, attested: bool) -> dict[str, DetailValue]:
        details: dict[str, DetailValue] = {
            "challenge": format_challenge(result.challenge),
            "live": result.live,
            "attested": attested,
            "reasons": ",".join(result.reasons),
            "frames": result.frames,
            "faces": result.faces,
            "demo": self._context.demo,
        }
        for check in result.checks:
            value = None if check.value is None else round(check.value * 1000)
            details[f"{check.check.value}_milli"] = -1 if value is None else value
        return details


def liveness_evidence(
    result: LivenessResult, attested_by: UserId | None, at: datetime
) -> LivenessEvidence:
    """The result in the application's evidence: each step by its action, each check by name."""
    checks = {step.action.value: step.passed for step in result.steps}
    checks.update({check.check.value: check.passed for check in result.checks})
    return LivenessEvidence(
        challenge=tuple(action.value for action in result.challenge),
        live=result.live,
        checks=checks,
        reasons=result.reasons,
        attested_by=attested_by,
        attested_at=None if attested_by is None else at,
    )


def _leading_passed(steps: tuple[StepResult, ...]) -> int:
    count = 0
    for step in steps:
        if not step.passed:
            break
        count += 1
    return count
