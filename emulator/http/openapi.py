"""The OpenAPI 3.1 document, built at run time from the route table (paths, methods), the
pydantic models that parse requests and describe answers, and http/operations.py (the rest)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema
from starlette.routing import BaseRoute, Route

from emulator.http.operations import CONTROL, OPERATIONS, PUBLIC_ERRORS, Operation
from emulator.http.responses import Error
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
PAGINATION_HEADERS = ("pagination-count", "pagination-page", "pagination-take")

DESCRIPTION = """\
A local, in-memory emulator of the Invent Broadcasts API. The public API lives under
`/orgs/{org_id}/...` (`c` is the key's own org) and takes `Authorization: Bearer <api key>`.
Errors are one JSON envelope (`statusCode`, `error`, `message`, `details` on validation errors).
Lists are bare JSON arrays, newest first; totals travel in the `pagination-*` headers.
The `emulator control` operations (`/_emulator/...`) are the emulator's own: no key, same-origin
only, never part of the real API."""


def routed_operations(routes: Iterable[BaseRoute]) -> list[tuple[str, str, Operation]]:
    """(method, path, operation) for every method of every route; a route the table does not
    describe is an error, so no route can be forgotten."""
    found: list[tuple[str, str, Operation]] = []
    missing: list[str] = []
    for route in routes:
        if not isinstance(route, Route):
            missing.append(f"{route!r} (not a plain Route)")
            continue
        for method in sorted(route.methods or (), key=_method_rank):
            if method == "HEAD":
                continue
            operation = OPERATIONS.get((method, route.path))
            if operation is None:
                missing.append(f"{method} {route.path}")
            else:
                found.append((method, route.path, operation))
    if missing:
        raise LookupError("routes with no entry in emulator/http/operations.py: "
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


def _models(operation: Operation) -> list[type[BaseModel]]:
    answers = operation.answer if isinstance(operation.answer, tuple) else (operation.answer,)
    return [m for m in (*answers, operation.body) if m is not None]


def _schemas(operations: Iterable[Operation]) -> Json:
    models: dict[type[BaseModel], JsonSchemaMode] = {Error: "serialization"}
    for operation in operations:
        for model in _models(operation):
            models[model] = "validation" if model is operation.body else "serialization"
    _, schema = models_json_schema(list(models.items()), ref_template=REF)
    definitions: Json = schema["$defs"]
    return dict(sorted(definitions.items()))


def _ref(model: type[BaseModel]) -> Json:
    return {"$ref": REF.format(model=model.__name__)}


def _operation(path: str, operation: Operation) -> Json:
    spec: Json = {"operationId": operation.id, "summary": operation.summary,
                  "tags": [operation.tag]}
    if operation.description:
        spec["description"] = operation.description
    parameters = [_path_parameter(name) for name in re.findall(r"{(\w+)}", path)]
    parameters += [{"name": p.name, "in": "query", "required": False, "schema": p.schema,
                    **({"description": p.description} if p.description else {})}
                   for p in operation.query]
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
    required = any(f.is_required() for f in operation.body.model_fields.values())
    return {"required": required,
            "description": "JSON, whatever the Content-Type; an empty body is `{}`.",
            "content": {"application/json": {"schema": _ref(operation.body)}}}


def _answer(operation: Operation) -> Json:
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
        answer: Json = {"description": PHRASES[status],
                        "content": {"application/json": {"schema": _ref(Error)}}}
        if status == 429:
            answer["headers"] = {"Retry-After": {
                "required": True, "schema": {"type": "integer", "minimum": 1},
                "description": "Whole seconds until the next request may pass."}}
        answers[str(status)] = answer
    return answers
