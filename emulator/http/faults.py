"""Injected faults from the scenario's `faults:`: for matching requests, every Nth / the Nth /
with a probability, answer an error status, add latency, or drop the connection. Counted and
drawn from the seed, so a run repeats exactly."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatchcase

from starlette.types import ASGIApp, Receive, Scope, Send

from emulator.http.errors import envelope
from emulator.rng import RandomSource
from emulator.scenario.schema import FaultSpec, ScenarioSpec

CONTROL_PREFIX = "/_emulator"


@dataclass(slots=True)
class _FaultState:
    spec: FaultSpec
    seen: int = 0


class FaultInjector:
    """Holds the counters of the loaded scenario's faults; replaced whole when it is reloaded."""

    def __init__(self, spec: ScenarioSpec) -> None:
        self.faults = [_FaultState(f) for f in spec.faults]
        self.rng = RandomSource(spec.seed, "faults")

    def pick(self, method: str, path: str) -> tuple[int, FaultSpec] | None:
        """The first fault that fires for this request; every matching rule counts it."""
        fired: tuple[int, FaultSpec] | None = None
        for index, state in enumerate(self.faults):
            when = state.spec.when
            if when.method and when.method.upper() != method:
                continue
            if when.path and not fnmatchcase(path, when.path):
                continue
            state.seen += 1
            if fired is None and self._fires(state):
                fired = (index, state.spec)
        return fired

    def _fires(self, state: _FaultState) -> bool:
        spec = state.spec
        if spec.every is not None:
            return state.seen % spec.every == 0
        if spec.nth is not None:
            return state.seen == spec.nth
        if spec.probability is not None:
            return self.rng.chance() < spec.probability
        return True


class FaultMiddleware:
    def __init__(self, app: ASGIApp, injector: Callable[[], FaultInjector]) -> None:
        self.app = app
        self.injector = injector

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        picked = self.injector().pick(scope["method"], path)
        if picked is None:
            await self.app(scope, receive, send)
            return
        index, fault = picked
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.drop:
            # Start a response and end without its body: the client sees the connection cut.
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-length", b"1024")]})
            return
        if fault.respond is None:
            await self.app(scope, receive, send)
            return
        status = fault.respond.status
        message = fault.respond.message or f"Injected fault (faults[{index}])"
        body = json.dumps(envelope(status, message), separators=(",", ":")).encode()
        headers = [(b"content-type", b"application/json"),
                   (b"content-length", str(len(body)).encode())]
        if fault.respond.retry_after is not None:
            headers.append((b"retry-after", str(fault.respond.retry_after).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
