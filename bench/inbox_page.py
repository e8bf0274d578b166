"""What one view of the inbox costs at scale: the page of 50 messages the list fetches
(`GET /_emulator/messages?org_id=…&page=…&take=50`, with its `pagination-count`) once the
100,000-contact x 2-template campaign (200,000 messages) is SENT: the first page, a deep page,
and a search.

    python -m bench.inbox_page 100000 5    # contacts, views per page; prints one JSON object
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import scenario
from bench.rows import Row
from bench.scale import CAMPAIGN_PATH, CAMPAIGN_STATE, asgi_call, run_child
from emulator import Settings, create_app

PAGE = "/_emulator/messages"
TAKE = 50


async def _view(app: Any, query: str, views: int, *, empty: bool = False) -> float:
    """Milliseconds for one page (the median of `views`), checked."""
    timings = []
    for _ in range(views):
        started = time.perf_counter()
        status, body = await asgi_call(app, "GET", f"{PAGE}?{query}")
        timings.append((time.perf_counter() - started) * 1000)
        if status != 200 or (not json.loads(body)) != empty:
            raise RuntimeError(f"{query} answered {status}: {body[:300]!r}")
    return statistics.median(timings)


async def pages(contacts: int, views: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(Settings(scenario=str(scenario.write_scenario(Path(folder), contacts))))
    await asgi_call(app, "POST", CAMPAIGN_PATH, scenario.BIG_KEY)
    while json.loads((await asgi_call(app, "GET", CAMPAIGN_STATE))[1])["status"] != "SENT":
        await asyncio.sleep(0.01)
    org = f"org_id={scenario.BIG_ORG}&take={TAKE}"
    messages = 2 * contacts
    return {
        "messages": messages,
        "first_page_ms": await _view(app, f"{org}&page=1", views),
        "deep_page_ms": await _view(app, f"{org}&page={messages // TAKE // 2}", views),
        # A search that matches nothing reads every message: the worst case.
        "search_ms": await _view(app, f"{org}&page=1&q=no-such-text", views, empty=True),
    }


def measure(contacts: int, views: int) -> list[Row]:
    found = run_child("bench.inbox_page", contacts, views)
    label = f"inbox page of {TAKE} at {int(found['messages']):,} messages"
    return [
        Row("inbox.first_page", f"{label}: first page, with its count", "ms",
            found["first_page_ms"], target="≤ 500 ms", met=found["first_page_ms"] <= 500),
        Row("inbox.deep_page", f"{label}: a page half-way down", "ms", found["deep_page_ms"]),
        Row("inbox.search", f"{label}: a search (q) that matches nothing", "ms",
            found["search_ms"]),
    ]


if __name__ == "__main__":
    print(json.dumps(asyncio.run(pages(int(sys.argv[1]), int(sys.argv[2])))))
