"""Generated ids come from the seed: the same scenario gives byte-identical answers every time
(in this process, in another, after a reset); another seed gives other ids; ids given in the file
are kept."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from emulator import create_app, load_scenario_text
from emulator.testing import VirtualClock

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
GENERATED_ID = r"[0-9a-f]{16}"

NO_IDS = """\
seed: {seed}
orgs:
  - name: No ids
    api_keys: [key_no_ids]
    segments:
      - {{name: VIP, color: violet}}
    contacts:
      - {{name: Ada, email: ada@example.com, phone: "+15550100001", segments: []}}
      - name: Bob
        channels:
          - {{type: whatsapp_bot, phone: "+15550100002"}}
    broadcasts:
      - name: OTP
        type: TRANSACTIONAL
        status: ACTIVE
        templates:
          - {{integration_id: gmail, config: {{subject: Code, body: "Code {{{{otp}}}}"}}}}
          - {{integration_id: whatsapp_bot, config: {{body: "{{{{otp}}}} is your code"}}}}
      - name: Sale
"""

NO_KEYS = """\
seed: {seed}
orgs:
  - id: org_keyless
    name: Keyless
    broadcasts:
      - {{id: bc_keyless, name: Keyless broadcast}}
"""


def build(text: str) -> Starlette:
    return create_app(scenario=load_scenario_text(text), clock=VirtualClock(START))


def client(app: Starlette, key: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                             base_url="http://emulator.test",
                             headers={"Authorization": f"Bearer {key}"})


def orgs_of(app: Starlette) -> dict[str, Any]:
    """The built orgs (the only look inside the app: ids of contacts and segments, and a
    generated API key, have no public read path)."""
    orgs: dict[str, Any] = app.state.emulator.registry.orgs
    return orgs


def id_snapshot(app: Starlette) -> dict[str, Any]:
    """Every id the emulator holds, org by org."""
    snapshot: dict[str, Any] = {}
    for org in orgs_of(app).values():
        snapshot[org.id] = {
            "api_keys": list(org.api_keys),
            "segments": list(org.segments),
            "contacts": {c.id: [ch.id for ch in c.channels] for c in org.contacts.values()},
            "broadcasts": {b.id: [t.id for t in b.templates] for b in org.broadcasts.values()},
        }
    return snapshot


async def list_and_send(app: Starlette) -> tuple[bytes, bytes]:
    async with client(app, "key_no_ids") as http:
        listed = await http.get("/orgs/c/broadcasts")
        assert listed.status_code == 200, listed.text
        [otp] = [b["id"] for b in listed.json() if b["name"] == "OTP"]
        sent = await http.post(f"/orgs/c/broadcasts/{otp}/send",
                               json={"email": "ada@example.com", "variables": {"otp": "123456"}})
        assert sent.status_code == 200, sent.text
        return listed.content, sent.content


async def test_the_same_scenario_loads_into_identical_generated_ids() -> None:
    text = NO_IDS.format(seed=42)
    first, second = build(text), build(text)
    assert id_snapshot(first) == id_snapshot(second)
    assert await list_and_send(first) == await list_and_send(second)


async def test_generated_ids_have_a_prefix_and_sixteen_hex_digits() -> None:
    app = build(NO_IDS.format(seed=42))
    [(org_id, org)] = id_snapshot(app).items()
    assert re.fullmatch(f"org_{GENERATED_ID}", org_id)
    assert all(re.fullmatch(f"seg_{GENERATED_ID}", s) for s in org["segments"])
    assert len(org["contacts"]) == 2
    for contact_id, channel_ids in org["contacts"].items():
        assert re.fullmatch(f"ct_{GENERATED_ID}", contact_id)
        assert all(re.fullmatch(f"ch_{GENERATED_ID}", ch) for ch in channel_ids)
    assert len(org["broadcasts"]) == 2
    for broadcast_id, template_ids in org["broadcasts"].items():
        assert re.fullmatch(f"bc_{GENERATED_ID}", broadcast_id)
        assert all(re.fullmatch(f"tpl_{GENERATED_ID}", t) for t in template_ids)
    every_id = [org_id, *org["segments"], *org["contacts"], *org["broadcasts"]]
    every_id += [ch for chs in org["contacts"].values() for ch in chs]
    every_id += [t for ts in org["broadcasts"].values() for t in ts]
    assert len(every_id) == len(set(every_id))


async def test_a_different_seed_gives_different_ids() -> None:
    one = id_snapshot(build(NO_IDS.format(seed=42)))
    other = id_snapshot(build(NO_IDS.format(seed=43)))
    [(one_org, one_ids)] = one.items()
    [(other_org, other_ids)] = other.items()
    assert one_org != other_org
    assert set(one_ids["broadcasts"]).isdisjoint(other_ids["broadcasts"])
    assert set(one_ids["contacts"]).isdisjoint(other_ids["contacts"])
    assert set(one_ids["segments"]).isdisjoint(other_ids["segments"])


async def test_ids_given_in_the_file_are_kept() -> None:
    app = build("""\
