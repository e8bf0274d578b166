"""The same scenario and the same requests give byte-identical responses."""

from __future__ import annotations

import pytest
from support.language import Emu, open_emulator, scenario

from emulator import Settings

pytestmark = pytest.mark.anyio

RICH = """
    rate_limits:
      send: {requests: 30, per_seconds: 60}
    outcomes:
      - when: {integration_id: whatsapp_bot}
        outcome: {delivered: 0.5, failed: 0.3, opened: 0.2}
      - when: {email: "*@slow.test"}
        outcome: {opened: 1, complained: 1}
        timing: {sent_after: 1s, delivered_after: 1500ms, opened_after: 1m,
                 complained_after: 2m}
      - when: {email: "flaky@*"}
        outcome: [failed, bounced, delivered]
      - when: {broadcast_id: bc_news}
        outcome: {delivered: 1, bounced: 1, unsubscribed: 1, played: 1}
    faults:
      - when: {method: GET, path: "/orgs/*/broadcasts/*/recipients"}
        probability: 0.2
        respond: {status: 503, retry_after: 2}
"""

Transcript = list[tuple[str, int, dict[str, str], bytes]]


async def _script(emu: Emu) -> Transcript:
    """A fixed sequence of requests; each answer's status, chosen headers and raw body."""
    other = await emu.with_key("key_b")
    transcript: Transcript = []

    async def call(client: Emu, method: str, path: str, body: object = None,
                   params: dict[str, str | int] | None = None) -> None:
        response = await client.http.request(method, path, json=body, params=params)
        headers = {k: response.headers[k] for k in ("pagination-count", "retry-after")
                   if k in response.headers}
        transcript.append((f"{method} {path}", response.status_code, headers, response.content))

    for i in range(12):
        await call(emu, "POST", "/orgs/c/broadcasts/bc_both/send",
                   {"email": f"user{i}@example.org", "phone": f"+1555020{i:04d}",
                    "variables": {"n": i}})
        await call(emu, "POST", "/orgs/c/broadcasts/bc_mail/send",
                   {"email": f"p{i}@slow.test", "background": i % 2 == 0})
        await call(emu, "POST", "/orgs/c/broadcasts/bc_news/send", {"email": "flaky@x.test"})
        await call(other, "POST", "/orgs/c/broadcasts/bc_news/send",
                   {"email": f"b{i}@example.org"})
        if i % 3 == 0:
            await call(emu, "POST", "/_emulator/clock/advance", {"seconds": 0.75 * i})
        await call(emu, "GET", "/orgs/c/broadcasts/bc_mail/recipients", params={"take": 5})
    await call(emu, "POST", "/orgs/c/broadcasts", {"name": "Generated id"})
    await call(emu, "POST", "/_emulator/clock/advance", {"seconds": 30, "org_id": "org_a"})
    for broadcast in ("bc_both", "bc_mail", "bc_news"):
        for page in (1, 2):
            await call(emu, "GET", f"/orgs/c/broadcasts/{broadcast}/recipients",
                       params={"take": 10, "page": page})
    await call(emu, "GET", "/orgs/c/broadcasts")
    await call(other, "GET", "/orgs/c/broadcasts/bc_news/recipients", params={"take": 100})
    await call(emu, "POST", "/_emulator/clock/advance", {"seconds": 600})
    await call(emu, "GET", "/orgs/c/broadcasts/bc_mail/recipients",
               params={"take": 100, "is_complained": "true"})
    await call(emu, "GET", "/orgs/c/broadcasts/bc_mail/recipients", params={"take": 100})
    await call(emu, "GET", "/orgs/c/broadcasts")
    await call(emu, "GET", "/_emulator/suppressions")
    await call(emu, "GET", "/_emulator/clock")
    return transcript


async def _run(seed: int, render_cache: bool = True) -> Transcript:
    settings = Settings(render_cache=render_cache)
    async with open_emulator(scenario(RICH, seed=seed), settings=settings) as emu:
        return await _script(emu)


@pytest.mark.parametrize("render_cache", [True, False], ids=["render-cache", "no-render-cache"])
async def test_same_scenario_same_requests_same_bytes(render_cache: bool) -> None:
    first = await _run(seed=17, render_cache=render_cache)
    second = await _run(seed=17, render_cache=render_cache)
    assert len(first) == len(second)
    for one, two in zip(first, second, strict=True):
        assert one == two, one[0]
    # The script exercised what it is meant to: sends, 503s from the probability fault, 429s
    # from the send limit, and a mix of outcomes.
    statuses = {status for _, status, _, _ in first}
    assert {200, 429, 503} <= statuses
    everything = b"".join(body for *_, body in first)
    for fragment in (b'"is_failed":true', b'"is_opened":true', b'"is_complained":true',
                     b'"is_bounced":true', b'"is_unsubscribed":true',
                     b'"is_skipped":true', b'"status":"SENDING"'):
        assert fragment in everything, fragment


async def test_the_render_cache_changes_no_byte() -> None:
    assert await _run(seed=17, render_cache=True) == await _run(seed=17, render_cache=False)


async def test_another_seed_gives_other_bytes() -> None:
    first = await _run(seed=17)
    other = await _run(seed=18)
    assert [body for *_, body in first] != [body for *_, body in other]
