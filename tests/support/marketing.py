"""Helpers of the marketing, contacts and segments tests: one org on a virtual clock, reached
through the public API with its key, plus the emulator's control surface for time, templates and
cancelling; and the checks that tie a broadcast's counters to its recipient rows."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx

from support.api import assert_error
from support.language import Emu, at, expected_counters, open_emulator
from support.wire import (
    CHANNEL_KEYS,
    CONTACT_KEYS,
    COUNTER_KEYS,
    EMBEDDED_SEGMENT_KEYS,
    SEGMENT_KEYS,
    VIRTUAL,
    Json,
)

ORG = "org_m"
KEY = "key_m"
HEADER = f"seed: 11\n{VIRTUAL}\n"

SEGMENT_COLORS = ("red", "orange", "amber", "yellow", "lime", "green", "teal", "cyan", "sky",
                  "blue", "indigo", "violet", "purple", "fuchsia", "pink", "rose", "neutral")

__all__ = ["CHANNEL_KEYS", "CONTACT_KEYS", "COUNTER_KEYS", "EMBEDDED_SEGMENT_KEYS", "HEADER",
           "KEY", "ORG", "SEGMENT_COLORS", "SEGMENT_KEYS", "Json", "Marketing", "assert_error",
           "assert_rows_agree", "at", "open_marketing"]


class Marketing:
    """One org of an in-process emulator, as its API key sees it."""

    def __init__(self, emu: Emu, org_id: str) -> None:
        self.emu = emu
        self.org_id = org_id

    @property
    def http(self) -> httpx.AsyncClient:
        return self.emu.http

    # -- time -------------------------------------------------------------------------------

    async def advance(self, seconds: float) -> None:
        await self.emu.advance(seconds, self.org_id)

    async def now(self) -> str:
        return await self.emu.now(self.org_id)

    # -- broadcasts -------------------------------------------------------------------------

    async def post_send(self, broadcast_id: str) -> httpx.Response:
        """A marketing send: no body."""
        return await self.http.post(f"/orgs/c/broadcasts/{broadcast_id}/send")

    async def send(self, broadcast_id: str) -> Json:
        """A marketing send that must be accepted; the broadcast it answers."""
        response = await self.post_send(broadcast_id)
        assert response.status_code == 200, response.text
        body = response.json()
        assert isinstance(body, dict) and body["id"] == broadcast_id, body
        return body

    async def cancel(self, broadcast_id: str) -> httpx.Response:
        return await self.http.post(
            f"/_emulator/orgs/{self.org_id}/broadcasts/{broadcast_id}/cancel")

    async def create_broadcast(self, **fields: Any) -> Json:
        response = await self.http.post("/orgs/c/broadcasts", json=fields)
        assert response.status_code == 200, response.text
        body = response.json()
        assert isinstance(body, dict)
        return body

    async def add_template(self, broadcast_id: str, integration_id: str = "gmail",
                           template_id: str | None = None) -> Json:
        body: Json = {"integration_id": integration_id, "config": {"subject": "S", "body": "B"}}
        if template_id is not None:
            body["id"] = template_id
        response = await self.http.post(
            f"/_emulator/orgs/{self.org_id}/broadcasts/{broadcast_id}/templates", json=body)
        assert response.status_code == 200, response.text
        template = response.json()
        assert isinstance(template, dict)
        return template

    async def broadcast(self, broadcast_id: str) -> Json:
        """The broadcast as the public list shows it."""
        return await self.emu.broadcast(broadcast_id)

    async def status(self, broadcast_id: str) -> str:
        status = (await self.broadcast(broadcast_id))["status"]
        assert isinstance(status, str)
        return status

    async def rows(self, broadcast_id: str, take: int = 100,
                   query: Mapping[str, str] | None = None, **filters: str) -> list[Json]:
        """Every recipient row matching `query` and `filters`, page by page until an empty page,
        checking on each page that the pagination headers are exact and that no row comes
        twice."""
        filters = {**(query or {}), **filters}
        found: list[Json] = []
        count: int | None = None
        page = 1
        while True:
            response = await self.http.get(f"/orgs/c/broadcasts/{broadcast_id}/recipients",
                                           params={**filters, "take": take, "page": page})
            assert response.status_code == 200, response.text
            batch = response.json()
            assert isinstance(batch, list)
            assert response.headers["pagination-page"] == str(page)
            assert response.headers["pagination-take"] == str(take)
            page_count = int(response.headers["pagination-count"])
            assert count is None or page_count == count, "pagination-count moved between pages"
            count = page_count
            if not batch:
                break
            assert len(batch) <= take
            found += batch
            page += 1
        ids = [row["id"] for row in found]
        assert len(ids) == len(set(ids)), "a row came on two pages"
        assert count == len(found), (count, len(found))
        return found

    # -- contacts and segments --------------------------------------------------------------

    async def contacts(self, take: int = 100, **filters: str) -> list[Json]:
        """Every contact matching `filters`, across pages; checks the headers like `rows`."""
        found: list[Json] = []
        page = 1
        while True:
            response = await self.http.get("/orgs/c/contacts",
                                           params={**filters, "take": take, "page": page})
            assert response.status_code == 200, response.text
            batch = response.json()
            assert isinstance(batch, list)
            count = int(response.headers["pagination-count"])
            if not batch:
                break
            found += batch
            page += 1
        assert count == len(found), (count, len(found))
        assert len({c["id"] for c in found}) == len(found)
        return found

    async def contact_ids(self, take: int = 100, **filters: str) -> list[str]:
        return [c["id"] for c in await self.contacts(take, **filters)]

    async def create_contact(self, body: Json) -> Json:
        response = await self.http.post("/orgs/c/contacts", json=body)
        assert response.status_code == 200, response.text
        contact = response.json()
        assert isinstance(contact, dict)
        return contact

    async def patch_contact(self, contact_id: str, body: Json) -> Json:
        response = await self.http.patch(f"/orgs/c/contacts/{contact_id}", json=body)
        assert response.status_code == 200, response.text
        contact = response.json()
        assert isinstance(contact, dict)
        return contact

    async def segments(self) -> dict[str, Json]:
        response = await self.http.get("/orgs/c/segments", params={"take": 100})
        assert response.status_code == 200, response.text
        return {s["id"]: s for s in response.json()}

    async def segment_count(self, segment_id: str) -> int:
        count = (await self.segments())[segment_id]["contacts_count"]
        assert isinstance(count, int)
        return count


@contextlib.asynccontextmanager
async def open_marketing(text: str, key: str = KEY, org_id: str = ORG
                         ) -> AsyncIterator[Marketing]:
    async with open_emulator(text, key) as emu:
        yield Marketing(emu, org_id)


def assert_rows_agree(broadcast: Json, rows: list[Json]) -> None:
    """Every counter of the broadcast, and each template's recipients_count, is what its rows
    imply; click_count is 0, as these scenarios hold no `clicked` outcome (rows show no
    click, so it cannot be checked against them: tests/language/test_clicked.py does)."""
    assert broadcast["click_count"] == 0
    assert all(row["broadcast_id"] == broadcast["id"] for row in rows)
    expected = expected_counters(rows)
    assert {name: broadcast[name] for name in expected} == expected, broadcast
    per_template = {t["id"]: t["recipients_count"] for t in broadcast["templates"]}
    assert per_template == {t: sum(1 for r in rows if r["template_id"] == t)
                            for t in per_template}
    assert {r["template_id"] for r in rows} <= set(per_template)
