"""What every refused hostile request must leave behind: the JSON envelope with a 4xx, a healthy
server, the same state as before (list endpoints answer the same bytes) and no traceback."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from http import HTTPStatus

import httpx
import pytest
from starlette.applications import Starlette

KEY = "test_key_acme"
# Reads whose bytes stand for the state a refused request must not change. The journal
# (/_emulator/requests) is left out: recording every request is its job.
STATE_READS = (
    "/orgs/c/broadcasts", "/orgs/c/contacts?take=100", "/orgs/c/segments",
    "/_emulator/messages", "/_emulator/clock",
)
ENVELOPE = ({"statusCode", "error", "message"}, {"statusCode", "error", "message", "details"})


@dataclass
class Hostile:
    """One emulator (the bundled default scenario, in-process) and the log it writes."""

    app: Starlette
    http: httpx.AsyncClient
    caplog: pytest.LogCaptureFixture
    seen: list[str] = field(default_factory=list)

    async def state(self) -> list[bytes]:
        headers = {"Authorization": f"Bearer {KEY}"}
        return [(await self.http.get(path, headers=headers)).content for path in STATE_READS]

    async def refused(self, request: httpx.Request, *statuses: int) -> dict[str, object]:
        """Send `request`; it must be refused with a 4xx envelope (one of `statuses` if given)
        and change nothing."""
        before = await self.state()
        response = await self.http.send(request)
        body = assert_envelope(response, *statuses)
        await self.assert_healthy()
        assert await self.state() == before, f"{request.method} {request.url} changed the state"
        return body

    async def assert_healthy(self) -> None:
        health = await self.http.get("/_emulator/health")
        assert health.status_code == 200, health.text
        assert_no_traceback(self.caplog, self.app)


def assert_envelope(response: httpx.Response, *statuses: int) -> dict[str, object]:
    status = response.status_code
    assert 400 <= status < 500, f"{status}: {response.text[:500]}"
    if statuses:
        assert status in statuses, f"{status} not in {statuses}: {response.text[:500]}"
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body = response.json()
    assert isinstance(body, dict) and set(body) in ENVELOPE, body
    assert body["statusCode"] == status and body["error"] == HTTPStatus(status).phrase, body
    assert isinstance(body["message"], str) and body["message"], body
    return body


def assert_no_traceback(caplog: pytest.LogCaptureFixture, app: Starlette) -> None:
    errors = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]
    assert not app.state.errors, app.state.errors
