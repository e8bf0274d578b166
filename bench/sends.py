"""Transactional sends per second: over loopback against `invent-emulator serve` in its own
process (as a CI sidecar runs), and in-process through httpx.ASGITransport."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from emulator import Settings, create_app
from emulator.scenario.load import load_scenario_text

SENDS = 3_000
CONCURRENCY = 8
SCENARIO = """
rate_limits: {send: null}
orgs:
  - id: org_bench
    api_keys: [bench_key]
    broadcasts:
      - id: bc_otp
        name: OTP
        type: TRANSACTIONAL
        status: ACTIVE
        properties: {otp: "000000"}
        templates:
          - {id: tpl_mail, integration_id: gmail, config: {subject: Code, body: "{{otp}}"}}
          - {id: tpl_sms, integration_id: twilio, config: {body: "{{otp}}"}}
"""


async def drive(http: httpx.AsyncClient) -> float:
    counter = iter(range(SENDS))

    async def worker() -> None:
        for index in counter:
            response = await http.post("/orgs/c/broadcasts/bc_otp/send", json={
                "email": f"user{index % 500}@example.test", "phone": f"+1555{index % 500:07d}",
                "variables": {"otp": f"{index:06d}"}})
            response.raise_for_status()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return SENDS / (time.perf_counter() - started)


def fresh_app() -> object:
    return create_app(Settings(), scenario=load_scenario_text(SCENARIO))


def serve(scenario: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "emulator", "serve", "--port", "0",
                                    "--scenario", str(scenario)], stdout=out, stderr=out)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        found = re.search(r"listening on (http://\S+)", log.read_text())
        if found:
            url = found.group(1)
            try:
                if httpx.get(f"{url}/_emulator/health").status_code == 200:
                    return process, url
            except httpx.HTTPError:
                pass
        time.sleep(0.01)
    process.kill()
    raise RuntimeError("the emulator did not start")


async def main() -> None:
    headers = {"Authorization": "Bearer bench_key"}
    with tempfile.TemporaryDirectory() as folder:
        scenario = Path(folder) / "bench.yaml"
        scenario.write_text(SCENARIO)
        process, url = serve(scenario, Path(folder) / "serve.log")
        try:
            async with httpx.AsyncClient(base_url=url, headers=headers) as http:
                rate = await drive(http)
            print(f"loopback to a served emulator, {CONCURRENCY} concurrent clients: "
                  f"{rate:,.0f} sends/s ({SENDS} sends, 2 rows each)")
        finally:
            process.terminate()
            process.wait(10)
    transport = httpx.ASGITransport(app=fresh_app())  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://bench",
                                 headers=headers) as http:
        rate = await drive(http)
    print(f"in-process (httpx.ASGITransport): {rate:,.0f} sends/s")


if __name__ == "__main__":
    asyncio.run(main())
