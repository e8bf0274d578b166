"""Every error, ours or the framework's, leaves as the one documented envelope:
`{"statusCode", "error", "message", "details"?}`. This module is its only writer: the exception
handlers, the pure-ASGI middleware and guards (`send_error`) and the connection layer
(`envelope_bytes`) all answer through it, and `Error` describes it in the OpenAPI document."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import TYPE_CHECKING, Annotated, Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Send

from emulator.domain.errors import ApiError, FieldProblem
from emulator.http.answers import Answer, Field
from emulator.http.fastjson import FastJSONResponse, encode_json
from emulator.scenario.problems import format_path

if TYPE_CHECKING:
    from pydantic import ValidationError

log = logging.getLogger("emulator")
Headers = list[tuple[bytes, bytes]]


class ErrorDetail(Answer):
    field: str = Field(description="The field or parameter, e.g. `template_ids[1]`.")
    message: str


class Error(Answer):
    """The one error envelope of every 4xx/5xx the emulator itself answers."""

    statusCode: Annotated[int, Field(ge=400, le=599)]
    error: str = Field(description="The status's reason phrase, e.g. `Bad Request`.")
    message: str
    details: list[ErrorDetail] = Field(
        default_factory=list, min_length=1,
        description="Present on validation errors only: one entry per field.")


def _envelope(status: int, message: str,
             details: list[FieldProblem] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "statusCode": status,
        "error": phrase(status),
        "message": message,
    }
    if details:
        body["details"] = [{"field": d.field, "message": d.message} for d in details]
    return body


def phrase(status: int) -> str:
    """The reason phrase; statuses HTTP does not name (499, 520 …) get a generic one."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Client Error" if status < 500 else "Server Error"


def envelope_bytes(status: int, message: str,
                   details: list[FieldProblem] | None = None) -> bytes:
    """The envelope as the bytes on the wire (what every JSON answer of ours is encoded by)."""
    return encode_json(_envelope(status, message, details))


def envelope_example(status: int, message: str,
                     details: list[FieldProblem] | None = None) -> dict[str, Any]:
    """The envelope as the API description shows it for one status."""
    return _envelope(status, message, details)


def error_response(error: ApiError) -> FastJSONResponse:
    return envelope_response(error.status, error.message, error.details, error.headers)


def envelope_response(status: int, message: str, details: list[FieldProblem] | None = None,
                      headers: dict[str, str] | None = None) -> FastJSONResponse:
    return FastJSONResponse(_envelope(status, message, details), status_code=status,
                            headers=headers)


async def send_error(send: Send, status: int, message: str, headers: Headers | None = None) -> None:
    """Answer with the envelope from pure-ASGI middleware, before any route runs."""
    body = envelope_bytes(status, message)
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        *(headers or []),
    ]})
    await send({"type": "http.response.body", "body": body})


def validation_error(error: ValidationError, empty: str = "body") -> ApiError:
    """pydantic's errors as a 400 naming each field, in the API's words: strings count
    characters, arrays items. The input is looked at (a string or an array?), never echoed."""
    details = []
    for item in error.errors(include_url=False):
        field = format_path(tuple(item["loc"]), empty)
        details.append(FieldProblem(field, _message(field, item)))
    message = "; ".join(d.message for d in details)
    return ApiError(400, message or "Invalid request", details)


_LIMITS = {"string_too_long": "at most", "too_long": "at most",
           "string_too_short": "at least", "too_short": "at least"}
# Wrong JSON types, in JSON's words (the docs': string, boolean, number, array, object).
_TYPES = {"string_type": "a string", "bool_type": "a boolean (true or false)",
          "int_type": "a whole number", "float_type": "a number", "list_type": "an array",
          "dict_type": "an object", "model_type": "an object", "model_attributes_type": "an object"}


def _message(field: str, item: Any) -> str:
    kind = item["type"]
    if kind == "extra_forbidden":
        return f"{field} is not a known field"
    if kind == "missing":
        return f"{field} is required"
    if kind == "json_invalid":
        return f"the body is not valid JSON ({item['ctx']['error']})"
    if kind in ("model_type", "model_attributes_type", "dict_type") and not item["loc"]:
        return "the body must be a JSON object"
    if kind in _LIMITS:
        return _limit(field, _LIMITS[kind], item)
    if kind in _TYPES:
        return f"{field} must be {_TYPES[kind]}"
    if kind in ("literal_error", "enum"):
        return f"{field} must be {item['ctx']['expected']}"
    text = str(item["msg"]).removeprefix("Value error, ")
    return f"{field} {text}" if text.startswith("must ") else f"{field}: {text}"


def _limit(field: str, bound: str, item: Any) -> str:
    """`name must be at most 255 characters`, `segment_ids must have at most 10 items`."""
    ctx = item.get("ctx", {})
    size = ctx.get("max_length") if bound == "at most" else ctx.get("min_length")
    if isinstance(item.get("input"), str):
        return f"{field} must be {bound} {size} {_plural(size, 'character')}"
    return f"{field} must have {bound} {size} {_plural(size, 'item')}"


def _plural(size: object, noun: str) -> str:
    return noun if size == 1 else noun + "s"


async def api_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc)


async def http_exception_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        message = f"Cannot {request.method} {request.url.path}: no such route"
    elif exc.status_code == 405:
        message = f"Method {request.method} is not allowed on {request.url.path}"
    else:
        message = str(exc.detail)
    return envelope_response(exc.status_code, message, headers=dict(exc.headers or {}))


async def unexpected_error_handler(request: Request, exc: Exception) -> Response:
    log.exception("internal error on %s %s", request.method, request.url.path, exc_info=exc)
    # The pytest plugin fails the test during which this happened.
    errors = getattr(request.app.state, "errors", None)
    if isinstance(errors, list):
        errors.append(exc)
    return envelope_response(500, "Internal emulator error; see the emulator's log")
