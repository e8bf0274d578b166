"""CORS: the public API is open to every origin by default (preflight answered, Authorization
allowed, pagination headers and Retry-After exposed); `cors_origins` narrows it to a list or
turns it off; the control surface and the explorer never answer CORS."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from support.wire import ACME_KEY, START

from emulator import Settings, create_app
from emulator.settings import parse_origins
from emulator.testing import VirtualClock

FRONTEND = "http://localhost:3000"
ELSEWHERE = "http://evil.test"
PREFLIGHT = {"Access-Control-Request-Method": "POST",
             "Access-Control-Request-Headers": "authorization, content-type"}
SAME_ORIGIN_PATHS = ("/_emulator/health", "/docs", "/docs/explorer.js")

pytestmark = pytest.mark.anyio


def _client(origins: tuple[str, ...]) -> httpx.AsyncClient:
    app = create_app(Settings(cors_origins=origins), clock=VirtualClock(START))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                             base_url="http://emulator.test",
                             headers={"Authorization": f"Bearer {ACME_KEY}"})


@pytest.fixture
async def emulator() -> AsyncIterator[httpx.AsyncClient]:
    async with _client(("*",)) as http:
        yield http


async def test_by_default_every_origin_may_call_the_public_api(
        emulator: httpx.AsyncClient) -> None:
    preflight = await emulator.options("/orgs/c/broadcasts/bc_otp/send",
                                       headers={"Origin": FRONTEND, **PREFLIGHT})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    allowed = preflight.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed and "content-type" in allowed
    assert "POST" in preflight.headers["access-control-allow-methods"]
    listing = await emulator.get("/orgs/c/broadcasts", headers={"Origin": FRONTEND})
    assert listing.status_code == 200
    assert listing.headers["access-control-allow-origin"] == "*"
    exposed = {h.strip().lower()
               for h in listing.headers["access-control-expose-headers"].split(",")}
    assert exposed == {"pagination-count", "pagination-page", "pagination-take", "retry-after"}


async def test_the_api_description_is_readable_across_origins(
        emulator: httpx.AsyncClient) -> None:
    answer = await emulator.get("/openapi.json", headers={"Origin": FRONTEND})
    assert answer.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize("where", SAME_ORIGIN_PATHS, ids=["control", "docs", "asset"])
async def test_control_surface_and_explorer_stay_same_origin(where: str) -> None:
    async with _client(("*",)) as emulator:
        await _same_origin_only(emulator, where)


async def _same_origin_only(emulator: httpx.AsyncClient, where: str) -> None:
    answer = await emulator.get(where, headers={"Origin": FRONTEND})
    assert answer.status_code == 200
    assert not any(name.startswith("access-control-") for name in answer.headers)
    preflight = await emulator.options(where, headers={"Origin": FRONTEND, **PREFLIGHT})
    assert preflight.status_code == 405  # not a CORS preflight answer: no route for OPTIONS
    assert "access-control-allow-origin" not in preflight.headers


async def test_a_list_admits_only_its_origins() -> None:
    async with _client((FRONTEND,)) as emulator:
        await _only_the_listed_origin(emulator)


async def _only_the_listed_origin(emulator: httpx.AsyncClient) -> None:
    mine = await emulator.get("/orgs/c/broadcasts", headers={"Origin": FRONTEND})
    assert mine.headers["access-control-allow-origin"] == FRONTEND
    other = await emulator.get("/orgs/c/broadcasts", headers={"Origin": ELSEWHERE})
    assert other.status_code == 200  # the browser, not the server, withholds the answer
    assert "access-control-allow-origin" not in other.headers
    refused = await emulator.options("/orgs/c/broadcasts",
                                     headers={"Origin": ELSEWHERE, **PREFLIGHT})
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers


async def test_off_answers_no_cors_at_all() -> None:
    async with _client(()) as emulator:
        await _no_cors(emulator)


async def _no_cors(emulator: httpx.AsyncClient) -> None:
    listing = await emulator.get("/orgs/c/broadcasts", headers={"Origin": FRONTEND})
    assert listing.status_code == 200
    assert not any(name.startswith("access-control-") for name in listing.headers)
    preflight = await emulator.options("/orgs/c/broadcasts",
                                       headers={"Origin": FRONTEND, **PREFLIGHT})
    assert preflight.status_code == 405


@pytest.mark.parametrize(("raw", "parsed"), [
    ("off", ()), ("OFF", ()), ("*", ("*",)),
    (" http://localhost:3000 , https://app.test ", ("http://localhost:3000", "https://app.test")),
])
def test_origins_setting_values(raw: str, parsed: tuple[str, ...]) -> None:
    assert parse_origins(raw) == parsed
    env = {"INVENT_EMULATOR_CORS_ORIGINS": raw}
    assert Settings.from_env(env).cors_origins == parsed


@pytest.mark.parametrize("raw", [" , x", "http://localhost:3000/", "localhost:3000",
                                 "http://a.test/path"])
def test_bad_origins_are_refused_naming_the_setting(raw: str) -> None:
    with pytest.raises(ValueError, match="INVENT_EMULATOR_CORS_ORIGINS"):
        Settings.from_env({"INVENT_EMULATOR_CORS_ORIGINS": raw})


def test_the_flag_overrides_the_environment() -> None:
    settings = Settings.from_env({"INVENT_EMULATOR_CORS_ORIGINS": "off"},
                                 cors_origins=parse_origins(FRONTEND))
    assert settings.cors_origins == (FRONTEND,)


async def test_an_origin_written_with_capitals_matches_what_a_browser_sends() -> None:
    async with _client(parse_origins("http://Localhost:3000")) as http:
        answer = await http.get("/orgs/c/broadcasts", headers={"Origin": FRONTEND})
    assert answer.headers["access-control-allow-origin"] == FRONTEND
