"""Query-string parsing: pagination, booleans and enums, strict so that `take=5_0` or
`is_sent=yes` is a 400 naming the parameter rather than a silent guess."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from starlette.datastructures import QueryParams

from emulator.domain.errors import bad_request

# The public "Pagination and Filtering" page: "take … Default is 100".
DEFAULT_TAKE = 100
MAX_TAKE = 100
_DIGITS = re.compile(r"[0-9]{1,18}")

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


def boolean(params: QueryParams, name: str) -> bool | None:
    raw = params.get(name)
    if raw is None:
        return None
    if raw not in ("true", "false"):
        raise bad_request(f"{name} must be true or false", name)
    return raw == "true"


def choice(params: QueryParams, name: str, options: Sequence[str]) -> str | None:
    raw = params.get(name)
    if raw is None:
        return None
    if raw not in options:
        raise bad_request(f"{name} must be one of: {', '.join(options)}", name)
    return raw


def text(params: QueryParams, name: str) -> str | None:
    raw = params.get(name)
    if raw is not None and len(raw) > 256:
        raise bad_request(f"{name} must be at most 256 characters", name)
    return raw


DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000


def limit_of(params: QueryParams) -> int:
    """`limit` of the control surface's lists: 1 to 10,000, default 100."""
    limit = _whole_number(params, "limit", DEFAULT_LIMIT)
    if not 1 <= limit <= MAX_LIMIT:
        raise bad_request(f"limit must be from 1 to {MAX_LIMIT}", "limit")
    return limit


# RFC 3339: a date, `T` (or a space), a time, and a zone (`Z` or an offset).
_MOMENT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?"
                     r"([Zz]|[+-][0-9]{2}:[0-9]{2})")


def moment(params: QueryParams, name: str) -> datetime | None:
    """An RFC 3339 timestamp with its zone, e.g. `2026-01-05T09:00:00Z`, as UTC."""
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


def seconds(params: QueryParams, name: str, most: int) -> float | None:
    """A number of seconds from 0 to `most` (decimals allowed: `0.5`)."""
    raw = params.get(name)
    if raw is None:
        return None
    if not re.fullmatch(r"[0-9]{1,6}(\.[0-9]{1,3})?", raw) or float(raw) > most:
        raise bad_request(f"{name} must be a number of seconds from 0 to {most}", name)
    return float(raw)
