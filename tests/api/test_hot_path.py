"""What the hot read paths never do: a GET of the public lists (broadcasts, contacts, a
recipients page, with and without a filter) runs no pydantic code at all, neither a model nor
a validator (issue 20: query strings are parsed by the operations' query declarations and
answers are dicts or kept bytes)."""

from __future__ import annotations

import sys
from types import FrameType
from typing import Any

import anyio
from support.apps import app_from_yaml, client_for
from support.language import scenario
from support.wire import START

from emulator.support.clock import VirtualClock

READS = ("/orgs/c/broadcasts", "/orgs/c/contacts", "/orgs/c/broadcasts/bc_both/recipients",
         "/orgs/c/broadcasts/bc_both/recipients?is_delivered=true&page=1&take=2")


def _pydantic(frame: FrameType, event: str, arg: Any) -> bool:
    if event in ("c_call", "c_return"):
        owner = getattr(arg, "__self__", None)
        module = getattr(arg, "__module__", None) or type(owner).__module__
        return module.startswith("pydantic")
    return "/pydantic" in frame.f_code.co_filename


def test_a_get_runs_no_pydantic_code() -> None:
    async def run() -> None:
        app = app_from_yaml(scenario(""), VirtualClock(START))
        async with client_for(app, "key_a") as client:
            sent = await client.post("/orgs/c/broadcasts/bc_both/send",
                                     json={"email": "q@example.test"})
            assert sent.status_code == 200, sent.text
            for path in READS:  # the first read of each (rendering, nothing kept yet)...
                assert (await client.get(path)).status_code == 200
            seen: list[str] = []

            def watch(frame: FrameType, event: str, arg: Any) -> None:
                if _pydantic(frame, event, arg):
                    seen.append(f"{event} {frame.f_code.co_filename}:{frame.f_code.co_name}")

            await client.post("/orgs/c/broadcasts/bc_both/send", json={"email": "r@example.test"})
            sys.setprofile(watch)
            try:  # ... and the reads after a write, which render again
                answers = [await client.get(path) for path in READS]
            finally:
                sys.setprofile(None)
            assert [a.status_code for a in answers] == [200] * len(READS)
            assert seen == []

    anyio.run(run)
