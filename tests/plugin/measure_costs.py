"""What the plugin costs a suite: the session emulator's start, and each test's fresh org.

Not a test (nothing here is asserted); run it by hand:

    .venv/bin/python tests/plugin/measure_costs.py [--orgs 200]

It times, on the bundled `default` scenario: `create_app()`; `ThreadedServer(app).start()` (the
thread mode's session start); and `new_org()`, `.close()`, `.delete()` — what the `invent`
fixture does per test without a marker — N times in the thread mode and in the in-process
mode, reporting the mean and the first and last tenth (a cost growing with the session would
show there); and, in the thread mode, the part of it spent building the
org's own httpx.Client."""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from emulator.app import create_app
from emulator.settings import Settings
from emulator.testing import EmulatorHandle, InProcessTransport, ThreadedServer
from emulator.testing.launch import IN_PROCESS_URL


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def org_costs(handle: EmulatorHandle, count: int) -> list[float]:
    costs = []
    for _ in range(count):
        started = time.perf_counter()
        org = handle.new_org()
        org.close()
        org.delete()
        costs.append(time.perf_counter() - started)
    return costs


def describe(mode: str, costs: list[float]) -> str:
    tenth = max(1, len(costs) // 10)
    ms = [c * 1000 for c in costs]
    return (f"{mode:<10} new_org()+close()+delete() x{len(costs)}: "
            f"mean {statistics.fmean(ms):.2f} ms, "
            f"median {statistics.median(ms):.2f} ms, "
            f"first {tenth} {statistics.fmean(ms[:tenth]):.2f} ms, "
            f"last {tenth} {statistics.fmean(ms[-tenth:]):.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=200)
    count = parser.parse_args().orgs

    started = time.perf_counter()
    app = create_app(Settings())
    built = time.perf_counter() - started
    server = ThreadedServer(app)
    start = timed(server.start)
    try:
        handle = EmulatorHandle(server.url, errors=app.state.errors)
        thread_costs = org_costs(handle, count)
        # Of that, building the org's own httpx.Client (no transport given: a default one).
        client_costs = [timed(lambda: handle.client("test_key_x").close()) for _ in range(count)]
        handle.close()
    finally:
        server.stop()

    in_process_app = create_app(Settings())
    transport = InProcessTransport(in_process_app)
    try:
        handle = EmulatorHandle(IN_PROCESS_URL, transport, in_process_app.state.errors)
        in_process_costs = org_costs(handle, count)
        handle.close()
    finally:
        transport.shutdown()

    print(f"create_app(default scenario): {built * 1000:.1f} ms")
    print(f"ThreadedServer(app).start():  {start * 1000:.1f} ms")
    print(describe("thread", thread_costs))
    print(f"{'':<10} of which httpx.Client() + close(): mean "
          f"{statistics.fmean(client_costs) * 1000:.2f} ms")
    print(describe("inprocess", in_process_costs))


if __name__ == "__main__":
    main()
