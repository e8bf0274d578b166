"""What every answer model shares. Each resource module (http/broadcasts.py, http/contacts.py …)
declares its answer models beside the functions that render them; the OpenAPI document is made
from those models and the test suite checks every answer it receives against them, so a model
and its renderer cannot drift apart unnoticed. Every field is required: nullable ones are
present with null, never omitted.

An answer model is a plain annotated class, not a pydantic model: serving never uses one (the
renderers write the answers), so start-up does not import pydantic for them. The API
description makes each into its pydantic twin on first need (http/answermodels.py); `Field`
here takes pydantic's arguments and hands them over unchanged."""

from __future__ import annotations

from typing import Annotated, Any

Json = dict[str, Any]
JsonObject = dict[str, Any]


class FieldSpec:
    """A field's constraints and description: the keyword arguments of `pydantic.Field`.
    (Hashed by identity, as pydantic's own is, so it can stand in an `Annotated` of a union.)"""

    __slots__ = ("arguments",)

    def __init__(self, arguments: dict[str, Any]) -> None:
        self.arguments = arguments


def Field(**arguments: Any) -> Any:
    """Describe a field as `pydantic.Field(**arguments)` would, for the API description.
    Typed `Any` as pydantic's is, so it stands as any field's default in a class body."""
    return FieldSpec(arguments)


# What clock.format_timestamp writes: UTC, milliseconds, `Z` (docs/decisions.md, "Wire format").
Timestamp = Annotated[str, Field(
    pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$",
    json_schema_extra={"format": "date-time", "examples": ["2026-01-05T09:00:00.000Z"]},
)]
Count = Annotated[int, Field(ge=0)]


class Answer:
    """An answer object: every field listed, nothing else (additionalProperties false)."""


def answer_class(name: str, base: type[Answer], module: str, doc: str,
                 fields: dict[str, tuple[Any, Any]]) -> type[Answer]:
    """An answer model whose fields are made by code (in the order of `fields`: name → (type,
    `...` when required, else its default or `Field(...)`)), as a class statement would."""
    namespace: dict[str, Any] = {
        "__module__": module, "__qualname__": name, "__doc__": doc,
        "__annotations__": {field: kind for field, (kind, _) in fields.items()},
        **{field: default for field, (_, default) in fields.items() if default is not ...},
    }
    return type(name, (base,), namespace)
