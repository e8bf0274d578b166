"""The operation is the unit of the HTTP surface: one declaration per endpoint — method, path
(from emulator/paths.py), handler, query model, body model, answer model, error statuses and
summary — beside its handler in the resource module. The route table (http/routes.py), the
OpenAPI document (http/openapi.py), query parsing and the test suite's self-contract are all
derived from these declarations."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from emulator.http import answers
from emulator.http.bodies import Body
from emulator.http.query import Query

if TYPE_CHECKING:
    from pydantic import BaseModel

Handler = Callable[[Request], Awaitable[Response]]
Answer = type[answers.Answer] | tuple[type[answers.Answer], ...] | None

BROADCASTS, CONTACTS, SEGMENTS = "broadcasts", "contacts", "segments"
CONTROL = "emulator control"
PUBLIC_TAGS = (BROADCASTS, CONTACTS, SEGMENTS)


@dataclass(frozen=True, slots=True)
class Operation:
    method: str
    path: str
    handler: Handler
    id: str
    summary: str
    tag: str
    answer: Answer
    many: bool = False  # the answer is a JSON array of `answer`
    body: Body[BaseModel] | None = None
    yaml_body: bool = False  # a whole scenario file, YAML or JSON
    errors: tuple[int, ...] = ()
    query: Query = field(default_factory=Query)
    description: str = ""
    hidden: bool = False  # served, but not part of the API description (pages, assets)
    media_type: str = "application/json"  # of an answer without a model (a stream)
    yaml_answer: bool = False  # answers a scenario file as YAML text
    counted: bool = False  # only pagination-count (how many match, whatever the `limit`)

    @property
    def public(self) -> bool:
        return self.tag in PUBLIC_TAGS

    @property
    def paged(self) -> bool:
        """pagination-* headers on the answer."""
        return self.query.paged


class Operations(list[Operation]):
    """A resource module's operations, in the order it declares them."""

    def __init__(self, tag: str) -> None:
        super().__init__()
        self.tag = tag

    def declare(self, method: str, path: str, id: str, summary: str, *, answer: Answer,
                many: bool = False, body: Body[BaseModel] | None = None,
                yaml_body: bool = False, errors: tuple[int, ...] = (),
                query: Query | None = None, description: str = "", hidden: bool = False,
                tag: str | None = None, yaml_answer: bool = False,
                counted: bool = False, media_type: str = "application/json",
                ) -> Callable[[Handler], Handler]:
        """Decorates the handler of `method path`; answers the handler unchanged."""

        def register(handler: Handler) -> Handler:
            self.append(Operation(
                method, path, handler, id, summary, tag or self.tag, answer, many, body,
                yaml_body, errors, query or Query(), description, hidden, media_type,
                yaml_answer, counted))
            return handler

        return register


class OperationRoute(Route):
    """One path and the operations that serve it, one per method, so that a 405 lists every
    method of the path in `Allow`."""

    def __init__(self, path: str, operations: dict[str, Operation]) -> None:
        self.operations = operations

        async def endpoint(request: Request) -> Response:
            operation = self.operation_for(request.method)
            assert operation is not None  # Starlette answered the 405 before this
            return await operation.handler(request)

        super().__init__(path, endpoint, methods=list(operations))

    def operation_for(self, method: str) -> Operation | None:
        """The operation serving `method` on this path (a HEAD is its GET), or None: a 405."""
        return self.operations.get("GET" if method == "HEAD" else method)


def routes_of(operations: Iterable[Operation]) -> list[OperationRoute]:
    """The route table: one route per path, in the order the paths are first declared."""
    by_path: dict[str, dict[str, Operation]] = {}
    for operation in operations:
        methods = by_path.setdefault(operation.path, {})
        if operation.method in methods:
            raise ValueError(f"{operation.method} {operation.path} is declared twice")
        methods[operation.method] = operation
    return [OperationRoute(path, methods) for path, methods in by_path.items()]
