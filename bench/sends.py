"""Transactional sends per second: over loopback against `invent-emulator serve` in its own
process (as a CI sidecar runs), and in-process through httpx.ASGITransport."""

from __future__ import annotations

import asyncio
import re
import shutil
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


WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = '{"email": "ada@example.test", "variables": {"otp": "123456"}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer bench_key"
"""


def wrk(url: str, folder: Path) -> float:
    script = folder / "send.lua"
    script.write_text(WRK_SCRIPT)
    output = subprocess.run(["wrk", "-t1", f"-c{CONCURRENCY}", "-d5s", "-s", str(script),
                             f"{url}/orgs/c/broadcasts/bc_otp/send"],
                            capture_output=True, text=True, check=True, timeout=60).stdout
    if "Non-2xx" in output:
        raise RuntimeError(f"wrk saw errors:\n{output}")
    found = re.search(r"Requests/sec:\s+([0-9.]+)", output)
    assert found, output
    return float(found.group(1))


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
            print(f"loopback to a served emulator, {CONCURRENCY} concurrent httpx clients: "
                  f"{rate:,.0f} sends/s ({SENDS} sends, 2 rows each; httpx is the bottleneck)")
            if shutil.which("wrk"):
                print(f"loopback, wrk -c{CONCURRENCY} for 5 s: "
                      f"{wrk(url, Path(folder)):,.0f} sends/s (the server's own capacity)")
            else:
                print("(install Debian's wrk to measure the server without a Python client)")
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
