"""The served request path's own cost, apart from the app and the socket: uvicorn's HTTP protocol
as `invent-emulator serve` builds it (our connection guard around httptools) fed POSTs over a
fake transport on one thread, with a trivial app; CPU per request, beside httptools bare.

    python -m bench.guard_stack [--requests 5000] [--blocks 9]

A served send's CPU varies by more than this layer costs on a shared machine; here the
difference between the two lines is the guard (and uvicorn's proxy-headers layer, on in the
bare one as uvicorn's default)."""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

import uvicorn
from starlette.types import Receive, Scope, Send
from uvicorn.server import ServerState

from emulator.server import make_server

REQUEST = (b"POST /orgs/c/broadcasts/bc_otp/send HTTP/1.1\r\nHost: localhost\r\n"
           b"Authorization: Bearer k\r\nContent-Type: application/json\r\nContent-Length: 61\r\n"
           b'\r\n{"email": "ada@example.test", "variables": {"otp": "123456"}}')
WRITES_PER_ANSWER = 2  # the head, then the body


async def trivial_app(scope: Scope, receive: Receive, send: Send) -> None:
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 201,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"{}"})


class CountingTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.writes = 0
        self.closing = False

    def write(self, data: Any) -> None:
        self.writes += 1

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8000)}.get(
            name, default)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def cpu_per_request(guarded: bool, requests: int, blocks: int) -> list[float]:
    if guarded:
        config = make_server(trivial_app, access_log=False, log_level="warning").uvicorn.config
    else:
        config = uvicorn.Config(trivial_app, http="httptools", access_log=False,
                                lifespan="off", log_config=None)
    config.load()
    protocol = config.http_protocol_class(  # type: ignore[call-arg]
        config=config, server_state=ServerState(), app_state={})
    transport = CountingTransport()
    protocol.connection_made(transport)

    async def run(count: int) -> None:
        for _ in range(count):
            answered = transport.writes + WRITES_PER_ANSWER
            protocol.data_received(REQUEST)
            while transport.writes < answered:
                await asyncio.sleep(0)

    await run(requests // 2)  # warm up
    results = []
    for _ in range(blocks):
        started = time.thread_time()
        await run(requests)
        results.append((time.thread_time() - started) / requests * 1e6)
    protocol.connection_lost(None)
    return sorted(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--blocks", type=int, default=9)
    args = parser.parse_args()
    import uvloop  # as `serve` runs (uvicorn's "auto" loop)

    for guarded, name in ((True, "served stack (guard + httptools)"), (False, "bare httptools")):
        results = uvloop.run(cpu_per_request(guarded, args.requests, args.blocks))
        print(f"{name}: best {results[0]:.1f} µs, median {results[len(results) // 2]:.1f} µs "
              "CPU per POST")


if __name__ == "__main__":
    main()
