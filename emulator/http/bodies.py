"""Handles on the request bodies' pydantic models (http/schemas.py), for the operations'
declarations: the models, and pydantic with them, are imported at the first write or when the
API description first asks, not at start-up (a served emulator answers its health check, and
every read, without them)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, TypeVar, cast

from emulator.domain.errors import bad_request

if TYPE_CHECKING:
    from pydantic import BaseModel

M = TypeVar("M", bound="BaseModel", covariant=True)


class Body(Generic[M]):
    """The body model named `name` in http/schemas.py, imported on first use."""

    __slots__ = ("_model", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        self._model: type[M] | None = None

    def model(self) -> type[M]:
        if self._model is None:
            # Here, not at the top: importing the schemas is importing pydantic (docstring).
            from emulator.http import schemas

            self._model = cast("type[M]", getattr(schemas, self.name))
        return self._model

    def parse(self, raw: bytes) -> M:
        """The body as its model: an empty body is `{}`; malformed JSON, a non-object, or a
        bad field is a 400 that names the field."""
        from emulator.http.schemas import parse_body  # loaded by `model` just before

        return parse_body(self.model(), raw)


def patched(body: BaseModel, non_null: tuple[str, ...]) -> set[str]:
    """The fields a PATCH body sets: at least one, and none of `non_null` set to null."""
    given = body.model_fields_set
    if not given:
        raise bad_request(f"Give at least one of {', '.join(type(body).model_fields)}")
    for field_name in non_null:
        if field_name in given and getattr(body, field_name) is None:
            raise bad_request(f"{field_name}: must not be null", field_name)
    return given
