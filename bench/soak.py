"""A soak: `invent-emulator serve` under mixed traffic for a while, every send causing a webhook
to a local receiver, all on 127.0.0.1 and bounded in time. Beside it, another org sends a few
times a second to three hostile receivers (one trickles its answer, one never ends it, one never
answers). Reports errors, p50/p99 per kind of request, the server's RSS over time, what became
of every webhook, and the longest any hostile receiver held an attempt; exits 1 when any request
failed, a webhook of the healthy org was neither delivered nor logged as failed, or a hostile
receiver held an attempt past its deadline.

    .venv/bin/python -m bench.soak [--seconds 120] [--connections 64] [--json FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from bench import loadgen
from bench.processes import emulator_command, free_port
from bench.soak_hostile import KINDS, HostileReceiver
from bench.soak_receiver import Receiver
from bench.soak_server import Server

KEY = "key_soak"
SCENARIO = """\
seed: 3
rate_limits: {send: null}
orgs:
  - id: org_soak
    api_keys: [key_soak]
    broadcasts:
      - id: bc_soak
        name: Soak
        type: TRANSACTIONAL
        status: ACTIVE
        templates: [{id: tpl_soak, integration_id: gmail, config: {subject: Hi}}]
webhooks:
  - url: RECEIVER/hooks
    events: [recipient.delivered]
    timeout: 5s
"""
HOSTILE_TIMEOUT = 2.0  # each hostile attempt's total deadline
HOSTILE_SLACK = 1.5  # a hold past deadline + slack fails the soak
HOSTILE_SENDS_PER_SECOND = 5


def hostile_scenario(urls: list[str]) -> dict[str, Any]:
    """The hostile org, as POST /_emulator/orgs takes a test's own scenario."""
    return {
        "orgs": [{"id": "org_hostile", "api_keys": ["key_hostile"], "broadcasts": [{
            "id": "bc_hostile", "name": "Hostile", "type": "TRANSACTIONAL",
            "status": "ACTIVE", "templates": [{"id": "tpl_h", "integration_id": "gmail"}]}]}],
        "webhooks": [{"url": url, "events": ["recipient.sent"], "max_attempts": 2,
                      "timeout": f"{HOSTILE_TIMEOUT:g}s"} for url in urls],
    }


# The traffic: (name, method, path, body, share of the connections). Mostly reads, as a test
# suite's traffic is, and enough sends that the receiver gets a webhook every millisecond or so.
MIX = (
    ("send", "POST", "/orgs/c/broadcasts/bc_soak/send", b'{"email": "soak@example.test"}',
     0.125),
    ("list broadcasts", "GET", "/orgs/c/broadcasts", b"", 0.4375),
    ("list recipients", "GET", "/orgs/c/broadcasts/bc_soak/recipients?take=20", b"", 0.4375),
)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak")
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--json", type=Path, help="also write the report here")
    args = parser.parse_args(argv)
    report = soak(args.seconds, args.connections)
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0 if report["ok"] else 1


def soak(seconds: float, connections: int) -> dict[str, Any]:
    with (Receiver() as receiver, tempfile.TemporaryDirectory() as folder,
          contextlib.ExitStack() as stack):
        hostile = [stack.enter_context(HostileReceiver(kind)) for kind in KINDS]
        scenario = Path(folder) / "soak.yaml"
        scenario.write_text(SCENARIO.replace("RECEIVER", receiver.url))
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        with Server(emulator_command(port, str(scenario)), port) as server:
            key = _make_hostile_org(url, [r.url for r in hostile])
            stop = threading.Event()
            sender = threading.Thread(target=_send_hostile, args=(url, key, stop), daemon=True)
            sender.start()
            results = _load(url, seconds, connections, server)
            stop.set()
            sender.join()
            rss_after_load = server.rss_mb()
            settled = _settled_webhooks(url, receiver)
            rss_after_idle = server.rss_mb()
        report: dict[str, Any] = {
            "seconds": seconds, "connections": connections, "requests": results,
            "rss_mb": {"samples": server.samples, "after_load": rss_after_load,
                       "after_webhooks_settled": rss_after_idle},
            "webhooks": {**settled, "receiver_got": receiver.count},
            "hostile_receivers": {"deadline_s": HOSTILE_TIMEOUT,
                                  **{r.kind: r.report() for r in hostile}},
        }
    errors = sum(r["errors"] for r in results.values())
    held_in_time = all(r.longest_hold <= HOSTILE_TIMEOUT + HOSTILE_SLACK for r in hostile)
    report["ok"] = (errors == 0 and settled["events"] > 0 and held_in_time
                    and receiver.count + settled["failed"] == settled["events"])
    return report


def _make_hostile_org(url: str, receivers: list[str]) -> str:
    """The new org's API key."""
    made = httpx.post(f"{url}/_emulator/orgs", timeout=30,
                      json={"scenario": hostile_scenario(receivers)})
    made.raise_for_status()
    key: str = made.json()["api_key"]
    return key


def _send_hostile(url: str, key: str, stop: threading.Event) -> None:
    """A few sends a second on the hostile org (served: answered before their webhooks go)."""
    with httpx.Client(base_url=url, timeout=30,
                      headers={"Authorization": f"Bearer {key}"}) as http:
        n = 0
        while not stop.wait(1 / HOSTILE_SENDS_PER_SECOND):
            n += 1
            http.post("/orgs/c/broadcasts/bc_hostile/send",
                      json={"email": f"h{n}@example.test"}).raise_for_status()


def _load(url: str, seconds: float, connections: int, server: Server) -> dict[str, Any]:
    """Every kind of request at once, each on its share of the connections."""
    results: dict[str, Any] = {}
    sampler = threading.Thread(target=server.sample_rss, args=(seconds,), daemon=True)
    sampler.start()

    def one(name: str, method: str, path: str, body: bytes, share: float) -> None:
        headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
        result = loadgen.run(method, url + path, headers, body,
                             max(1, round(connections * share)), seconds)
        results[name] = {"rps": round(result.rps), "p50_ms": round(result.p50_ms, 2),
                         "p99_ms": round(result.p99_ms, 2), "errors": result.errors}

    threads = [threading.Thread(target=one, args=mix) for mix in MIX]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sampler.join()
    return results


def _settled_webhooks(url: str, receiver: Receiver, wait: float = 300.0) -> dict[str, int]:
    """Wait until every delivered event's webhook reached the receiver or failed (or `wait`
    ran out); `events` is the broadcast's own count of delivered rows, one webhook each."""
    deadline = time.monotonic() + wait
    path = "/_emulator/orgs/org_soak/broadcasts/bc_soak"
    with httpx.Client(base_url=url, timeout=30) as control:
        while True:
            events = control.get(path).json()["delivered_count"]
            failed = len(control.get("/_emulator/webhooks", params={
                "state": "failed", "org_id": "org_soak"}).json())
            if receiver.count + failed >= events or time.monotonic() > deadline:
                return {"events": events, "failed": failed}
            time.sleep(0.5)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
