"""The OpenAPI 3.1 document, built at run time from the operations of the route table
(http/operation.py): their paths, methods, query models, the pydantic models that parse
requests and the answer models' pydantic twins (http/answermodels.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, get_args

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema
from starlette.routing import BaseRoute

from emulator.domain.errors import FieldProblem
from emulator.http.answermodels import pydantic_model
from emulator.http.answers import Answer
from emulator.http.errors import Error, envelope_example
from emulator.http.operation import CONTROL, Operation, OperationRoute
from emulator.support.version import __version__

Json = dict[str, Any]
REF = "#/components/schemas/{model}"
METHOD_ORDER = ("GET", "PUT", "POST", "PATCH", "DELETE")
# Answered before any route runs: the body-size cap (413) applies to every path.
PHRASES = {400: "Bad request: a parameter or the body (the details name each field)",
           401: "Missing, malformed or unknown API key, or a key that may not reach this org (on "
                "the control surface: the admin token, when one is set)",
           403: "Refused by the control guard: a cross-site write, or a Host header that is "
                "neither a loopback name nor allowed",
           404: "Unknown org or resource", 409: "No state file is set",
           413: "The body is larger than the cap",
           500: "The state file could not be written (the message names it)",
           429: "Rate limited; retry after `Retry-After` seconds"}
# Every public call: key (401), org (404), general rate limit (429, off unless configured).
PUBLIC_ERRORS = (401, 404, 429)
# What each error answer's example says (its envelope is written by http/errors.py).
EXAMPLE_ERRORS: dict[int, tuple[str, list[FieldProblem]]] = {
    400: ("email must be a valid email address",
          [FieldProblem("email", "email must be a valid email address")]),
    401: ("Invalid API key", []),
    403: ("Cross-site requests may not change the emulator: POST /_emulator/reset came from "
          "another site", []),
    404: ("Broadcast 'bc_missing' not found", []),
    409: ("No state file is configured; start the emulator with --state-file PATH (or "
          "INVENT_EMULATOR_STATE_FILE) to save its state", []),
    413: ("The request body is larger than 1048576 bytes", []),
    429: ("Too many requests; retry after 1 second", []),
    500: ("The state file could not be written", []),
}
PAGINATION_HEADERS = ("pagination-count", "pagination-page", "pagination-take")

DESCRIPTION = """\
A local, in-memory emulator of the Invent Broadcasts API. The public API lives under
`/orgs/{org_id}/...` (`c` is the key's own org) and takes `Authorization: Bearer <api key>`.
Errors are one JSON envelope (ENVELOPE on validation errors).
Lists are bare JSON arrays, newest first; totals travel in the `pagination-*` headers.
The `emulator control` operations (`/_emulator/...`) are the emulator's own: no key, same-origin
only, never part of the real API.""".replace(
    "ENVELOPE", ", ".join(f"`{name}`" for name in Error.__annotations__))


def routed_operations(routes: Iterable[BaseRoute]) -> list[tuple[str, str, Operation]]:
    """(method, path, operation) for every method of every route; a route that is not made from
    operations (http/operation.py) is an error, so no route goes undescribed."""
    found: list[tuple[str, str, Operation]] = []
    missing: list[str] = []
    for route in routes:
        if not isinstance(route, OperationRoute):
            methods = sorted(getattr(route, "methods", None) or ())
            path = getattr(route, "path", repr(route))
            missing += [f"{m} {path}" for m in methods if m != "HEAD"] or [path]
            continue
        for method in sorted(route.operations, key=_method_rank):
            found.append((method, route.path, route.operations[method]))
    if missing:
        raise LookupError("routes not declared as operations (emulator/http/operation.py): "
                          + ", ".join(missing))
    return found


def _method_rank(method: str) -> int:
    return METHOD_ORDER.index(method) if method in METHOD_ORDER else len(METHOD_ORDER)


def openapi_document(routes: Sequence[BaseRoute]) -> Json:
    operations = [item for item in routed_operations(routes) if not item[2].hidden]
    paths: dict[str, Json] = {}
    for method, path, operation in operations:
        paths.setdefault(path, {})[method.lower()] = _operation(path, operation)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Invent Broadcasts API (invent-emulator)", "version": __version__,
                 "description": DESCRIPTION},
        # Relative: "Try it out" calls whichever emulator served the document.
        "servers": [{"url": "/"}],
        "tags": [{"name": "broadcasts"}, {"name": "contacts"}, {"name": "segments"},
                 {"name": CONTROL, "description": "The emulator's own control surface."}],
        "paths": paths,
        "components": {
            "schemas": _schemas(operation for _, _, operation in operations),
            "securitySchemes": {"bearer": {
                "type": "http", "scheme": "bearer",
                "description": "An org's API key, from the scenario (printed at start-up)."}},
        },
    }


def openapi_json(routes: Sequence[BaseRoute]) -> bytes:
    return json.dumps(openapi_document(routes), indent=2).encode()


def _answer_models(operation: Operation) -> list[type[BaseModel]]:
    answers = operation.answer if isinstance(operation.answer, tuple) else (operation.answer,)
    return [pydantic_model(m) for m in answers if m is not None]


def _schemas(operations: Iterable[Operation]) -> Json:
    models: dict[type[BaseModel], JsonSchemaMode] = {pydantic_model(Error): "serialization"}
    for operation in operations:
        for model in _answer_models(operation):
            models[model] = "serialization"
        if operation.body is not None:
            models[operation.body.model()] = "validation"
    _, schema = models_json_schema(list(models.items()), ref_template=REF)
    definitions: Json = schema["$defs"]
    for model in _request_models(m for m, mode in models.items() if mode == "validation"):
        _leave_out_absent(model, definitions[model.__name__])
    return dict(sorted(definitions.items()))


def _request_models(bodies: Iterable[type[BaseModel]]) -> set[type[BaseModel]]:
    """The request bodies and every model nested in them."""
    found: set[type[BaseModel]] = set()
    waiting = list(bodies)
    while waiting:
        model = waiting.pop()
        if model in found:
            continue
        found.add(model)
        for field in model.model_fields.values():
            waiting += [t for t in _types_in(field.annotation)
                        if isinstance(t, type) and issubclass(t, BaseModel)]
    return found


def _types_in(annotation: Any) -> Iterator[Any]:
    yield annotation
    for argument in get_args(annotation):
        yield from _types_in(argument)


def _leave_out_absent(model: type[BaseModel], schema: Json) -> None:
    """An optional request field is one a client leaves out: no `default: null`, and no null
    among its types unless null means something (`NULLABLE`, e.g. a PATCH that clears a name).
    Code generators then type it `field?: string`, not `field: string | null`."""
    nullable: frozenset[str] = getattr(model, "NULLABLE", frozenset())
    for name, field in model.model_fields.items():
        spec = schema["properties"].get(field.alias or name)
        if spec is None or field.is_required():
            continue
        if spec.get("default", ...) is None:
            del spec["default"]
        options = spec.get("anyOf")
        if name in nullable or not options or {"type": "null"} not in options:
            continue
        rest = [option for option in options if option != {"type": "null"}]
        del spec["anyOf"]
        if len(rest) == 1:
            spec.update({**rest[0], **spec})
        else:
            spec["anyOf"] = rest


def _ref(model: type[BaseModel] | type[Answer]) -> Json:
    return {"$ref": REF.format(model=model.__name__)}


def _operation(path: str, operation: Operation) -> Json:
    spec: Json = {"operationId": operation.id, "summary": operation.summary,
                  "tags": [operation.tag]}
    if operation.description:
        spec["description"] = operation.description
    parameters = [_path_parameter(name) for name in re.findall(r"{(\w+)}", path)]
    parameters += [{"name": p.name, "in": "query", "required": False, "schema": p.schema,
                    **({"description": p.description} if p.description else {})}
                   for p in operation.query.documented]
    if parameters:
        spec["parameters"] = parameters
    body = _request_body(operation)
    if body:
        spec["requestBody"] = body
    spec["responses"] = {"200": _answer(operation), **_errors(operation)}
    spec["security"] = [{"bearer": []}] if operation.public else []
    return spec


def _path_parameter(name: str) -> Json:
    parameter: Json = {"name": name, "in": "path", "required": True,
                       "schema": {"type": "string", "minLength": 1}}
    if name == "org_id":
        parameter["description"] = "An org id, or `c` for the API key's own org."
        parameter["examples"] = {"own": {"value": "c"}}
    return parameter


def _request_body(operation: Operation) -> Json | None:
    if operation.yaml_body:
        return {"required": True, "content": {
            "application/yaml": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "object"}}}}
    if operation.body is None:
        return None
    model = operation.body.model()
    required = any(f.is_required() for f in model.model_fields.values())
    media: Json = {"schema": _ref(model)}
    example = getattr(model, "EXAMPLE", None)
    if example is not None:
        media["example"] = example
    return {"required": required,
            "description": "JSON, whatever the Content-Type; an empty body is `{}`.",
            "content": {"application/json": media}}


def _answer(operation: Operation) -> Json:
    if operation.yaml_answer:
        return {"description": "A scenario file", "content": {"application/yaml": {
            "schema": {"type": "object", "description": "A scenario (the scenario file format)"}}}}
    if operation.answer is None:
        schema_of_raw: Json = ({"type": "object"} if operation.media_type == "application/json"
                               else {"type": "string"})
        return {"description": "OK", "content": {operation.media_type: {
            "schema": schema_of_raw}}}
    if isinstance(operation.answer, tuple):
        schema: Json = {"oneOf": [_ref(m) for m in operation.answer]}
    else:
        schema = _ref(operation.answer)
    if operation.many:
        schema = {"type": "array", "items": schema}
    answer: Json = {"description": "OK", "content": {"application/json": {"schema": schema}}}
    if operation.paged:
        answer["headers"] = {name: {"required": True, "schema": {"type": "integer"},
                                    "description": _header_note(name)}
                             for name in PAGINATION_HEADERS}
    elif operation.counted:
        answer["headers"] = {"pagination-count": {
            "required": True, "schema": {"type": "integer"},
            "description": "How many match in all, whatever the `limit`."}}
    return answer


def _header_note(name: str) -> str:
    return {"pagination-count": "Every matching item, all pages together.",
            "pagination-page": "The page answered.",
            "pagination-take": "The page size used."}[name]


def _errors(operation: Operation) -> Json:
    statuses = set(operation.errors) | (set(PUBLIC_ERRORS) if operation.public else set())
    if not operation.public:
        # The control guard: a cross-site write or a foreign Host (403), a missing admin token
        # when one is set (401; /_emulator/health stays open).
        statuses |= {403} if operation.id == "health" else {401, 403}
    answers: Json = {}
    for status in sorted(statuses):
        message, details = EXAMPLE_ERRORS[status]
        answer: Json = {"description": PHRASES[status], "content": {"application/json": {
            "schema": _ref(Error), "example": envelope_example(status, message, details)}}}
        if status == 429:
            answer["headers"] = {"Retry-After": {
                "required": True, "schema": {"type": "integer", "minimum": 1},
                "description": "Whole seconds until the next request may pass."}}
        answers[str(status)] = answer
    return answers
