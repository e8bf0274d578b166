"""Query models: an operation's query parameters, declared once as a `Query` of `Param`s, from
which both the OpenAPI parameters and the parsing come. Parsing is strict, so that `take=5_0`
or `is_sent=yes` is a 400 naming the parameter rather than a silent guess."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from starlette.datastructures import QueryParams

from emulator.domain.errors import bad_request

Json = dict[str, Any]
# The public "Pagination and Filtering" page: "take … Default is 100".
DEFAULT_TAKE = 100
MAX_TAKE = 100
DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
MAX_TEXT = 256
_DIGITS = re.compile(r"[0-9]{1,18}")
_STATUS_CODE = re.compile(r"[0-9]{3}")

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page:
    page: int
    take: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.take

    def slice(self, items: Sequence[T]) -> Sequence[T]:
        return items[self.offset:self.offset + self.take]

    def headers(self, count: int) -> dict[str, str]:
        return {
            "pagination-count": str(count),
            "pagination-page": str(self.page),
            "pagination-take": str(self.take),
        }


@dataclass(frozen=True, slots=True)
class Param:
    """One query parameter: its JSON Schema (for the document) and how it is read."""

    name: str
    schema: Json
    read: Callable[[QueryParams, str], Any]
    description: str = ""


@dataclass(frozen=True, slots=True)
class Query:
    """An operation's query model. `paged` adds `page`, `take` and `next`; parsing then answers
    the `Page` under "page", read after the other parameters."""

    params: tuple[Param, ...] = ()
    paged: bool = False

    @property
    def documented(self) -> tuple[Param, ...]:
        return (*self.params, *PAGING) if self.paged else self.params

    def parse(self, params: QueryParams) -> dict[str, Any]:
        values = {param.name: param.read(params, param.name) for param in self.params}
        if self.paged:
            values["page"] = page_of(params)
        return values


def page_of(params: QueryParams) -> Page:
    page = _whole_number(params, "page", 1)
    take = _whole_number(params, "take", DEFAULT_TAKE)
    if page < 1:
        raise bad_request("page must be 1 or more", "page")
    if not 1 <= take <= MAX_TAKE:
        raise bad_request(f"take must be from 1 to {MAX_TAKE}", "take")
    return Page(page, take)


def _whole_number(params: QueryParams, name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    if not _DIGITS.fullmatch(raw):
        raise bad_request(f"{name} must be a whole number", name)
    return int(raw)


def _boolean(params: QueryParams, name: str) -> bool | None:
    raw = params.get(name)
    if raw is None:
        return None
    if raw not in ("true", "false"):
        raise bad_request(f"{name} must be true or false", name)
    return raw == "true"


def _text(params: QueryParams, name: str) -> str | None:
    raw = params.get(name)
    if raw is not None and len(raw) > MAX_TEXT:
        raise bad_request(f"{name} must be at most {MAX_TEXT} characters", name)
    return raw


def _limit(params: QueryParams, name: str) -> int:
    limit = _whole_number(params, name, DEFAULT_LIMIT)
    if not 1 <= limit <= MAX_LIMIT:
        raise bad_request(f"{name} must be from 1 to {MAX_LIMIT}", name)
    return limit


def _status_code(params: QueryParams, name: str) -> int | None:
    raw = _text(params, name)
    if raw is not None and not _STATUS_CODE.fullmatch(raw):
        raise bad_request(f"{name} must be a number such as 429", name)
    return int(raw) if raw else None


def text(name: str, description: str = "") -> Param:
    return Param(name, {"type": "string", "maxLength": MAX_TEXT}, _text, description)


def choice(name: str, options: Sequence[str], description: str = "") -> Param:
    allowed = tuple(options)

    def read(params: QueryParams, key: str) -> str | None:
        raw = params.get(key)
        if raw is not None and raw not in allowed:
            raise bad_request(f"{key} must be one of: {', '.join(allowed)}", key)
        return raw

    return Param(name, {"type": "string", "enum": list(allowed)}, read, description)


def flag(name: str) -> Param:
    return Param(name, {"type": "boolean"}, _boolean, "Exactly `true` or `false`.")


def status_code(name: str) -> Param:
    return Param(name, {"type": "string", "pattern": "^[0-9]{3}$"}, _status_code)


# RFC 3339: a date, `T` (or a space), a time, and a zone (`Z` or an offset).
_MOMENT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?"
                     r"([Zz]|[+-][0-9]{2}:[0-9]{2})")


def _moment(params: QueryParams, name: str) -> datetime | None:
    raw = params.get(name)
    if raw is None:
        return None
    try:
        if not _MOMENT.fullmatch(raw):
            raise ValueError(raw)
        return datetime.fromisoformat(raw.upper()).astimezone(UTC)
    except (ValueError, OverflowError):
        raise bad_request(f"{name} must be an RFC 3339 timestamp such as "
                          "2026-01-05T09:00:00Z", name) from None


def moment(name: str, description: str = "") -> Param:
    """An RFC 3339 timestamp with its zone, e.g. `2026-01-05T09:00:00Z`, read as UTC."""
    return Param(name, {"type": "string", "format": "date-time"}, _moment, description)


def seconds(name: str, most: int, description: str = "") -> Param:
    """A number of seconds from 0 to `most` (decimals allowed: `0.5`)."""

    def read(params: QueryParams, key: str) -> float | None:
        raw = params.get(key)
        if raw is None:
            return None
        if not re.fullmatch(r"[0-9]{1,6}(\.[0-9]{1,3})?", raw) or float(raw) > most:
            raise bad_request(f"{key} must be a number of seconds from 0 to {most}", key)
        return float(raw)

    return Param(name, {"type": "number", "minimum": 0, "maximum": most}, read, description)


def raw_number(name: str, schema: Json, description: str) -> Param:
    """Documented here, read by `page_of` when given (the outbox pages only when asked)."""
    return Param(name, schema, lambda params, key: params.get(key), description)


LIMIT = Param("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                        "default": DEFAULT_LIMIT}, _limit, "At most this many, newest first.")
ORG_FILTER = text("org_id", "One org (404 when unknown); all orgs when absent.")
ORG_ONLY = Query((ORG_FILTER,))


def _read_by_page_of(params: QueryParams, name: str) -> None:
    return None


# Documented one by one; Query.parse reads page and take together through page_of.
PAGING = (
    Param("page", {"type": "integer", "minimum": 1, "maximum": 10**18 - 1, "default": 1},
          _read_by_page_of, "1-based page number, as plain digits."),
    Param("take", {"type": "integer", "minimum": 1, "maximum": MAX_TAKE,
                   "default": DEFAULT_TAKE}, _read_by_page_of, "Items per page, as plain digits."),
    Param("next", {"type": "string"}, _read_by_page_of,
          "Accepted and ignored (documented by Invent)."),
)
