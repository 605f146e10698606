"""The day's figures of one station, from its audit log, and their PDF.

Everything is computed from the audit log's transition entries (who, when, from which state to
which), so the report reads no personal data and needs no data key: applications opened that
day by officer and by state at the day's end, the median time of each stage, the face
overrides and own-work approvals of the day, and what still waits (for review, or unfinished).
Days are Vietnam's days (Asia/Ho_Chi_Minh), as the counters and commanders count them.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from kiosk.domain.application import Action, ApplicationState
from kiosk.domain.audit import AuditFields
from kiosk.domain.clock import LOCAL_ZONE
from kiosk.receipts.layout import MARGIN_MM, PAGE_HEIGHT_MM, PAGE_WIDTH_MM, Align, Metadata, Sheet
from kiosk.receipts.receipt import Person, local_time

STAGES = (
    ("capture", Action.CREATE, Action.CAPTURE),
    ("confirm", Action.CAPTURE, Action.SUBMIT),
    ("review", Action.SUBMIT, None),
)
"""Each stage: its name, the action that starts it and the one that ends it (None: any decision)."""

_DECISIONS = frozenset({Action.APPROVE.value, Action.REJECT.value, Action.RETURN.value})
_WAITING = frozenset({ApplicationState.SUBMITTED})
_UNFINISHED = frozenset(
    {ApplicationState.DRAFT, ApplicationState.CAPTURED, ApplicationState.RETURNED}
)
STATE_NAMES = {
    ApplicationState.DRAFT: "Đang nhập",
    ApplicationState.CAPTURED: "Đã thu nhận",
    ApplicationState.SUBMITTED: "Chờ phê duyệt",
    ApplicationState.APPROVED: "Đã phê duyệt",
    ApplicationState.REJECTED: "Từ chối",
    ApplicationState.RETURNED: "Trả lại bổ sung",
    ApplicationState.CANCELLED: "Đã hủy",
}
STAGE_NAMES = {"capture": "Thu nhận", "confirm": "Xác nhận, nộp", "review": "Phê duyệt"}


@dataclass(frozen=True, slots=True)
class OfficerRow:
    """The applications one officer opened that day, counted by their state at the day's end."""

    officer: Person
    counts: tuple[tuple[ApplicationState, int], ...]


@dataclass(frozen=True, slots=True)
class StageMedian:
    """The median duration of one stage over the day's applications that completed it."""

    stage: str
    median_seconds: float | None
    count: int


@dataclass(frozen=True, slots=True)
class DailyReport:
    """One station's day.

    Attributes:
        waiting_review: applications of any day still waiting for a decision at the day's end.
        unfinished: applications of any day still being prepared (draft, captured, returned).
    """

    day: date
    station: str
    unit_name: str
    generated_at: datetime
    by_officer: tuple[OfficerRow, ...]
    stages: tuple[StageMedian, ...]
    face_overrides: int
    own_work_approvals: int
    waiting_review: int
    unfinished: int
    demo: bool

    def to_json(self) -> dict[str, object]:
        """The figures as JSON values (the command line prints them)."""
        return {
            "date": self.day.isoformat(),
            "station": self.station,
            "by_officer": [
                {
                    "officer": row.officer.full_name,
                    "service_number": row.officer.service_number,
                    "states": {state.value: count for state, count in row.counts},
                }
                for row in self.by_officer
            ],
            "median_seconds": {s.stage: s.median_seconds for s in self.stages},
            "face_overrides": self.face_overrides,
            "own_work_approvals": self.own_work_approvals,
            "waiting_review": self.waiting_review,
            "unfinished": self.unfinished,
            "demo": self.demo,
        }