seed: 42
orgs:
  - id: org_given
    api_keys: [key_given]
    segments:
      - {id: seg_given, name: Given}
      - {name: Generated}
    contacts:
      - {id: ct_given, email: given@example.com}
      - {email: generated@example.com}
    broadcasts:
      - id: bc_given
        name: Given
        type: TRANSACTIONAL
        status: ACTIVE
        templates:
          - {id: tpl_given, integration_id: gmail}
          - {integration_id: whatsapp_bot}
      - {name: Generated}
""")
    [(org_id, ids)] = id_snapshot(app).items()
    assert org_id == "org_given"
    assert ids["api_keys"] == ["key_given"]
    assert ids["segments"][0] == "seg_given"
    assert re.fullmatch(f"seg_{GENERATED_ID}", ids["segments"][1])
    assert "ct_given" in ids["contacts"]
    assert ids["broadcasts"]["bc_given"][0] == "tpl_given"
    assert re.fullmatch(f"tpl_{GENERATED_ID}", ids["broadcasts"]["bc_given"][1])
    async with client(app, "key_given") as http:
        listed = await http.get("/orgs/org_given/broadcasts")
    assert listed.status_code == 200, listed.text
    by_name = {b["name"]: b for b in listed.json()}
    assert by_name["Given"]["id"] == "bc_given"
    assert by_name["Given"]["templates"][0]["id"] == "tpl_given"
    assert re.fullmatch(f"bc_{GENERATED_ID}", by_name["Generated"]["id"])


async def test_an_org_without_api_keys_gets_a_generated_key_stable_for_a_seed() -> None:
    [key] = orgs_of(build(NO_KEYS.format(seed=42)))["org_keyless"].api_keys
    [again] = orgs_of(build(NO_KEYS.format(seed=42)))["org_keyless"].api_keys
    [other] = orgs_of(build(NO_KEYS.format(seed=43)))["org_keyless"].api_keys
    assert re.fullmatch(r"test_key_[0-9a-f]{32}", key)
    assert key == again
    assert key != other

    app = build(NO_KEYS.format(seed=42))
    async with client(app, key) as http:
        listed = await http.get("/orgs/c/broadcasts")
    assert listed.status_code == 200, listed.text
    assert [b["id"] for b in listed.json()] == ["bc_keyless"]
    async with client(app, other) as http:
        assert (await http.get("/orgs/c/broadcasts")).status_code == 401


async def test_a_reset_rebuilds_the_same_ids_and_replays_the_same_new_ones() -> None:
    app = build(NO_IDS.format(seed=42))
    async with client(app, "key_no_ids") as http:
        before = (await http.get("/orgs/c/broadcasts")).content
        created = await http.post("/orgs/c/broadcasts", json={"name": "New"})
        assert created.status_code == 200, created.text
        reset = await http.post("/_emulator/reset", json={})
        assert reset.status_code == 200, reset.text
        after = (await http.get("/orgs/c/broadcasts")).content
        again = await http.post("/orgs/c/broadcasts", json={"name": "New"})
    assert before == after
    assert created.json()["id"] == again.json()["id"]


SUBPROCESS_PROGRAM = """\
import asyncio, json, sys
from datetime import UTC, datetime
import httpx
from emulator import create_app
from emulator.testing import VirtualClock
from emulator import load_scenario_text

async def main() -> None:
    app = create_app(scenario=load_scenario_text(sys.stdin.read()),
                     clock=VirtualClock(datetime(2026, 1, 5, 9, tzinfo=UTC)))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://e",
                                 headers={"Authorization": "Bearer key_no_ids"}) as http:
        listed = await http.get("/orgs/c/broadcasts")
        [otp] = [b["id"] for b in listed.json() if b["name"] == "OTP"]
        sent = await http.post(f"/orgs/c/broadcasts/{otp}/send",
                               json={"email": "ada@example.com", "variables": {"otp": "123456"}})
    print(json.dumps([listed.text, sent.text]))

asyncio.run(main())
"""


@pytest.mark.slow  # a subprocess: left out by `dev.py test --fast`
async def test_generated_ids_do_not_depend_on_the_process_or_its_hash_seed() -> None:
    # One other process, with a hash seed this one does not have (unset here means random).
    hash_seed = "2" if os.environ.get("PYTHONHASHSEED") == "1" else "1"
    done = subprocess.run([sys.executable, "-c", SUBPROCESS_PROGRAM],
                          input=NO_IDS.format(seed=42), capture_output=True, text=True,
                          env={**os.environ, "PYTHONHASHSEED": hash_seed}, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
    listed, sent = await list_and_send(build(NO_IDS.format(seed=42)))
    assert json.loads(done.stdout) == [listed.decode(), sent.decode()]
