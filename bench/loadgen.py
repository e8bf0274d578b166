"""The fallback load generator when wrk cannot be had: N keep-alive HTTP/1.1 connections on
asyncio streams, each sending the same request back to back for a fixed time. No HTTP library:
a client in Python is already the bottleneck long before the server is."""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def run(method: str, url: str, headers: dict[str, str], body: bytes, connections: int,
        seconds: float) -> Result:
    return asyncio.run(_run(method, url, headers, body, connections, seconds))


async def _run(method: str, url: str, headers: dict[str, str], body: bytes, connections: int,
               seconds: float) -> Result:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [f"{method} {target} HTTP/1.1", f"Host: {parts.netloc}",
             f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in headers.items())]
    wire = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
    latencies: list[float] = []
    errors = [0]
    deadline = time.perf_counter() + seconds
    started = time.perf_counter()
    await asyncio.gather(*(
        _connection(parts.hostname or "127.0.0.1", parts.port or 80, wire, deadline, latencies,
                    errors) for _ in range(connections)))
    elapsed = time.perf_counter() - started
    if not latencies:
        return Result(0.0, 0.0, 0.0, errors[0])
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return Result(len(latencies) / elapsed, cuts[49] * 1000, cuts[98] * 1000, errors[0])


async def _connection(host: str, port: int, wire: bytes, deadline: float,
                      latencies: list[float], errors: list[int]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        # At least one request per connection: a short load (--quick) on a busy machine may
        # open its last connections after the deadline and must still measure something.
        answered = 0
        while not answered or time.perf_counter() < deadline:
            sent = time.perf_counter()
            writer.write(wire)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - sent)
            answered += 1
            if not 200 <= status < 400:
                errors[0] += 1
    finally:
        writer.close()
