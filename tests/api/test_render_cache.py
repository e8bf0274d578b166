"""The render cache never changes a byte: random interleavings of writes (sends, contact edits,
a marketing send, clock moves that make timed outcomes happen) and reads (the lists that are
assembled from kept bytes, the inbox's rows) answer exactly what a twin without the cache
answers, request by request."""

from __future__ import annotations

from typing import Any

import anyio
import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.apps import app_from_yaml, client_for
from support.language import scenario
from support.wire import START

from emulator import Settings
from emulator.support.clock import VirtualClock

TAIL = """
    outcomes:
      - when: {email: "*@slow.test"}
        outcome: {opened: 1, unsubscribed: 1}
        timing: {sent_after: 1s, delivered_after: 20s, opened_after: 5m, unsubscribed_after: 10m}
"""

Step = tuple[Any, ...]

ADDRESSES = ["ada@example.test", "bob@example.test", "new@example.test", "a@slow.test",
             "b@slow.test", "x+bounced@example.test"]
WRITES = st.one_of(
    st.tuples(st.just("send"), st.sampled_from(["bc_mail", "bc_both", "bc_news"]),
              st.sampled_from(ADDRESSES)),
    st.tuples(st.just("rename"), st.sampled_from(["ct_ada", "ct_bob"]),
              st.sampled_from(["Ada L.", "Bob", "Robert"])),
    st.tuples(st.just("advance"), st.sampled_from([1, 25, 400, 900])),
    st.tuples(st.just("campaign")),
)
READS = st.one_of(
    st.tuples(st.just("broadcasts")),
    st.tuples(st.just("contacts")),
    st.tuples(st.just("recipients"), st.sampled_from(["bc_mail", "bc_both", "bc_news"]),
              st.sampled_from([{}, {"take": 2, "page": 2}, {"is_opened": "true"}])),
    st.tuples(st.just("inbox")),
)


async def _play(client: httpx.AsyncClient, control: httpx.AsyncClient,
                step: Step) -> tuple[str, int, bytes]:
    kind = step[0]
    if kind == "send":
        answer = await client.post(f"/orgs/c/broadcasts/{step[1]}/send", json={"email": step[2]})
    elif kind == "rename":
        answer = await client.patch(f"/orgs/c/contacts/{step[1]}", json={"name": step[2]})
    elif kind == "advance":
        answer = await control.post("/_emulator/clock/advance", json={"seconds": step[1]})
    elif kind == "campaign":
        made = (await client.post("/orgs/c/broadcasts", json={"name": "All",
                                                              "send_to_all": True})).json()
        await control.post(f"/_emulator/orgs/org_a/broadcasts/{made['id']}/templates",
                           json={"integration_id": "gmail", "config": {"subject": "x"}})
        answer = await client.post(f"/orgs/c/broadcasts/{made['id']}/send")
    elif kind == "broadcasts":
        answer = await client.get("/orgs/c/broadcasts")
    elif kind == "contacts":
        answer = await client.get("/orgs/c/contacts")
    elif kind == "recipients":
        answer = await client.get(f"/orgs/c/broadcasts/{step[1]}/recipients", params=step[2])
    else:
        answer = await control.get("/_emulator/orgs/org_a/recipients")
    return repr(step), answer.status_code, answer.content


async def _transcript(steps: list[Step], render_cache: bool) -> list[tuple[str, int, bytes]]:
    app = app_from_yaml(scenario(TAIL), VirtualClock(START),
                        Settings(render_cache=render_cache, render_cache_size=16))
    async with client_for(app, "key_a") as client, client_for(app, None) as control:
        return [await _play(client, control, step) for step in steps]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(WRITES, READS, READS), min_size=4, max_size=24))
def test_the_cache_answers_what_a_twin_without_it_answers(steps: list[Step]) -> None:
    async def both() -> None:
        cached = await _transcript(steps, render_cache=True)
        fresh = await _transcript(steps, render_cache=False)
        for one, two in zip(cached, fresh, strict=True):
            assert one == two, one[0]

    anyio.run(both)


def test_reads_between_writes_are_served_from_the_cache() -> None:
    """The cache is used at all: a second read of an unchanged page is the kept answer, another
    page of the same rows is joined from their kept bytes, and a write makes both stale."""
    async def run() -> None:
        app = app_from_yaml(scenario(TAIL), VirtualClock(START), Settings())
        async with client_for(app, "key_a") as client:
            await client.post("/orgs/c/broadcasts/bc_both/send", json={"email": "q@example.test"})
            renders = app.state.emulator.renders
            first = await client.get("/orgs/c/broadcasts/bc_both/recipients")
            misses = renders.misses
            again = await client.get("/orgs/c/broadcasts/bc_both/recipients")
            assert again.content == first.content
            assert renders.misses == misses and renders.answer_hits == 1  # the page, whole
            hits = renders.hits
            other = await client.get("/orgs/c/broadcasts/bc_both/recipients", params={"take": 1})
            assert other.json() == first.json()[:1]
            assert renders.misses == misses and renders.hits == hits + 1  # its row, kept
            await client.post("/orgs/c/broadcasts/bc_both/send", json={"email": "z@example.test"})
            after = await client.get("/orgs/c/broadcasts/bc_both/recipients")
            assert after.content != first.content and renders.answer_hits == 1

    anyio.run(run)
