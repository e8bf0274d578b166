"""Where a broadcast's recipient rows are, by what the recipients list filters on, so that any
page of a 200,000-row send costs the page, not the send.

Positions are the rows' places in creation order. Flags and PROCESSED only ever become true, so
each keeps a sorted array of the positions where it holds (rows mostly change in creation order,
so an insert is nearly always an append). Address fields never change once a row exists: their
index is built on the first filter that needs it and extended as rows are added."""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Callable, Iterator, Sequence

PROCESSED = "PROCESSED"


class RowIndex:
    def __init__(self) -> None:
        self._holds: dict[str, array[int]] = {}
        # field -> (rows indexed so far, value -> positions)
        self._values: dict[str, tuple[int, dict[str, list[int]]]] = {}

    def mark(self, key: str, position: int) -> None:
        """`key` (a flag's wire name, or PROCESSED) now holds for the row at `position`."""
        positions = self._holds.get(key)
        if positions is None:
            positions = self._holds[key] = array("I")
        if not positions or positions[-1] < position:
            positions.append(position)
        else:
            bisect.insort(positions, position)

    def mark_many(self, key: str, positions: range) -> None:
        """`mark` for each of `positions` (ascending)."""
        if not positions:
            return
        held = self._holds.get(key)
        if held is None:
            held = self._holds[key] = array("I")
        if held and held[-1] >= positions[0]:
            for position in positions:
                self.mark(key, position)
        else:
            held.extend(positions)

    def holding(self, key: str, wanted: bool, total: int) -> PositionsNewestFirst:
        """Positions where `key` holds (or, with `wanted` false, does not), newest first."""
        positions = self._holds.get(key) or array("I")
        return _Members(positions) if wanted else _NonMembers(positions, total)

    def with_value(self, field: str, value: str, total: int,
                   value_at: Callable[[int], str | None]) -> PositionsNewestFirst:
        """Positions whose `field` equals `value` (as `value_at` reads a row's), newest first."""
        indexed, by_value = self._values.get(field, (0, {}))
        for position in range(indexed, total):
            found = value_at(position)
            if found is not None:
                by_value.setdefault(found, []).append(position)
        self._values[field] = (total, by_value)
        return _Members(by_value.get(value, []))


class PositionsNewestFirst:
    """A set of positions, counted and read newest first without listing it whole."""

    def __len__(self) -> int:
        raise NotImplementedError

    def nth_newest(self, n: int) -> int:
        raise NotImplementedError

    def page(self, offset: int, take: int) -> list[int]:
        return [self.nth_newest(n) for n in range(offset, min(len(self), offset + take))]

    def newest_first(self) -> Iterator[int]:
        raise NotImplementedError


class _Members(PositionsNewestFirst):
    def __init__(self, positions: Sequence[int]) -> None:
        self.positions = positions

    def __len__(self) -> int:
        return len(self.positions)

    def nth_newest(self, n: int) -> int:
        return self.positions[len(self.positions) - 1 - n]

    def newest_first(self) -> Iterator[int]:
        return reversed(self.positions)


class _NonMembers(PositionsNewestFirst):
    """The positions from 0 to `total` that are not in `members`."""

    def __init__(self, members: Sequence[int], total: int) -> None:
        self.members = members
        self.total = total

    def __len__(self) -> int:
        return self.total - len(self.members)

    def nth_newest(self, n: int) -> int:
        # The largest p with at least n + 1 non-members in [p, total): binary search on p.
        low, high = 0, self.total - 1
        while low < high:
            middle = (low + high + 1) // 2
            if self._after(middle) >= n + 1:
                low = middle
            else:
                high = middle - 1
        return low

    def newest_first(self) -> Iterator[int]:
        members = reversed(self.members)
        member = next(members, -1)
        for position in range(self.total - 1, -1, -1):
            if position == member:
                member = next(members, -1)
            else:
                yield position

    def _after(self, position: int) -> int:
        """Non-members at `position` or later."""
        members_after = len(self.members) - bisect.bisect_left(self.members, position)
        return self.total - position - members_after
