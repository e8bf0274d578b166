"""The emulator's own control surface under /_emulator: never mixed into the public routes, no
API key needed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from emulator.domain.broadcasts import add_template, get_broadcast, transition
from emulator.domain.entities import Integration
from emulator.http.public import read_body, store_of
from emulator.http.render import broadcast_json, template_json
from emulator.http.schemas import ResetBody, TemplateBody, parse_body

Endpoint = Callable[[Request], Awaitable[Response]]


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def reset(request: Request) -> Response:
    body = parse_body(ResetBody, await read_body(request))
    store = store_of(request)
    store.reset(body.org_id)
    return JSONResponse({"status": "ok", "org_id": body.org_id})


def broadcast_action(action: str) -> Endpoint:
    """activate / pause / resume a transactional broadcast; answers the broadcast."""

    async def endpoint(request: Request) -> Response:
        org = store_of(request).org(request.path_params["org_id"])
        broadcast = get_broadcast(org, request.path_params["broadcast_id"])
        transition(org, broadcast, action)
        return JSONResponse(broadcast_json(org, broadcast))

    return endpoint


async def add_template_endpoint(request: Request) -> Response:
    org = store_of(request).org(request.path_params["org_id"])
    broadcast = get_broadcast(org, request.path_params["broadcast_id"])
    body = parse_body(TemplateBody, await read_body(request))
    template = add_template(org, broadcast, body.id, Integration(body.integration_id), body.config)
    return JSONResponse(template_json(template))
