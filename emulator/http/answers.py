"""What every answer model shares. Each resource module (http/broadcasts.py, http/contacts.py …)
declares its answer models beside the functions that render them; the OpenAPI document is made
from those models and the test suite checks every answer it receives against them, so a model
and its renderer cannot drift apart unnoticed. Every field is required: nullable ones are
present with null, never omitted."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

Json = dict[str, Any]
# What clock.format_timestamp writes: UTC, milliseconds, `Z` (docs/decisions.md, "Wire format").
Timestamp = Annotated[str, Field(
    pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$",
    json_schema_extra={"format": "date-time", "examples": ["2026-01-05T09:00:00.000Z"]},
)]
Count = Annotated[int, Field(ge=0)]
JsonObject = dict[str, Any]


class Answer(BaseModel):
    """An answer object: every field listed, nothing else (additionalProperties false)."""

    # Built when the API description or a test first asks (never on a request's path), so
    # start-up does not pay for the schema of every answer.
    model_config = ConfigDict(extra="forbid", defer_build=True)
