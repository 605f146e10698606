"""The day's figures computed from audit entries, on Vietnam's days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from kiosk.domain.application import Action, ApplicationState
from kiosk.domain.audit import AuditFields
from kiosk.receipts.daily_report import ReportSource, day_bounds, render_daily_report, summarise
from kiosk.receipts.receipt import Person

OFFICER, CHIEF = "officer-id", "chief-id"
PEOPLE = {OFFICER: Person("Lê Văn Cán", "CB-7"), CHIEF: Person("Trần Thị Lãnh Đạo", "LD-1")}
# 17:00 UTC on 26 November is midnight of 27 November in Vietnam.
DAY_START = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)


class Log:
    def __init__(self) -> None:
        self.entries: list[AuditFields] = []

    def add(
        self,
        at: datetime,
        actor: str,
        action: Action,
        subject: str,
        to: ApplicationState,
        **extra: str | bool,
    ) -> None:
        details: dict[str, str | int | bool] = {"to_state": to.value, **extra}
        self.entries.append(
            AuditFields(len(self.entries) + 1, at, actor, action.value, subject, details)
        )

    def through(
        self, subject: str, start: datetime, *steps: tuple[Action, ApplicationState, int]
    ) -> None:
        self.add(start, OFFICER, Action.CREATE, subject, ApplicationState.DRAFT)
        for action, state, minutes in steps:
            actor = CHIEF if action in (Action.APPROVE, Action.OVERRIDE_FACE) else OFFICER
            extra = (
                {"four_eyes_relaxed": True} if subject == "own" and action is Action.APPROVE else {}
            )
            self.add(start + timedelta(minutes=minutes), actor, action, subject, state, **extra)


def source(log: Log) -> ReportSource:
    return ReportSource("00004-02", "Công an phường Phúc Xá", PEOPLE, log.entries, DAY_START, False)


def test_day_bounds_are_vietnams_midnights() -> None:
    assert day_bounds(date(2026, 11, 27)) == (DAY_START, DAY_START + timedelta(days=1))


def test_the_figures_of_a_day() -> None:
    log = Log()
    log.through(
        "yesterday",
        DAY_START - timedelta(minutes=30),
        (Action.CAPTURE, ApplicationState.CAPTURED, 4),
        (Action.SUBMIT, ApplicationState.SUBMITTED, 6),
    )
    log.through(
        "a",
        DAY_START + timedelta(hours=1),
        (Action.CAPTURE, ApplicationState.CAPTURED, 10),
        (Action.SUBMIT, ApplicationState.SUBMITTED, 12),
        (Action.APPROVE, ApplicationState.APPROVED, 20),
    )
    log.through(
        "own",
        DAY_START + timedelta(hours=2),
        (Action.OVERRIDE_FACE, ApplicationState.DRAFT, 5),
        (Action.CAPTURE, ApplicationState.CAPTURED, 20),
        (Action.SUBMIT, ApplicationState.SUBMITTED, 21),
        (Action.APPROVE, ApplicationState.APPROVED, 31),
    )
    log.through("draft", DAY_START + timedelta(hours=3))
    log.through("tomorrow", DAY_START + timedelta(days=1, minutes=1))
    report = summarise(date(2026, 11, 27), source(log))
    (row,) = report.by_officer
    assert row.officer == PEOPLE[OFFICER]
    assert dict(row.counts) == {ApplicationState.APPROVED: 2, ApplicationState.DRAFT: 1}
    medians = {s.stage: (s.median_seconds, s.count) for s in report.stages}
    assert medians == {"capture": (900.0, 2), "confirm": (90.0, 2), "review": (540.0, 2)}
    assert report.face_overrides == 1
    assert report.own_work_approvals == 1
    assert report.waiting_review == 1  # yesterday's, still waiting
    assert report.unfinished == 1
    assert render_daily_report(report).startswith(b"%PDF")


def test_an_empty_day() -> None:
    report = summarise(date(2026, 11, 27), source(Log()))
    assert report.by_officer == ()
    assert all(s.median_seconds is None for s in report.stages)
    assert report.to_json()["median_seconds"] == {"capture": None, "confirm": None, "review": None}
