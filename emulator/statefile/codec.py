"""Dataclasses ⇄ plain JSON lists, field by field in declaration order. The file names each
record kind's fields once (`Codec.names`), so a file written with other fields is refused with a
clear message instead of being read wrong."""

from __future__ import annotations

import dataclasses
import functools
import operator
from collections.abc import Callable, Mapping
from datetime import datetime
from enum import Enum
from typing import Any, Generic, TypeVar

T = TypeVar("T")
Plain = Any  # a value json.dumps writes as it is
Convert = Callable[[Any], Any]

# Timestamps repeat a lot (a generated audience, a marketing send's rows share their moments):
# caching the conversions halves the time to save or load 100,000 contacts.
_CACHE = 65_536


@functools.lru_cache(maxsize=_CACHE)
def _iso(moment: datetime) -> str:
    return moment.isoformat()


@functools.lru_cache(maxsize=_CACHE)
def time_req(text: str) -> datetime:
    return datetime.fromisoformat(text)


def time_out(moment: datetime | None) -> str | None:
    return None if moment is None else _iso(moment)


def time_in(text: str | None) -> datetime | None:
    return None if text is None else time_req(text)


class Codec(Generic[T]):
    """One dataclass as a list of its init fields' values; datetimes as ISO text, enums by
    value (every enum here is a StrEnum, which JSON writes as its value), and `custom` fields
    through their own pair of functions."""

    def __init__(self, cls: type[T], *, times: tuple[str, ...] = (),
                 enums: Mapping[str, type[Enum]] | None = None,
                 custom: Mapping[str, tuple[Convert, Convert]] | None = None) -> None:
        self.cls = cls
        # A class that is not a dataclass (the compact recipient row) names its fields itself,
        # in the order its constructor takes them.
        self.names = getattr(cls, "FIELDS", None) or tuple(
            f.name for f in dataclasses.fields(cls) if f.init)  # type: ignore[arg-type]
        converters: dict[str, tuple[Convert | None, Convert]] = {
            name: (time_out, time_in) for name in times}
        for name, enum in (enums or {}).items():
            converters[name] = (None, _enum_in(enum))
        converters.update(custom or {})
        self._get = operator.attrgetter(*self.names)
        self._out = [(i, pair[0]) for i, name in enumerate(self.names)
                     if (pair := converters.get(name)) is not None and pair[0] is not None]
        self._in = [(i, converters[name][1]) for i, name in enumerate(self.names)
                    if name in converters]

    def dump(self, obj: T) -> list[Plain]:
        values = list(self._get(obj))
        for index, convert in self._out:
            values[index] = convert(values[index])
        return values

    def load(self, values: list[Plain]) -> T:
        if not isinstance(values, list) or len(values) != len(self.names):
            raise ValueError(f"a {self.cls.__name__} record is not a list of "
                             f"{len(self.names)} fields")
        for index, convert in self._in:  # the list is the decoder's own: converted in place
            values[index] = convert(values[index])
        return self.cls(*values)


def _enum_in(enum: type[Enum]) -> Convert:
    members: dict[Any, Any] = {member.value: member for member in enum}
    members[None] = None
    return members.__getitem__
