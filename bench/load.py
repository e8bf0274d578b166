"""HTTP load on loopback: wrk (Debian's package, installed with apt-get when missing) or, when
wrk cannot be had, the pure-asyncio generator in bench/loadgen.py (slower: it shares the
2 cores with the server, so its figures are lower bounds, and the table says which one ran)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench import loadgen


@dataclass(frozen=True)
class Request:
    """What every connection sends, again and again."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes = b""


@dataclass(frozen=True)
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def ensure_wrk(allow_install: bool) -> str | None:
    """The wrk binary, installing Debian's package when missing and allowed; None if neither."""
    found = shutil.which("wrk")
    if found or not allow_install or not shutil.which("apt-get"):
        return found
    print("bench: wrk is missing; installing Debian's package: apt-get install -y wrk",
          file=sys.stderr, flush=True)
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "wrk"]):
        if subprocess.run(command, capture_output=True, check=False).returncode:
            print(f"bench: `{' '.join(command)}` failed; using the asyncio load generator",
                  file=sys.stderr)
            return None
    return shutil.which("wrk")


def run_wrk(wrk: str, request: Request, connections: int, seconds: float) -> Load:
    lua = ["wrk.method = " + _lua(request.method), "wrk.body = " + _lua(request.body.decode())]
    lua += [f"wrk.headers[{_lua(k)}] = {_lua(v)}" for k, v in request.headers.items()]
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "request.lua"
        script.write_text("\n".join(lua) + "\n")
        # One wrk thread: the server under test is one process on one core; wrk gets the other.
        command = [wrk, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency",
                   "--timeout", "10s",
                   "-s", str(script), request.url]
        output = subprocess.run(command, capture_output=True, text=True, check=True,
                                timeout=seconds + 30).stdout
    return parse_wrk(output)


def parse_wrk(output: str) -> Load:
    rps = re.search(r"Requests/sec:\s+([0-9.]+)", output)
    p50 = re.search(r"^\s+50%\s+([0-9.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+([0-9.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    if not (rps and p50 and p99):
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors:.*", output)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    if socket_errors:
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(0)))
    return Load(float(rps.group(1)), _ms(p50), _ms(p99), errors)


def run_load(wrk: str | None, request: Request, connections: int, seconds: float) -> Load:
    if wrk is not None:
        return run_wrk(wrk, request, connections, seconds)
    result = loadgen.run(request.method, request.url, request.headers, request.body,
                         connections, seconds)
    return Load(result.rps, result.p50_ms, result.p99_ms, result.errors)


def _ms(found: re.Match[str]) -> float:
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[found.group(2)]
    return float(found.group(1)) * scale


def _lua(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
