"""Work that falls due on an org's clock (background sends, timed outcomes), run in order.

Entries are data (small frozen dataclasses naming what happens to which broadcast and row), not
closures, so a state file can save them and a restored org runs them exactly as the saved one
would have."""

from __future__ import annotations

import heapq
from collections.abc import Callable
from datetime import datetime
from typing import Generic, TypeVar

E = TypeVar("E")


class Scheduler(Generic[E]):
    def __init__(self) -> None:
        self._queue: list[tuple[datetime, int, E]] = []
        # The next entry's sequence number: entries due at the same moment run in the order
        # they were scheduled.
        self.next_sequence = 0

    def at(self, due: datetime, entry: E) -> None:
        heapq.heappush(self._queue, (due, self.next_sequence, entry))
        self.next_sequence += 1

    def run_due(self, now: datetime, perform: Callable[[E, datetime], None]) -> int:
        """Perform every entry due at or before `now`, earliest first; returns how many ran.

        Each entry is performed at its own due time, so what it stamps is when it happened, not
        when somebody looked.
        """
        ran = 0
        while self._queue and self._queue[0][0] <= now:
            due, _, entry = heapq.heappop(self._queue)
            perform(entry, due)
            ran += 1
        return ran

    def next_due(self) -> datetime | None:
        return self._queue[0][0] if self._queue else None

    def entries(self) -> list[tuple[datetime, int, E]]:
        """Every waiting entry with its due time and sequence number (heap order)."""
        return list(self._queue)

    def restore(self, entries: list[tuple[datetime, int, E]], next_sequence: int) -> None:
        """Put back what `entries` and `next_sequence` read from a saved scheduler."""
        self._queue = list(entries)
        heapq.heapify(self._queue)
        self.next_sequence = next_sequence

    def __len__(self) -> int:
        return len(self._queue)
