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
