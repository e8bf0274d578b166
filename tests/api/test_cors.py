"""CORS: open on the public API (browser frontends call it), absent on the control surface."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.anyio


async def test_cors_covers_the_public_api_and_not_the_control_surface(
        client: httpx.AsyncClient) -> None:
    origin = {"Origin": "http://frontend.test"}
    public = await client.get("/orgs/c/broadcasts", headers=origin)
    control = await client.get("/_emulator/health", headers=origin)
    assert public.headers["access-control-allow-origin"] == "*"
    assert "pagination-count" in public.headers["access-control-expose-headers"]
    assert "access-control-allow-origin" not in control.headers
