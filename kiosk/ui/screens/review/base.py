"""What the supervisor's pages share: the review and record services and the chosen application."""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.domain.ids import ApplicationId
from kiosk.services.records import RecordService
from kiosk.services.review import ReviewService

QUEUE, DETAIL, REPORT, OUTBOX = "review_queue", "review_detail", "daily_report", "outbox"


@dataclass(slots=True)
class Selection:
    """The application the supervisor opened from the queue."""

    application_id: ApplicationId | None = None


@dataclass(frozen=True, slots=True)
class ReviewContext:
    """The supervisor's services and the shared selection."""

    review: ReviewService
    records: RecordService
    selection: Selection = field(default_factory=Selection)
