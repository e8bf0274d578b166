"""Scale, each in a fresh process so memory figures are its own: the 100,000-contact x
2-template campaign (time until SENT, peak RSS, bytes per row) and RSS before and after
100,000 transactional sends.

    python -m bench.scale campaign 100000      # prints one JSON object
    python -m bench.scale sends 100000
"""

from __future__ import annotations

import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import scenario
from bench.rows import Row
from emulator import Settings, create_app

SEND_PATH = f"/orgs/c/broadcasts/{scenario.SEND_BROADCAST}/send"
CAMPAIGN_PATH = f"/orgs/c/broadcasts/{scenario.CAMPAIGN}/send"
CAMPAIGN_STATE = f"/_emulator/orgs/{scenario.BIG_ORG}/broadcasts/{scenario.CAMPAIGN}"


def rss_mb() -> float:
    """Resident set size now (Linux), else the peak so far."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return peak_rss_mb()


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 1024 / 1024


async def asgi_call(app: Any, method: str, path: str, api_key: str | None = None,
                    body: bytes = b"") -> tuple[int, bytes]:
    """One request straight into the ASGI app: no socket and no HTTP client in the way."""
    path, _, query = path.partition("?")
    headers = [(b"content-type", b"application/json")]
    if api_key:
        headers.append((b"authorization", f"Bearer {api_key}".encode()))
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": query.encode(), "root_path": "", "headers": headers,
             "client": ("127.0.0.1", 0), "server": ("127.0.0.1", 80)}
    answer: dict[str, Any] = {"status": 500, "body": []}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            answer["body"].append(message.get("body", b""))

    await app(scope, receive, send)
    return answer["status"], b"".join(answer["body"])


async def campaign(contacts: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        scenario_file = scenario.write_scenario(Path(folder), contacts)
        before_load = rss_mb()
        app = create_app(Settings(scenario=str(scenario_file)))
    loaded = rss_mb()
    started = time.perf_counter()
    cpu_started = time.process_time()
    status, body = await asgi_call(app, "POST", CAMPAIGN_PATH, scenario.BIG_KEY)
    if status != 200:
        raise RuntimeError(f"the campaign send answered {status}: {body[:300]!r}")
    while True:
        state = json.loads((await asgi_call(app, "GET", CAMPAIGN_STATE))[1])
        if state["status"] == "SENT":
            break
        if time.perf_counter() - started > 120:
            raise RuntimeError("the campaign was not SENT within 120 s")
        await asyncio.sleep(0.005)
    sent = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    rows = int(state["recipients_count"])
    kept = await fill_render_cache(app)
    after = rss_mb()
    return {"seconds_to_sent": sent, "cpu_seconds_to_sent": cpu, "rows": rows,
            "rss_before_load_mb": before_load, "rss_loaded_mb": loaded, "rss_sent_mb": after,
            "peak_rss_mb": peak_rss_mb(), "render_cache_entries": kept,
            "bytes_per_row": (after - loaded) * 1024 * 1024 / max(rows, 1)}


async def fill_render_cache(app: Any) -> int:
    """Read recipients pages until the render cache is at its bound, so memory is measured
    with it full (issue 20); returns how many entries it holds."""
    cache = app.state.emulator.renders
    if cache is None:
        return 0
    page, last_page = 1, cache.entries // 100 + 1  # take=100: never more pages than that
    while len(cache) < cache.entries and page <= last_page:
        path = f"{CAMPAIGN_PATH.rsplit('/', 1)[0]}/recipients?take=100&page={page}"
        status, body = await asgi_call(app, "GET", path, scenario.BIG_KEY)
        if status != 200 or body == b"[]":
            break
        page += 1
    return len(cache)


async def sends(count: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(Settings(scenario=str(scenario.write_scenario(Path(folder), 0))))
    await asgi_call(app, "GET", "/_emulator/health")
    before = rss_mb()
    started = time.perf_counter()
    for index in range(count):
        body = (f'{{"email": "user{index % 1000}@example.test", '
                f'"variables": {{"otp": "{index % 1_000_000:06d}"}}}}').encode()
        status, answer = await asgi_call(app, "POST", SEND_PATH, scenario.SMALL_KEY, body)
        if status != 200:
            raise RuntimeError(f"send {index} answered {status}: {answer[:300]!r}")
    return {"sends": count, "seconds": time.perf_counter() - started, "rss_before_mb": before,
            "rss_after_mb": rss_mb(), "peak_rss_mb": peak_rss_mb()}


def run_child(module: str, *arguments: object) -> dict[str, float]:
    """`python -m module arguments…` in a fresh process; the JSON object it prints."""
    output = subprocess.run([sys.executable, "-m", module, *map(str, arguments)],
                            capture_output=True, text=True, check=True).stdout
    return json.loads(output)  # type: ignore[no-any-return]


def measure(contacts: int, send_count: int) -> list[Row]:
    big = run_child("bench.scale", "campaign", contacts)
    label = f"{contacts:,} contacts x 2 templates"
    rows = [
        # Judged on wall time, as the issue measured it (the stricter on a shared machine);
        # the CPU time is in the JSON beside it.
        Row("campaign.seconds_to_sent", f"campaign {label}: send until SENT", "s",
            big["seconds_to_sent"], target="≤ 2 s", met=big["seconds_to_sent"] <= 2,
            extra={"rows": big["rows"], "cpu_seconds": big["cpu_seconds_to_sent"]}),
        Row("campaign.peak_rss", f"campaign {label}: peak RSS", "MB", big["peak_rss_mb"],
            target="≤ 300 MB", met=big["peak_rss_mb"] <= 300,
            extra={"rss_loaded_mb": big["rss_loaded_mb"], "rss_sent_mb": big["rss_sent_mb"]}),
        Row("campaign.bytes_per_row", f"campaign {label}: memory per recipient row", "bytes",
            big["bytes_per_row"], target="≤ 400 bytes", met=big["bytes_per_row"] <= 400),
    ]
    many = run_child("bench.scale", "sends", send_count)
    rows += [
        Row("sends.rss_before", f"RSS before {send_count:,} transactional sends", "MB",
            many["rss_before_mb"]),
        Row("sends.rss_after", f"RSS after {send_count:,} transactional sends", "MB",
            many["rss_after_mb"], extra={"seconds": many["seconds"]}),
    ]
    return rows


def main() -> None:
    mode, count = sys.argv[1], int(sys.argv[2])
    result = asyncio.run(campaign(count) if mode == "campaign" else sends(count))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
