"""Errors the rules raise; the HTTP layer renders each as the documented error envelope."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")


@dataclass(slots=True)
class FieldProblem:
    field: str
    message: str


@dataclass
class ApiError(Exception):
    status: int
    message: str
    details: list[FieldProblem] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message


def bad_request(message: str, field_name: str | None = None) -> ApiError:
    details = [FieldProblem(field_name, message)] if field_name else []
    return ApiError(400, message, details)


def not_found(message: str) -> ApiError:
    return ApiError(404, message)


def unauthorized(message: str) -> ApiError:
    return ApiError(401, message)


def too_many_requests(message: str, retry_after: int) -> ApiError:
    return ApiError(429, message, headers={"Retry-After": str(retry_after)})


def found(item: T | None, kind: str, key: str) -> T:
    """`item`, or the documented 404 naming what was looked for."""
    if item is None:
        raise not_found(f"{kind} '{key}' not found")
    return item
