"""Requests are routed by the path table made from the operations (emulator/http/dispatch.py),
exactly as Starlette's router matches the same route table: for any path, the same route and
the same parameters, or none. A 405 lists the path's methods in a fixed order."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match

from emulator.http.dispatch import PathTable
from emulator.http.operation import Operations, routes_of
from emulator.http.routes import PATH_TABLE, ROUTES

# Every literal segment of the table, ids, and what routing must not be fooled by.
LITERALS = sorted({part for route in ROUTES for part in route.path.split("/")
                   if part and not part.startswith("{")})
segments = st.sampled_from(LITERALS) | st.sampled_from(
    ["c", "bc_otp", "x", "", "\n", "a\n", "{org_id}", "é", " ", "%2F", ".."]) | st.text(max_size=4)
ends = st.sampled_from(["", "", "/", "\n", "\n\n", "/\n", "x"])


@st.composite
def templated(draw: st.DrawFn) -> str:
    """A route's template with each parameter drawn (empty, a slash, a newline …)."""
    parts = draw(st.sampled_from(ROUTES)).path.split("/")
    filled = [draw(segments | st.just("a/b")) if part.startswith("{") else part
              for part in parts]
    return "/".join(filled) + draw(ends)


paths = templated() | st.builds(lambda parts, end: "/" + "/".join(parts) + end,
                                st.lists(segments, max_size=8), ends)


def _starlette_match(path: str) -> tuple[str, dict[str, str]] | None:
    """The route Starlette's router would pick (a wrong method still picks the path)."""
    scope = {"type": "http", "method": "GET", "path": path, "root_path": ""}
    for route in ROUTES:
        match, child = route.matches(scope)
        if match is not Match.NONE:
            return route.path, child["path_params"]
    return None


@given(paths)
def test_the_path_table_routes_as_starlettes_router(path: str) -> None:
    found = PATH_TABLE.find(path)
    assert (None if found is None else (found[0].path, found[1])) == _starlette_match(path)


def test_every_template_is_found_with_its_parameters() -> None:
    for route in ROUTES:
        path = route.path.replace("{", "v_").replace("}", "")
        found = PATH_TABLE.find(path)
        assert found is not None and found[0] is route
        assert found[1] == {name: f"v_{name}" for name in route.param_convertors}


async def _handler(request: Request) -> Response:
    return Response()


@pytest.mark.parametrize("first, second", [
    ("/things/{thing_id}", "/things/mine"),
    ("/things/{thing_id}/x", "/things/{other_id}/x"),
])
def test_templates_that_match_the_same_path_are_refused(first: str, second: str) -> None:
    operations = Operations("test")
    operations.declare("GET", first, "first", "First", answer=None)(_handler)
    operations.declare("GET", second, "second", "Second", answer=None)(_handler)
    with pytest.raises(ValueError, match="match the same paths"):
        PathTable(routes_of(operations))


def test_templates_of_one_shape_may_name_their_parameters_apart() -> None:
    operations = Operations("test")
    operations.declare("GET", "/a/{a_id}", "a", "A", answer=None)(_handler)
    operations.declare("GET", "/b/{b_id}", "b", "B", answer=None)(_handler)
    table = PathTable(routes_of(operations))
    assert table.find("/a/1") is not None and table.find("/a/1")[1] == {"a_id": "1"}  # type: ignore[index]
    assert table.find("/b/2") is not None and table.find("/b/2")[1] == {"b_id": "2"}  # type: ignore[index]


@pytest.mark.anyio
async def test_allow_lists_the_methods_in_the_order_they_are_declared(
        anon: httpx.AsyncClient) -> None:
    answer = await anon.post("/_emulator/suppressions")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, HEAD, DELETE"
