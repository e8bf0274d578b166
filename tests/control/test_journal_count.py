"""GET /_emulator/requests answers `pagination-count`: every match, whatever the `limit`."""

from __future__ import annotations

import pytest
from support.apps import app_from_yaml, client_for
from support.scenarios import TWO_ORGS
from support.wire import START

from emulator.support.clock import VirtualClock

pytestmark = pytest.mark.anyio


async def test_pagination_count_counts_every_match() -> None:
    app = app_from_yaml(TWO_ORGS, VirtualClock(START))
    async with client_for(app, None) as control, client_for(app, "key_a") as a:
        for _ in range(3):
            await a.get("/orgs/c/segments")
        await a.get("/orgs/c/contacts")
        limited = await control.get("/_emulator/requests",
                                    params={"path": "/orgs/*/segments", "limit": "2"})
        assert len(limited.json()) == 2
        assert limited.headers["pagination-count"] == "3"
        everything = await control.get("/_emulator/requests")
        assert everything.headers["pagination-count"] == "4"
        none = await control.get("/_emulator/requests", params={"org_id": "org_b"})
        assert (none.json(), none.headers["pagination-count"]) == ([], "0")
