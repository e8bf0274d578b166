"""Work that falls due on an org's clock (background sends, timed outcomes), run in order."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from datetime import datetime

Action = Callable[[datetime], None]


class Scheduler:
    def __init__(self) -> None:
        self._queue: list[tuple[datetime, int, Action]] = []
        self._sequence = itertools.count()

    def at(self, due: datetime, action: Action) -> None:
        heapq.heappush(self._queue, (due, next(self._sequence), action))

    def run_due(self, now: datetime) -> int:
        """Run every action due at or before `now`, earliest first; returns how many ran.

        Each action receives its own due time, so what it stamps is when it happened, not when
        somebody looked.
        """
        ran = 0
        while self._queue and self._queue[0][0] <= now:
            due, _, action = heapq.heappop(self._queue)
            action(due)
            ran += 1
        return ran

    def next_due(self) -> datetime | None:
        return self._queue[0][0] if self._queue else None

    def __len__(self) -> int:
        return len(self._queue)
