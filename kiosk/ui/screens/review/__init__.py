"""The supervisor's pages: the review queue, one application's review, the daily report."""
