"""Every error, ours or the framework's, leaves as the one documented envelope:
`{"statusCode", "error", "message", "details"?}`."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from emulator.domain.errors import ApiError, FieldProblem
from emulator.support.fieldpath import format_path

log = logging.getLogger("emulator")


def envelope(status: int, message: str,
             details: list[FieldProblem] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "statusCode": status,
        "error": _phrase(status),
        "message": message,
    }
    if details:
        body["details"] = [{"field": d.field, "message": d.message} for d in details]
    return body


def _phrase(status: int) -> str:
    """The reason phrase; statuses HTTP does not name (499, 520 …) get a generic one."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Client Error" if status < 500 else "Server Error"


def error_response(error: ApiError) -> JSONResponse:
    return JSONResponse(envelope(error.status, error.message, error.details),
                        status_code=error.status, headers=error.headers)


def validation_error(error: ValidationError, empty: str = "body") -> ApiError:
    """pydantic's errors as a 400 naming each field, without echoing the input back."""
    details = [
        FieldProblem(format_path(tuple(item["loc"]), empty), _message(item))
        for item in error.errors(include_url=False, include_input=False)
    ]
    message = "; ".join(f"{d.field}: {d.message}" for d in details)
    return ApiError(400, message or "Invalid request", details)


def _message(item: Any) -> str:
    kind = item["type"]
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required"
    if kind == "json_invalid":
        return f"the body is not valid JSON ({item['ctx']['error']})"
    if kind in ("model_type", "model_attributes_type", "dict_type") and not item["loc"]:
        return "the body must be a JSON object"
    return str(item["msg"]).removeprefix("Value error, ")


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
    return JSONResponse(envelope(exc.status_code, message), status_code=exc.status_code,
                        headers=dict(exc.headers or {}))


async def unexpected_error_handler(request: Request, exc: Exception) -> Response:
    log.exception("internal error on %s %s", request.method, request.url.path, exc_info=exc)
    # The pytest plugin fails the test during which this happened.
    errors = getattr(request.app.state, "errors", None)
    if isinstance(errors, list):
        errors.append(exc)
    return JSONResponse(envelope(500, "Internal emulator error; see the emulator's log"),
                        status_code=500)
