"""Progress of long jobs, in the domain's words, for services to report and the UI to show.

Jobs (chip reads, face pipelines, PDF rendering) report through a ``ProgressSink`` so that they
stay free of Qt; the UI's job runner throttles and turns the reports into signals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Progress:
    """One report: the named step, and how much of it is done.

    Attributes:
        step: a stable step name (for example ``"read_dg2"``), translated by the UI.
        done: units done so far (bytes, frames, pages).
        total: units in all, or 0 when the total is not known yet (an indeterminate bar).
    """

    step: str
    done: int
    total: int

    @property
    def fraction(self) -> float | None:
        """Share done in [0, 1], or None when the total is unknown, so bars never divide by 0."""
        if self.total <= 0:
            return None
        return min(max(self.done / self.total, 0.0), 1.0)


ProgressSink = Callable[[Progress], None]
