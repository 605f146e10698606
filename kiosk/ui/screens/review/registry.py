"""The supervisor's pages, built once for the main window's stack."""

from __future__ import annotations

from kiosk.ui.context import ShellContext
from kiosk.ui.screens.enrol.base import EnrolContext, FlowScreen
from kiosk.ui.screens.review.base import DETAIL, OUTBOX, QUEUE, REPORT, ReviewContext
from kiosk.ui.screens.review.detail import ReviewDetailScreen
from kiosk.ui.screens.review.outbox import OutboxScreen
from kiosk.ui.screens.review.queue import ReviewQueueScreen
from kiosk.ui.screens.review.report import DailyReportScreen


def review_screens(shell: ShellContext, context: EnrolContext) -> dict[str, FlowScreen]:
    """The review queue, one application's review, the daily report and the outbox."""
    review = ReviewContext(shell.services.review, shell.services.records)
    return {
        QUEUE: ReviewQueueScreen(context, review),
        DETAIL: ReviewDetailScreen(context, review),
        REPORT: DailyReportScreen(context),
        OUTBOX: OutboxScreen(context, shell.services.sync),
    }
