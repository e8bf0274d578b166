"""Routing straight from the operations' declarations: a request's path is split into segments
and looked up in one dict per path shape (which segments are literal), its parameters are taken
from the other segments, and the operation's handler answers. No route table is scanned, and no
framework layer stands between the `Gateway` (http/middleware.py) and the handler.

It routes exactly as Starlette's router did with `redirect_slashes=False` (byte for byte:
tests/api, tests/adversarial): a parameter is one non-empty segment, a trailing slash or an
empty segment matches nothing, a path may end in one newline after a literal segment (the
route regex's `$` allows it), HEAD is served by GET, a known path with an unknown method is a
405 listing the path's methods in `Allow`, anything else a 404. Those two answers and every
error a handler raises are answered by emulator/http/errors.py."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from emulator.domain.errors import ApiError
from emulator.http.errors import error_response, http_exception_handler
from emulator.http.operation import OperationRoute

Parts = list[str]


def _getter(positions: Sequence[int]) -> Callable[[Parts], tuple[str, ...]]:
    """The segments at `positions`, always as a tuple (itemgetter answers a bare item for one)."""
    if not positions:
        return lambda parts: ()
    if len(positions) == 1:
        position = positions[0]
        return lambda parts: (parts[position],)
    return itemgetter(*positions)


@dataclass(frozen=True, slots=True)
class Shape:
    """Every path template with the same segment count and the same literal positions: keyed by
    their literal segments, each with its parameters' names."""

    literals: Callable[[Parts], tuple[str, ...]]
    values: Callable[[Parts], tuple[str, ...]]
    routes: dict[tuple[str, ...], tuple[OperationRoute, tuple[str, ...]]]


def _template(path: str) -> tuple[Parts, list[int], tuple[str, ...]]:
    """A template's segments, the positions of its parameters and their names."""
    parts = path.split("/")
    positions = [i for i, part in enumerate(parts) if part.startswith("{")]
    names = tuple(parts[i].strip("{}") for i in positions)
    if any(":" in name for name in names):
        raise ValueError(f"{path}: only plain {{name}} parameters are routed")
    return parts, positions, names


def _overlap(first: str, second: str) -> bool:
    """Whether one request path could match both templates."""
    a, b = first.split("/"), second.split("/")
    return len(a) == len(b) and all(
        x == y or x.startswith("{") or y.startswith("{") for x, y in zip(a, b, strict=True))


class PathTable:
    """Finds the route of a path in one dict lookup per shape of its segment count (at most
    three today). Templates that could both match one path are refused when the table is built,
    so the order in which shapes are tried never decides anything."""

    def __init__(self, routes: Iterable[OperationRoute]) -> None:
        self.routes = list(routes)
        self._shapes: dict[int, list[Shape]] = {}
        by_shape: dict[tuple[int, tuple[int, ...]], Shape] = {}
        for index, route in enumerate(self.routes):
            for other in self.routes[:index]:
                if _overlap(route.path, other.path):
                    raise ValueError(f"{route.path} and {other.path} match the same paths")
            parts, positions, names = _template(route.path)
            key = (len(parts), tuple(positions))
            shape = by_shape.get(key)
            if shape is None:
                literal_positions = [i for i in range(len(parts)) if i not in positions]
                shape = by_shape[key] = Shape(_getter(literal_positions), _getter(positions),
                                              {})
                self._shapes.setdefault(len(parts), []).append(shape)
            shape.routes[shape.literals(parts)] = route, names

    def find(self, path: str) -> tuple[OperationRoute, dict[str, Any]] | None:
        """The route of `path` and its parameters, or None."""
        found = self._find(path)
        if found is None and path.endswith("\n"):
            # The route regex's `$` also matches before a final newline. (Had the template
            # ended in a parameter, the first try would have matched, the newline in the value.)
            found = self._find(path[:-1])
        return found

    def _find(self, path: str) -> tuple[OperationRoute, dict[str, Any]] | None:
        if path[:1] != "/" or path.endswith("/") or "//" in path:
            return None  # a parameter is never empty, and no template has an empty segment
        parts = path.split("/")
        for shape in self._shapes.get(len(parts), ()):
            found = shape.routes.get(shape.literals(parts))
            if found is not None:
                route, names = found
                return route, dict(zip(names, shape.values(parts), strict=True))
        return None


def route_path(scope: Scope) -> str:
    """The path the routes see: the request's, without the app's `root_path` prefix."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if not root or not path.startswith(root):
        return path
    if path == root:
        return ""
    return path[len(root):] if path[len(root)] == "/" else path


class Dispatch:
    """The ASGI app under the `Gateway`: finds the operation, calls its handler with a Starlette
    `Request` (made once, and only here), and writes the answer. An `ApiError` or a 404/405 is
    answered in the envelope by emulator/http/errors.py; anything else goes up to the app,
    which answers 500 the same way."""

    def __init__(self, table: PathTable) -> None:
        self.table = table

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        try:
            response = await self._handle(scope, request)
        except (ApiError, HTTPException) as error:
            response = await _error_answer(request, error)
        await write(response, scope, receive, send)

    async def _handle(self, scope: Scope, request: Request) -> Response:
        found = self.table.find(route_path(scope))
        if found is None:
            raise HTTPException(404)
        route, params = found
        operation = route.operation_for(scope["method"])
        if operation is None:
            raise HTTPException(405, headers={"Allow": _allow(route)})
        scope["path_params"] = params
        return await operation.handler(request)


def _allow(route: OperationRoute) -> str:
    """The path's methods in the order they are declared, HEAD after GET."""
    methods: list[str] = []
    for method in route.operations:
        methods += [method, "HEAD"] if method == "GET" else [method]
    return ", ".join(methods)


async def _error_answer(request: Request, error: ApiError | HTTPException) -> Response:
    error.__traceback__ = None  # a kept exception would hold every frame of the request
    if isinstance(error, ApiError):
        return error_response(error)
    return await http_exception_handler(request, error)


async def write(response: Response, scope: Scope, receive: Receive, send: Send) -> None:
    """A response whose bytes are ready goes out as its two ASGI messages; one that produces
    them (a stream, a file) writes itself."""
    if type(response).__call__ is Response.__call__ and response.background is None:
        await send({"type": "http.response.start", "status": response.status_code,
                    "headers": response.raw_headers})
        await send({"type": "http.response.body", "body": response.body})
    else:
        await response(scope, receive, send)
