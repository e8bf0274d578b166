"""The pydantic twin of each answer model (http/answers.py), made on first need: the API
description (http/openapi.py) is written from the twins, and through it the test suite's
self-contract. Serving never asks, so pydantic stays off the path to the first answer.

A twin is what the same class statement on `pydantic.BaseModel` would make: the same name,
module, docstring, fields in the same order with the same types (answer models inside them
replaced by their twins) and `Field` arguments, and the same base (the twin of an answer model
it extends), so the JSON Schema pydantic writes for it is the one it wrote before."""

from __future__ import annotations

import functools
import inspect
import operator
import types
import typing
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField

from emulator.http.answers import Answer, FieldSpec


class AnswerModel(BaseModel):
    """An answer object: every field listed, nothing else (additionalProperties false)."""

    # Built when the API description first asks, so no schema is compiled before.
    model_config = ConfigDict(extra="forbid", defer_build=True)


# Made once per answer model: the API description refers to a twin by identity.
_TWINS: dict[type[Answer], type[BaseModel]] = {}


def pydantic_model(answer: type[Answer]) -> type[BaseModel]:
    """The pydantic twin of `answer` (the same object each time)."""
    twin = _TWINS.get(answer)
    if twin is None:
        twin = _TWINS[answer] = _twin(answer)
    return twin


def _twin(answer: type[Answer]) -> type[BaseModel]:
    parent = answer.__bases__[0]
    base = AnswerModel if parent is Answer else pydantic_model(parent)
    hints = typing.get_type_hints(answer, include_extras=True)
    own = inspect.get_annotations(answer)
    namespace: dict[str, Any] = {
        "__module__": answer.__module__, "__qualname__": answer.__qualname__,
        "__doc__": answer.__doc__, "__annotations__": {
            name: _twin_type(hints[name]) for name in own},
    }
    for name in own:
        if name in answer.__dict__:
            namespace[name] = _twin_value(answer.__dict__[name])
    model = types.new_class(answer.__name__, (base,), exec_body=lambda body: body.update(namespace))
    if not issubclass(model, BaseModel):
        raise TypeError(f"{model} is not a pydantic model")
    return model


def _twin_type(kind: Any) -> Any:
    """`kind` with every answer model in it replaced by its twin and every `Field` by
    pydantic's."""
    if isinstance(kind, type) and issubclass(kind, Answer):
        return pydantic_model(kind)
    origin, arguments = typing.get_origin(kind), typing.get_args(kind)
    if origin is None or origin is Literal or not arguments:
        return kind
    if origin is Annotated:
        return Annotated[(_twin_type(arguments[0]),
                          *(_twin_value(extra) for extra in kind.__metadata__))]
    twins = tuple(_twin_type(argument) for argument in arguments)
    if origin is types.UnionType or origin is typing.Union:
        return functools.reduce(operator.or_, twins)
    return origin[twins]


def _twin_value(value: Any) -> Any:
    return PydanticField(**value.arguments) if isinstance(value, FieldSpec) else value
