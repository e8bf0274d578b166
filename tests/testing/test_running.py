"""emulator.testing.running(): an emulator for unittest suites and scripts, in a thread or
in-process, with the same handle and per-org helpers as the pytest plugin; stopped when the
block ends, however it ends."""

from __future__ import annotations

import threading
from typing import Literal

import anyio
import httpx
import pytest

from emulator.testing import EmulatorHandle, InventOrg, running

Mode = Literal["thread", "inprocess"]

THREADS = ("invent-emulator", "invent-emulator-inprocess")


def emulator_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name in THREADS]


@pytest.mark.parametrize("mode", ["thread", "inprocess"])
def test_a_handle_with_orgs_and_their_helpers(mode: Mode) -> None:
    with running(scenario="otp", mode=mode) as emu:
        assert emu.health()
        assert (emu.transport is None) == (mode == "thread")
        with emu.new_org(copy_of="org_otp") as org:
            sent = org.client.post("/orgs/c/broadcasts/bc_otp/send",
                                   json={"email": "ada@example.test", "variables": {"otp": "1"}})
            assert sent.status_code == 200, sent.text
            assert org.last_message(to="ada@example.test")["subject"] == "Acme login code"
            org_id = org.org_id
        # the org was deleted when its block ended
        assert emu.control.delete(f"/_emulator/orgs/{org_id}").status_code == 404
        assert emu.take_errors() == []
    assert emulator_threads() == []


@pytest.mark.parametrize("mode", ["thread", "inprocess"])
def test_everything_stops_when_the_block_raises(mode: Mode) -> None:
    with pytest.raises(RuntimeError, match="boom"), running(mode=mode) as emu:
        url = emu.url
        raise RuntimeError("boom")
    assert emulator_threads() == []
    if mode == "thread":
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{url}/_emulator/health")


def test_an_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="thread, inprocess"), running(mode="socket"):  # type: ignore[arg-type]
        pass


async def test_the_async_client_from_the_tests_loop() -> None:
    for mode in ("thread", "inprocess"):  # (the conftest's anyio marking forbids parametrize)
        with running(mode=mode) as emu, emu.new_org() as org:
            made = await org.async_client.post("/orgs/c/broadcasts", json={"name": mode})
            assert made.status_code == 200, made.text
            assert [b["name"] for b in org.client.get("/orgs/c/broadcasts").json()] == [mode]


def test_the_async_client_and_interception_under_trio() -> None:
    """Not asyncio: the call waits for the emulator's loop in a worker thread instead."""
    async def scenario(org: InventOrg) -> list[str]:
        made = await org.async_client.post("/orgs/c/broadcasts", json={"name": "trio"})
        assert made.status_code == 200, made.text
        with org.intercept():
            listed = await httpx.AsyncClient(headers={"Authorization": "Bearer k"}).get(
                "https://api.useinvent.com/orgs/org_live/broadcasts")
        return [b["name"] for b in listed.json()]

    for mode in ("thread", "inprocess"):
        with running(mode=mode) as emu, emu.new_org() as org:
            assert anyio.run(scenario, org, backend="trio") == ["trio"]


@pytest.mark.parametrize("url", ["http://127.0.0.1:9", "http://127.0.0.1:9/", "http://host:9/base"])
def test_the_handles_clients_are_based_where_httpx_would_base_them(url: str) -> None:
    """The handle parses its URL once for all its clients; requests go where they went."""
    handle = EmulatorHandle(url)
    try:
        plain = httpx.Client(base_url=url)
        for client in (handle.client("k"), handle.control):
            assert client.base_url == plain.base_url
            assert client.build_request("GET", "/orgs/c").url == plain.build_request(
                "GET", "/orgs/c").url
        assert handle.async_client().base_url == plain.base_url
    finally:
        handle.close()
