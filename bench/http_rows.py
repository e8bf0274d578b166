"""Side by side over loopback: `invent-emulator serve` and the reference app serving the bytes
captured from it, under the same load, endpoint by endpoint, at 1, 8 and 64 connections."""

from __future__ import annotations

import http.client
import json
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench import scenario
from bench.load import Load, Request, run_load
from bench.processes import HEALTH, emulator_command, free_port, reference_command, running
from bench.reference_app import Capture, save_captures
from bench.rows import Row

CONNECTIONS = (1, 8, 64)
RECIPIENTS = f"/orgs/c/broadcasts/{scenario.CAMPAIGN}/recipients"
FILTER = "is_delivered=true"  # one flag
SEND_BODY = b'{"email": "ada@example.test", "variables": {"otp": "123456"}}'
PRISM_RPS = 3_000.0  # Stoplight Prism on the same endpoints, as the issue measured it
# Long enough for the full garbage collection that follows the campaign's 200,000 new rows
# (about 2 s on a busy machine) to happen here rather than in the first measured load.
WARM_UP_SECONDS = 3.0


@dataclass(frozen=True)
class Endpoint:
    name: str
    label: str
    method: str
    path: str
    query: str
    api_key: str
    body: bytes = b""

    @property
    def is_list(self) -> bool:
        return self.method == "GET"

    def request(self, port: int) -> Request:
        headers = {"Authorization": f"Bearer {self.api_key}"}
        if self.body:
            headers["Content-Type"] = "application/json"
        target = self.path + (f"?{self.query}" if self.query else "")
        return Request(self.method, f"http://127.0.0.1:{port}{target}", headers, self.body)


ENDPOINTS = (
    Endpoint("list_broadcasts", "list broadcasts (20)", "GET", "/orgs/c/broadcasts", "",
             scenario.SMALL_KEY),
    Endpoint("recipients_p1", "recipients page 1", "GET", RECIPIENTS, "page=1",
             scenario.BIG_KEY),
    Endpoint("recipients_p1000", "recipients page 1000", "GET", RECIPIENTS, "page=1000",
             scenario.BIG_KEY),
    Endpoint("recipients_p1_filtered", f"recipients page 1, {FILTER}", "GET", RECIPIENTS,
             f"page=1&{FILTER}", scenario.BIG_KEY),
    Endpoint("recipients_p1000_filtered", f"recipients page 1000, {FILTER}", "GET", RECIPIENTS,
             f"page=1000&{FILTER}", scenario.BIG_KEY),
    Endpoint("send", "transactional send (2 templates)", "POST",
             f"/orgs/c/broadcasts/{scenario.SEND_BROADCAST}/send", "", scenario.SMALL_KEY,
             SEND_BODY),
)


def call(port: int, method: str, target: str, api_key: str | None = None,
         body: bytes = b"") -> tuple[int, list[tuple[str, str]], bytes]:
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    if body:
        headers["Content-Type"] = "application/json"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, target, body=body or None, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def send_campaign(port: int) -> None:
    """Send the 200,000-row campaign and wait until it is SENT, so its pages are all there."""
    status, _, body = call(port, "POST", f"/orgs/c/broadcasts/{scenario.CAMPAIGN}/send",
                           scenario.BIG_KEY)
    if status != 200:
        raise RuntimeError(f"the campaign send answered {status}: {body[:300]!r}")
    deadline = time.monotonic() + 120
    target = f"/_emulator/orgs/{scenario.BIG_ORG}/broadcasts/{scenario.CAMPAIGN}"
    while json.loads(call(port, "GET", target)[2])["status"] != "SENT":
        if time.monotonic() > deadline:
            raise RuntimeError("the campaign was not SENT within 120 s")
        time.sleep(0.05)


