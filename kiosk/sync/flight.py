"""One delivery's flight: rows claimed and not yet sent, requests in flight, the verdict pull.

The relay opens a delivery with one request alone and widens to its senders once the server
has answered one, so a server that is down, refusing or throttling sees a single request. The
first failure closes the window: nothing new is sent, the requests in flight finish, and the
relay raises the failure once they have. This module owns that bookkeeping; the relay
(``kiosk.sync.relay``) owns the requests and the records.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from kiosk.store.repositories.outbox import OutboxItem


class Flight:
    """What one delivery holds: rows claimed and not sent, requests in flight, the verdict pull.

    Used by the relay thread alone (the senders only run ``Relay._send``).

    Args:
        senders: requests in flight at most, once the server has answered one.
        verdicts_every: answers between two verdict pages pulled beside the sends.
    """

    def __init__(self, senders: int, verdicts_every: int) -> None:
        self.senders = senders
        self.verdicts_every = verdicts_every
        self.window = 1
        self.claimed: deque[OutboxItem] = deque()
        self.sends: set[Future[None]] = set()
        self.pull: Future[int] | None = None
        self.answered = 0
        self.failure: BaseException | None = None

    def has_room(self) -> bool:
        """Whether another request may start: no failure yet and the window not full."""
        return self.failure is None and len(self.sends) < self.window

    def next_item(self, claim: Callable[[], list[OutboxItem]]) -> OutboxItem | None:
        """The next claimed row to send, claiming a batch with ``claim`` when none is left."""
        if not self.claimed:
            self.claimed.extend(claim())
        return self.claimed.popleft() if self.claimed else None

    def pull_due(self) -> bool:
        """Whether a verdict page should be pulled now (enough answers since the last one)."""
        return self.failure is None and self.pull is None and self.answered >= self.verdicts_every

    def running(self) -> set[Future[Any]]:
        """Every request in flight, sends and the verdict pull alike (to wait on)."""
        return self.sends | ({self.pull} if self.pull is not None else set())

    def start_pull(self, pull: Future[int]) -> None:
        """Hold the verdict pull just started; the count of answers starts again."""
        self.pull, self.answered = pull, 0

    def settle(self, done: set[Future[Any]]) -> None:
        """Take finished requests: widen the window after an answer, keep the first failure."""
        for future in done:
            error = future.exception()
            if future is self.pull:
                self.pull = None
            else:
                self.sends.discard(future)
                if error is None:
                    self.window = self.senders
                    self.answered += 1
            if error is not None and self.failure is None:
                self.failure = error
