"""What interception costs per request: the same GET of an org's broadcasts made by the org's
own client, and by a production-style client to https://api.useinvent.com while intercepted
(httpx sync, httpx async, `requests`), with the emulator in a thread and in-process.

    python bench/intercept.py [--requests 500]

No request leaves the process except, in the thread mode, the org's own client's over loopback."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Callable

import httpx
import requests

from emulator.testing import InventOrg, running

URL = "https://api.useinvent.com/orgs/org_live/broadcasts"
LIVE = {"Authorization": "Bearer inv_live_key"}


def per_call(action: Callable[[], object], count: int) -> float:
    """Median µs of `count` calls, after 20 warm-up calls."""
    for _ in range(20):
        action()
    costs = []
    for _ in range(count):
        started = time.perf_counter()
        action()
        costs.append(time.perf_counter() - started)
    return statistics.median(costs) * 1e6


def async_per_call(client: httpx.AsyncClient, url: str, count: int) -> float:
    async def timed() -> float:
        costs = []
        for _ in range(count + 20):
            started = time.perf_counter()
            (await client.get(url)).raise_for_status()
            costs.append(time.perf_counter() - started)
        return statistics.median(costs[20:]) * 1e6
    return asyncio.run(timed())


def measure(org: InventOrg, count: int) -> dict[str, float]:
    found = {"org's own httpx client": per_call(
        lambda: org.client.get("/orgs/c/broadcasts").raise_for_status(), count)}
    with httpx.Client(headers=LIVE) as app_client, requests.Session() as session, \
            org.intercept():
        session.headers.update(LIVE)
        found["intercepted httpx.Client"] = per_call(
            lambda: app_client.get(URL).raise_for_status(), count)
        found["intercepted requests.Session"] = per_call(
            lambda: session.get(URL).raise_for_status(), count)
        found["intercepted httpx.AsyncClient"] = async_per_call(
            httpx.AsyncClient(headers=LIVE), URL, count)
    found["org's async_client"] = async_per_call(org.async_client, "/orgs/c/broadcasts", count)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    count = parser.parse_args().requests
    for mode in ("thread", "inprocess"):
        with running(mode=mode) as emu, emu.new_org() as org:
            for name, micros in measure(org, count).items():
                print(f"{mode:<10} {name:<32} median {micros:7.0f} µs per GET (x{count})")


if __name__ == "__main__":
    main()