def capture(port: int) -> list[Capture]:
    """The emulator's real answer to every request the load will send, and its health check."""
    captures = []
    for endpoint in ENDPOINTS:
        target = endpoint.path + (f"?{endpoint.query}" if endpoint.query else "")
        status, headers, body = call(port, endpoint.method, target, endpoint.api_key,
                                     endpoint.body)
        if status != 200:
            raise RuntimeError(f"{endpoint.method} {target} answered {status}: {body[:300]!r}")
        captures.append(Capture(endpoint.method, endpoint.path, endpoint.query, status,
                                headers, body))
    status, headers, body = call(port, "GET", HEALTH)
    return [*captures, Capture("GET", HEALTH, "", status, headers, body)]


def measure(wrk: str | None, contacts: int, seconds: float) -> list[Row]:
    with tempfile.TemporaryDirectory() as folder:
        scenario_file = scenario.write_scenario(Path(folder), contacts)
        mine = free_port()
        with running(emulator_command(mine, str(scenario_file)), mine):
            send_campaign(mine)
            captures_file = Path(folder) / "captures.json"
            save_captures(capture(mine), captures_file)
            theirs = free_port()
            with running(reference_command(theirs, captures_file), theirs):
                for port in (mine, theirs):  # warm both up the same way
                    run_load(wrk, ENDPOINTS[0].request(port), 8,
                             min(WARM_UP_SECONDS, 4 * seconds))
                    drain(port)
                rows = [_side_by_side(wrk, e, c, mine, theirs, seconds)
                        for e in ENDPOINTS for c in CONNECTIONS]
    judge(rows)
    return rows


def _side_by_side(wrk: str | None, endpoint: Endpoint, connections: int, mine: int,
                  theirs: int, seconds: float) -> Row:
    ours = run_load(wrk, endpoint.request(mine), connections, seconds)
    drained = drain(mine)
    ceiling = run_load(wrk, endpoint.request(theirs), connections, seconds)
    drain(theirs)
    if ours.errors or ceiling.errors:
        raise RuntimeError(f"{endpoint.label}: non-2xx or socket errors "
                           f"(emulator {ours.errors}, reference {ceiling.errors})")
    return Row(f"http.{endpoint.name}.c{connections}",
               f"`{endpoint.method}` {endpoint.label}, {connections} conn.", "req/s",
               ours.rps, ceiling.rps, extra={**_percentiles("emulator", ours),
                                             **_percentiles("reference", ceiling),
                                             "emulator_drain_s": round(drained, 3)})


def drain(port: int) -> float:
    """Wait until the server has answered what the load left queued (a slow server keeps
    working through the last requests of every connection after wrk stops), so the next run
    starts on an idle server. Returns the seconds waited."""
    started = time.perf_counter()
    call(port, "GET", HEALTH)
    return time.perf_counter() - started


def _percentiles(side: str, load: Load) -> dict[str, float | str]:
    return {f"{side}_p50_ms": load.p50_ms, f"{side}_p99_ms": load.p99_ms}


def judge(rows: list[Row]) -> None:
    """The issue's targets, each from figures of this same run."""
    by_key = {row.key: row for row in rows}
    for row in rows:
        name, connections = row.key.split(".")[1], int(row.key.rsplit(".c", 1)[1])
        p50, p99 = float(row.extra["emulator_p50_ms"]), float(row.extra["emulator_p99_ms"])
        if row.emulator == 0:
            row.target, row.met = "(no request completed)", False
        elif connections == 8:
            floor = 0.4 if name == "send" else 0.6
            row.target = f"≥ {floor}x ceiling and ≥ 3x Prism ({3 * PRISM_RPS:,.0f} req/s)"
            row.met = (row.ratio or 0) >= floor and row.emulator >= 3 * PRISM_RPS
        elif connections == 64:
            row.target, row.met = "p99 ≤ 20 ms", p99 <= 20
        elif name.startswith("recipients") and "p1000" in name:
            first = by_key[row.key.replace("p1000", "p1")]
            limit = 2 * float(first.extra["emulator_p50_ms"])
            row.target = "p50 ≤ 10 ms and ≤ 2x page 1's p50"
            row.met = p50 <= 10 and p50 <= limit
        elif name.startswith("recipients"):
            row.target, row.met = "p50 ≤ 10 ms", p50 <= 10