@dataclass(frozen=True, slots=True)
class ReportSource:
    """What a report is computed from: the station, its people and its audit log."""

    station: str
    unit_name: str
    people: Mapping[str, Person]
    entries: Sequence[AuditFields]
    generated_at: datetime
    demo: bool


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants where ``day`` (in Vietnam) starts and the next one starts."""
    start = datetime.combine(day, time.min, LOCAL_ZONE)
    return start, start + timedelta(days=1)


def summarise(day: date, source: ReportSource) -> DailyReport:
    """The report of ``day`` from ``source`` (entries after the day's end are ignored)."""
    start, end = day_bounds(day)
    entries = [e for e in source.entries if e.at < end]
    timeline = _timelines(entries)
    opened = {s: t for s, t in timeline.items() if start <= t[0].at}
    final = {s: ApplicationState(str(t[-1].details["to_state"])) for s, t in timeline.items()}
    today = [e for e in entries if start <= e.at]
    return DailyReport(
        day=day,
        station=source.station,
        unit_name=source.unit_name,
        generated_at=source.generated_at,
        by_officer=_by_officer(opened, final, source.people),
        stages=tuple(_median(name, first, last, opened) for name, first, last in STAGES),
        face_overrides=sum(1 for e in today if e.action == Action.OVERRIDE_FACE.value),
        own_work_approvals=sum(1 for e in today if e.details.get("four_eyes_relaxed") is True),
        waiting_review=sum(1 for state in final.values() if state in _WAITING),
        unfinished=sum(1 for state in final.values() if state in _UNFINISHED),
        demo=source.demo,
    )


def _timelines(entries: Iterable[AuditFields]) -> dict[str, list[AuditFields]]:
    """Each application's transition entries in order, keyed by its id (other entries dropped)."""
    timeline: dict[str, list[AuditFields]] = defaultdict(list)
    for entry in sorted(entries, key=lambda e: e.sequence):
        if "to_state" in entry.details:
            timeline[entry.subject].append(entry)
    return {s: t for s, t in timeline.items() if t[0].action == Action.CREATE.value}


def _by_officer(
    opened: Mapping[str, list[AuditFields]],
    final: Mapping[str, ApplicationState],
    people: Mapping[str, Person],
) -> tuple[OfficerRow, ...]:
    counts: dict[str, Counter[ApplicationState]] = defaultdict(Counter)
    for subject, timeline in opened.items():
        counts[timeline[0].actor][final[subject]] += 1
    unknown = Person("?", "?")
    rows = [
        OfficerRow(people.get(actor, unknown), tuple(sorted(count.items())))
        for actor, count in counts.items()
    ]
    return tuple(sorted(rows, key=lambda row: row.officer.full_name))


def _median(
    name: str, first: Action, last: Action | None, opened: Mapping[str, list[AuditFields]]
) -> StageMedian:
    durations = []
    for timeline in opened.values():
        began = next((e.at for e in timeline if e.action == first.value), None)
        ends = {last.value} if last is not None else _DECISIONS
        ended = next((e.at for e in timeline if e.action in ends), None)
        if began is not None and ended is not None:
            durations.append((ended - began).total_seconds())
    median = statistics.median(durations) if durations else None
    return StageMedian(name, median, len(durations))


def render_daily_report(report: DailyReport) -> bytes:
    """The report as an A4 PDF (tables of text; more pages when the officers run long)."""
    title = f"Báo cáo ngày {report.day:%d/%m/%Y}"
    sheet = Sheet(Metadata(title, f"{title} - {report.station}", report.unit_name))
    if report.demo:
        sheet.watermark("DEMO")
    centre = PAGE_WIDTH_MM / 2
    sheet.text(centre, 22, report.unit_name.upper(), size=10, bold=True, align=Align.CENTRE)
    sheet.text(
        centre, 32, "BÁO CÁO TIẾP NHẬN HỒ SƠ TRONG NGÀY", size=15, bold=True, align=Align.CENTRE
    )
    sheet.text(
        centre, 39, f"Ngày {report.day:%d/%m/%Y}, máy {report.station}", size=11, align=Align.CENTRE
    )
    y = _officer_table(sheet, report, 52)
    y = _stage_table(sheet, report, y + 8)
    _totals(sheet, report, y + 8)
    return sheet.finish()


def _officer_table(sheet: Sheet, report: DailyReport, y: float) -> float:
    sheet.text(MARGIN_MM, y, "Hồ sơ theo cán bộ và trạng thái", size=12, bold=True)
    y += 7
    if not report.by_officer:
        sheet.text(MARGIN_MM, y, "Không có hồ sơ nào trong ngày.", size=10)
        return y
    for row in report.by_officer:
        if y > PAGE_HEIGHT_MM - 40:
            sheet.new_page()
            y = 25.0
        sheet.text(
            MARGIN_MM,
            y,
            f"{row.officer.full_name} (số hiệu {row.officer.service_number})",
            size=10,
            bold=True,
        )
        states = ", ".join(f"{STATE_NAMES[state]}: {count}" for state, count in row.counts)
        y = sheet.wrapped(MARGIN_MM + 6, y + 5, PAGE_WIDTH_MM - 2 * MARGIN_MM - 6, states, size=10)
        y += 2
    return y


def _stage_table(sheet: Sheet, report: DailyReport, y: float) -> float:
    sheet.text(MARGIN_MM, y, "Thời gian trung vị mỗi bước", size=12, bold=True)
    for stage in report.stages:
        y += 6
        value = "chưa có" if stage.median_seconds is None else _minutes(stage.median_seconds)
        sheet.text(
            MARGIN_MM + 6, y, f"{STAGE_NAMES[stage.stage]}: {value} ({stage.count} hồ sơ)", size=10
        )
    return y


def _totals(sheet: Sheet, report: DailyReport, y: float) -> None:
    sheet.text(MARGIN_MM, y, "Ngoại lệ và hồ sơ tồn đọng", size=12, bold=True)
    y += 7
    lines = (
        f"Vượt quyền khuôn mặt (lãnh đạo cho phép tiếp tục): {report.face_overrides}",
        f"Phê duyệt hồ sơ do chính mình tiếp nhận: {report.own_work_approvals}",
        f"Hồ sơ đang chờ phê duyệt: {report.waiting_review}",
        f"Hồ sơ đang nhập dở: {report.unfinished}",
        f"Lập lúc {local_time(report.generated_at)}",
    )
    for line in lines:
        sheet.text(MARGIN_MM, y, line, size=10)
        y += 6


def _minutes(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} phút {rest:02d} giây"
