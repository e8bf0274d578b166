"""Pausing Python's cyclic garbage collector around bulk creation of objects.

Creating hundreds of thousands of rows or contacts triggers the collector over and over, each
pass scanning everything alive, which can double the time; none of the new objects is garbage
yet, so pausing it for the duration is safe."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class SettledHeap:
    """Keeps what the emulator holds out of the collector's full passes, in a process it owns
    (`invent-emulator serve`; never a test process, where freezing would reach the user's own
    objects). A full collection walks every tracked object: with a 100,000-contact org and its
    200,000 rows that is 250-380 ms, and every request queued meanwhile waits (p99 at 64
    connections). `gc.freeze()` moves what is alive into a generation no collection walks.

    `settle` after the scenario is loaded and when a marketing send's rows are all made (one
    young collection first, so only long-lived garbage can be frozen with them); `release`
    when an org is replaced or removed, whose objects must become collectable again. After a
    release nothing is frozen again until a full collection has run, so the released garbage
    is never frozen a second time.

    What is frozen is everything alive at that moment, so a little of it (a connection or a
    request in flight) becomes garbage the collector cannot see. Two bounds keep that finite:
    every `REFRESH_EVERY`th settle is a full collection before the freeze, which reclaims it;
    and an org lighter than `release_at` objects is not worth a release (a per-test org
    deleted after every test would otherwise thaw the big ones for good), so its few frozen
    objects wait for the next refresh."""

    REFRESH_EVERY = 32

    def __init__(self, enabled: bool = False, release_at: int = 10_000) -> None:
        self.enabled = enabled
        self.release_at = release_at
        self._released_at: int | None = None  # full collections counted at the last release
        self._settles = 0  # since the last full collection before a freeze

    def settle(self) -> None:
        if not self.enabled:
            return
        if self._released_at is not None and _full_collections() == self._released_at:
            return  # the released objects are not collected yet
        self._released_at = None
        self._settles += 1
        if self._settles >= self.REFRESH_EVERY:
            self._settles = 0
            gc.unfreeze()
            gc.collect()
        else:
            gc.collect(1)
        gc.freeze()

    def release(self, weight: int) -> None:
        """After an org of about `weight` objects was replaced or removed."""
        if not self.enabled or gc.get_freeze_count() == 0 or weight < self.release_at:
            return
        gc.unfreeze()
        self._released_at = _full_collections()


def _full_collections() -> int:
    return int(gc.get_stats()[2]["collections"])
