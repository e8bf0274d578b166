"""Cost of a fresh isolated org, the per-test price of the pytest plugin."""

from __future__ import annotations

import time

import httpx

from emulator import Settings, create_app
from emulator.testing import InProcessTransport, ThreadedServer

ORGS = 500


def measure(client: httpx.Client, label: str) -> None:
    started = time.perf_counter()
    for _ in range(ORGS):
        client.post("/_emulator/orgs", json={"clock": {"mode": "virtual"}}).raise_for_status()
    mean = (time.perf_counter() - started) / ORGS
    print(f"{label}: {mean * 1e6:.0f} µs per new org (mean of {ORGS}, round trip included)")


def main() -> None:
    app = create_app(Settings())
    started = time.perf_counter()
    server = ThreadedServer(app).start()
    print(f"session server (thread) ready in {(time.perf_counter() - started) * 1000:.0f} ms")
    try:
        with httpx.Client(base_url=server.url) as client:
            measure(client, "threaded server over loopback")
    finally:
        server.stop()
    transport = InProcessTransport(create_app(Settings()))
    with httpx.Client(base_url="http://inprocess", transport=transport) as client:
        measure(client, "in-process transport")
    transport.shutdown()
    store = create_app(Settings()).state.runtime.store
    from emulator.store import NewOrg

    started = time.perf_counter()
    for _ in range(ORGS):
        store.create_org(NewOrg(clock_mode="virtual"))
    print(f"inside the emulator: {(time.perf_counter() - started) / ORGS * 1e6:.0f} µs per org")


if __name__ == "__main__":
    main()
