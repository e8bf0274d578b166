"""The pytest plugin's in-process mode (`--invent-mode=inprocess`): what a test pays per call
through `invent.client`, next to the same client calling the reference app through the same
kind of transport; and what a fresh per-test org costs (the `invent` fixture's round trip)."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from bench import scenario
from bench.reference_app import Capture, build_app
from bench.rows import Row
from emulator import Settings, create_app, load_scenario_file
from emulator.testing import EmulatorHandle, InProcessTransport, running
from emulator.testing.launch import IN_PROCESS_URL

SEND = f"/orgs/c/broadcasts/{scenario.SEND_BROADCAST}/send"
LIST = "/orgs/c/broadcasts"
SEND_JSON = {"email": "ada@example.test", "variables": {"otp": "123456"}}


def per_call_us(action: Callable[[], httpx.Response], calls: int) -> tuple[float, float]:
    """(CPU, wall) microseconds per call: the process's CPU time (every thread: the caller
    and the emulator's loop) over all calls, and the median wall time of one call. In-process
    a call never waits on I/O, so on an idle machine the two agree; on a shared one the CPU
    figure is the one other processes cannot inflate, so targets are judged on it."""
    for _ in range(min(50, calls)):  # warm up
        action().raise_for_status()
    walls = []
    cpu_started = time.process_time()
    for _ in range(calls):
        started = time.perf_counter()
        response = action()
        walls.append(time.perf_counter() - started)
        response.raise_for_status()
    cpu = (time.process_time() - cpu_started) / calls
    return cpu * 1e6, statistics.median(walls) * 1e6


def _capture(client: httpx.Client, method: str, path: str) -> Capture:
    response = client.request(method, path, json=SEND_JSON if method == "POST" else None)
    response.raise_for_status()
    return Capture(method, path, "", response.status_code,
                   list(response.headers.multi_items()), response.content)


def measure_calls(calls: int) -> list[Row]:
    with tempfile.TemporaryDirectory() as folder:
        scenario_file = scenario.write_scenario(Path(folder), contacts=0)
        app = create_app(Settings(scenario=str(scenario_file)))
        transport = InProcessTransport(app)
        handle = EmulatorHandle(IN_PROCESS_URL, transport, app.state.errors)
        # What `@pytest.mark.invent_scenario(file, org="org_bench")` gives a test.
        invent = handle.new_org(scenario=load_scenario_file(scenario_file),
                                org=scenario.SMALL_ORG)
        captures = [_capture(invent.client, "POST", SEND), _capture(invent.client, "GET", LIST)]
        reference = InProcessTransport(build_app(captures))
        reference_client = EmulatorHandle(IN_PROCESS_URL, reference).client(invent.api_key)
        try:
            rows = []
            for name, label, call_on, target in (
                    ("send", "send (2 templates)", _send, 2.0),
                    ("list_broadcasts", "list of 20 broadcasts", _list, 1.5)):
                ours, ours_wall = per_call_us(lambda c=call_on: c(invent.client), calls)
                theirs, theirs_wall = per_call_us(lambda c=call_on: c(reference_client), calls)
                row = Row(f"inprocess.{name}", f"in-process `invent.client`: {label} (CPU)",
                          "µs", ours, theirs, target=f"≤ {target}x the reference app",
                          extra={"emulator_wall_median_us": ours_wall,
                                 "reference_wall_median_us": theirs_wall})
                row.met = (row.ratio or 99) <= target
                rows.append(row)
            return rows
        finally:
            reference_client.close()
            reference.shutdown()
            invent.close()
            handle.close()
            transport.shutdown()


def _send(client: httpx.Client) -> httpx.Response:
    return client.post(SEND, json=SEND_JSON)


def _list(client: httpx.Client) -> httpx.Response:
    return client.get(LIST)


def org_round_trip_us(handle: EmulatorHandle, count: int) -> tuple[float, float]:
    """new_org() + close() + delete(): exactly what the `invent` fixture does per test.
    (CPU, wall) as in per_call_us: the emulator runs in this process in both modes."""
    walls = []
    cpu_started = time.process_time()
    for _ in range(count):
        started = time.perf_counter()
        org = handle.new_org()
        org.close()
        org.delete()
        walls.append(time.perf_counter() - started)
    cpu = (time.process_time() - cpu_started) / count
    return cpu * 1e6, statistics.median(walls) * 1e6


def measure_orgs(count: int) -> list[Row]:
    """Through `running()`, as the plugin's session fixture makes its handle: orgs are made on
    the emulator's loop (emulator/testing/direct.py). Beside it, in `extra`, the same round trip
    over HTTP (a handle without the loop, as for an external emulator) in the same mode."""
    rows = []
    for mode, label in (("inprocess", "in-process mode"), ("thread", "thread mode (loopback)")):
        with running("default", mode) as handle:
            cpu, wall = org_round_trip_us(handle, count)
            over_http = EmulatorHandle(handle.url, handle.transport, handle.errors)
            try:
                http_cpu, http_wall = org_round_trip_us(over_http, count)
            finally:
                over_http.close()
        rows.append(Row(f"org.{mode}", f"fresh per-test org, {label} (CPU, {count} orgs)", "µs",
                        cpu, target="≤ 1 ms", met=cpu <= 1000,
                        extra={"wall_median_us": wall, "over_http_cpu_us": http_cpu,
                               "over_http_wall_median_us": http_wall}))
    return rows
