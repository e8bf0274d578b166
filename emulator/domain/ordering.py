"""The one ordering of every list: newest first, and items created at the same instant in
reverse creation order (so the order is stable and the same on every run)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TypeVar

T = TypeVar("T")


def newest_first(items: Iterable[T], created_at: Callable[[T], datetime]) -> list[T]:
    """`items` in creation order in, newest first out."""
    chosen = list(items)
    chosen.reverse()
    chosen.sort(key=created_at, reverse=True)  # stable: ties keep reverse creation order
    return chosen
