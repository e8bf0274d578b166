"""The big-campaign scenario: load time, a 200,000-row marketing send, memory, a deep page."""

from __future__ import annotations

import asyncio
import resource
import time

import httpx

from emulator import Settings, create_app


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def main() -> None:
    before = rss_mb()
    started = time.perf_counter()
    app = create_app(Settings(scenario="big-campaign"))
    loaded = time.perf_counter() - started
    after_load = rss_mb()
    print(f"load big-campaign (100,000 contacts): {loaded:.2f} s, "
          f"peak RSS {after_load:.0f} MB (+{after_load - before:.0f} MB)")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://b",
                                 headers={"Authorization": "Bearer test_key_big"},
                                 timeout=120) as http:
        started = time.perf_counter()
        sent = await http.post("/orgs/c/broadcasts/bc_launch/send")
        answered = time.perf_counter() - started
        probe = time.perf_counter()
        await http.get("/_emulator/health")
        health = time.perf_counter() - probe
        broadcast = (await http.get("/_emulator/orgs/org_big/broadcasts/bc_launch")).json()
        done = time.perf_counter() - started
        after_send = rss_mb()
        rows = broadcast["recipients_count"]
        print(f"marketing send: answered {sent.json()['status']} in {answered * 1000:.1f} ms; "
              f"another request meanwhile took {health * 1000:.1f} ms; "
              f"{rows:,} rows {broadcast['status']} after {done:.2f} s")
        print(f"memory: peak RSS {after_send:.0f} MB, about "
              f"{(after_send - after_load) * 1024 * 1024 / max(rows, 1):.0f} bytes per row")
        started = time.perf_counter()
        page = await http.get("/orgs/c/broadcasts/bc_launch/recipients",
                              params={"take": 100, "page": 1000, "is_delivered": "true"})
        print(f"recipients page 1000 with a filter: {(time.perf_counter() - started) * 1000:.0f} "
              f"ms, pagination-count {page.headers['pagination-count']}")


if __name__ == "__main__":
    asyncio.run(main())
