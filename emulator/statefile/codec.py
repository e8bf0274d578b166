"""Dataclasses ⇄ plain JSON lists, field by field in declaration order. The file names each
record kind's fields once (`Codec.names`), so a file written with other fields is refused with a
clear message instead of being read wrong."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import math
import operator
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from enum import Enum
from typing import Any, Generic, TypeVar

from emulator.support.moments import check_moment

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
    """A saved moment; one the clock cannot hold (no timezone, before 1970, after 9000) is
    refused here, not met later by date arithmetic that overflows."""
    if not isinstance(text, str):
        raise ValueError(f"{text!r} is not a timestamp")
    return check_moment(datetime.fromisoformat(text))


class FieldError(ValueError):
    """A value of a state file that cannot be used, with where it is (`path`)."""

    def __init__(self, path: list[str | int], problem: str) -> None:
        super().__init__(problem)
        self.path = path
        self.problem = problem

    @property
    def where(self) -> str:
        return "".join(f"[{step}]" if isinstance(step, int) else f".{step}"
                       for step in self.path).lstrip(".")


@contextlib.contextmanager
def at(*steps: str | int) -> Iterator[None]:
    """Whatever goes wrong inside is a FieldError whose path starts with `steps`."""
    try:
        yield
    except FieldError as error:
        error.path[:0] = steps
        raise
    except Exception as error:  # a hand-edited file can break a loader in any way
        raise FieldError(list(steps), describe(error)) from None


def describe(error: Exception) -> str:
    """One line: a scenario's problems are joined, a KeyError says which key."""
    if isinstance(error, KeyError):
        return f"missing or unknown key or id {error.args[0]!r}"
    text = "; ".join(line.strip() for line in str(error).splitlines() if line.strip())
    return text if isinstance(error, ValueError) and text else f"{type(error).__name__}: {text}"


def whole(value: Any) -> int:
    """A whole number from 0 as JSON writes one (not a bool, a float or a numeral string)."""
    if not _is_count(value):
        raise ValueError(f"{value!r} is not a whole number from 0")
    return int(value)


def load_all(codec: Codec[T], records: Iterable[Any], name: str) -> list[T]:
    """Every record of a list, a failure named by its index."""
    loaded: list[T] = []
    try:
        for record in records:
            loaded.append(codec.load(record))
    except FieldError as error:
        error.path[:0] = [name, len(loaded)]
        raise
    except Exception as error:
        raise FieldError([name, len(loaded)], describe(error)) from None
    return loaded


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
        # Every other field is checked against its declared type: a hand-edited file must not
        # put a string or -1 where a count goes.
        # (A class naming its FIELDS declares their types on its constructor.)
        hints = typing.get_type_hints(cls.__init__ if hasattr(cls, "FIELDS") else cls)
        self._checks = [(i, check) for i, name in enumerate(self.names)
                        if name not in converters and (check := _checker(hints[name]))]

    def dump(self, obj: T) -> list[Plain]:
        values = list(self._get(obj))
        for index, convert in self._out:
            values[index] = convert(values[index])
        return values

    def load(self, values: list[Plain]) -> T:
        if not isinstance(values, list) or len(values) != len(self.names):
            raise ValueError(f"a {self.cls.__name__} record is not a list of "
                             f"{len(self.names)} fields")
        for index, check in self._checks:
            if not check(values[index]):
                raise FieldError([self.names[index]], f"{values[index]!r} is not "
                                 f"{_WORDS.get(check, 'the right kind of value')}")
        index = 0
        try:
            for index, convert in self._in:  # the list is the decoder's own: converted in place
                values[index] = convert(values[index])
        except FieldError as error:
            error.path[:0] = [self.names[index]]
            raise
        except Exception as error:
            raise FieldError([self.names[index]], describe(error)) from None
        return self.cls(*values)


def _is_count(value: Any) -> bool:
    return type(value) is int and 0 <= value < 1 << 63


def _is_number(value: Any) -> bool:
    return type(value) in (int, float) and math.isfinite(value)


def _is_text(value: Any) -> bool:
    return type(value) is str


def _is_flag(value: Any) -> bool:
    return type(value) is bool


def _is_counts(value: Any) -> bool:
    return type(value) is dict and all(_is_text(k) and _is_count(v) for k, v in value.items())


def _is_texts(value: Any) -> bool:
    return type(value) is list and all(_is_text(item) for item in value)


_SIMPLE: dict[Any, Callable[[Any], bool]] = {
    int: _is_count, float: _is_number, str: _is_text, bool: _is_flag,
    dict[str, int]: _is_counts, list[str]: _is_texts,
}
_WORDS: dict[Callable[[Any], bool], str] = {
    _is_count: "a whole number from 0", _is_number: "a number", _is_text: "a string",
    _is_flag: "true or false", _is_counts: "an object of whole numbers",
    _is_texts: "a list of strings",
}


def _checker(hint: Any) -> Callable[[Any], bool] | None:
    """A test for values of type `hint` (None: nothing worth checking, or a converter's job)."""
    if hint in _SIMPLE:
        return _SIMPLE[hint]
    origin = typing.get_origin(hint)
    if origin in (dict, list):
        return lambda value: type(value) is origin
    if origin in (types.UnionType, typing.Union):
        options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        if len(options) == 1 and (inner := _checker(options[0])) is not None:
            check = inner
            optional = lambda value: value is None or check(value)  # noqa: E731
            _WORDS[optional] = f"null or {_WORDS.get(check, 'the right kind of value')}"
            return optional
    return None


def _enum_in(enum: type[Enum]) -> Convert:
    members: dict[Any, Any] = {member.value: member for member in enum}
    members[None] = None
    return members.__getitem__
