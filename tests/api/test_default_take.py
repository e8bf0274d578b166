"""Every public list reads 100 items without `take`, as the public "Pagination and Filtering"
page says ("take … Default is 100"): broadcasts, recipients, contacts and segments, at the edge
(100 items: one full page) and past it (101: the last one on page 2)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest
from support.apps import app_from_yaml, client_for

from emulator.testing import VirtualClock

pytestmark = pytest.mark.anyio

LISTS = ("/orgs/c/broadcasts", "/orgs/c/broadcasts/bc_all/recipients", "/orgs/c/contacts",
         "/orgs/c/segments")


def _scenario(count: int) -> str:
    """`count` of everything: segments, contacts, broadcasts, and rows of one marketing send."""
    segments = "\n".join(f"      - {{id: seg_{i}, name: S{i}}}" for i in range(count))
    drafts = "\n".join(f"      - {{id: bc_{i}, name: B{i}}}" for i in range(count - 1))
    return f"""
seed: 3
orgs:
  - id: org_take
    api_keys: [key_take]
    generate: {{count: {count}}}
    segments:
{segments}
    broadcasts:
{drafts}
      - id: bc_all
        name: Everyone
        send_to_all: true
        templates: [{{id: tpl_all, integration_id: gmail, config: {{body: hi}}}}]
"""


@contextlib.asynccontextmanager
async def _client(count: int, clock: VirtualClock) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app_from_yaml(_scenario(count), clock), "key_take") as http:
        sent = await http.post("/orgs/c/broadcasts/bc_all/send")
        assert sent.status_code == 200, sent.text
        yield http


def _headers(response: httpx.Response) -> tuple[str, str, str]:
    return (response.headers["pagination-count"], response.headers["pagination-page"],
            response.headers["pagination-take"])


@pytest.mark.parametrize("path", LISTS)
async def test_one_hundred_items_fit_the_default_page(clock: VirtualClock, path: str) -> None:
    async with _client(100, clock) as http:
        response = await http.get(path)
        assert response.status_code == 200, response.text
        assert len(response.json()) == 100
        assert _headers(response) == ("100", "1", "100")
        assert (await http.get(path, params={"page": 2})).json() == []


@pytest.mark.parametrize("path", LISTS)
async def test_the_hundred_and_first_item_is_on_page_two(clock: VirtualClock, path: str) -> None:
    async with _client(101, clock) as http:
        first = await http.get(path)
        assert first.status_code == 200, first.text
        assert len(first.json()) == 100
        assert _headers(first) == ("101", "1", "100")
        second = await http.get(path, params={"page": 2})
        assert len(second.json()) == 1
        assert _headers(second) == ("101", "2", "100")
        # The default page is exactly what take=100 answers, and nothing is lost between pages.
        explicit = await http.get(path, params={"take": 100})
        assert explicit.json() == first.json()
        ids = [item["id"] for item in first.json() + second.json()]
        assert len(set(ids)) == 101


@pytest.mark.parametrize("path", LISTS)
async def test_take_past_100_is_still_refused(clock: VirtualClock, path: str) -> None:
    async with _client(1, clock) as http:
        response = await http.get(path, params={"take": 101})
        assert response.status_code == 400, response.text
        assert response.json()["details"][0]["field"] == "take"
