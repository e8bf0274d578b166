"""Dataclasses ⇄ plain JSON lists, field by field in declaration order. The file names each
record kind's fields once (`Codec.names`), so a file written with other fields is refused with a
clear message instead of being read wrong."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import datetime
from enum import Enum
from typing import Any, Generic, TypeVar

T = TypeVar("T")
Plain = Any  # a value json.dumps writes as it is


def time_out(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def time_in(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def time_req(text: str) -> datetime:
    return datetime.fromisoformat(text)


class Codec(Generic[T]):
    """One dataclass as a list of its fields' values; datetimes as ISO text, enums by value,
    and `custom` fields through their own pair of functions."""

    def __init__(self, cls: type[T], *, times: tuple[str, ...] = (),
                 enums: Mapping[str, type[Enum]] | None = None,
                 custom: Mapping[str, tuple[Callable[[Any], Plain], Callable[[Plain], Any]]]
                 | None = None, skip: tuple[str, ...] = ()) -> None:
        self.cls = cls
        self.names = tuple(f.name for f in dataclasses.fields(cls)  # type: ignore[arg-type]
                           if f.init and f.name not in skip)
        converters: dict[str, tuple[Callable[[Any], Plain], Callable[[Plain], Any]]] = {
            name: (time_out, time_in) for name in times}
        for name, enum in (enums or {}).items():
            converters[name] = (_enum_out, _enum_in(enum))
        converters.update(custom or {})
        self._out = [(name, converters[name][0] if name in converters else None)
                     for name in self.names]
        self._in = [converters[name][1] if name in converters else None for name in self.names]

    def dump(self, obj: T) -> list[Plain]:
        return [getattr(obj, name) if convert is None else convert(getattr(obj, name))
                for name, convert in self._out]

    def load(self, values: list[Plain], **extra: Any) -> T:
        if len(values) != len(self._in):
            raise ValueError(f"a {self.cls.__name__} record has {len(values)} fields, "
                             f"not {len(self._in)}")
        kwargs = {name: value if convert is None else convert(value)
                  for name, convert, value in zip(self.names, self._in, values, strict=True)}
        return self.cls(**kwargs, **extra)


def _enum_out(value: Enum | None) -> Plain:
    return None if value is None else value.value


def _enum_in(enum: type[Enum]) -> Callable[[Plain], Any]:
    return lambda value: None if value is None else enum(value)
