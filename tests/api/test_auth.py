"""Authentication, the `c` org shorthand, sub-orgs and isolation between orgs (invent-api.md §1)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from support.api import assert_error, contacts, list_all_broadcasts, send
from support.apps import app_from_yaml, client_for
from support.scenarios import TWO_ORGS

from emulator.testing import VirtualClock

pytestmark = pytest.mark.anyio


@pytest.fixture
def orgs_app(clock: VirtualClock) -> Starlette:
    return app_from_yaml(TWO_ORGS, clock)


@pytest.fixture
async def key_a(orgs_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(orgs_app, "key_a") as http:
        yield http


@pytest.fixture
async def key_b(orgs_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(orgs_app, "key_b") as http:
        yield http


@pytest.fixture
async def key_sub(orgs_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(orgs_app, "key_sub") as http:
        yield http


@pytest.fixture
async def nobody(orgs_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(orgs_app, None) as http:
        yield http


PUBLIC_CALLS = [
    ("GET", "/orgs/c/broadcasts", None),
    ("POST", "/orgs/c/broadcasts", {"name": "x"}),
    ("GET", "/orgs/c/broadcasts/bc_a/recipients", None),
    ("POST", "/orgs/c/broadcasts/bc_a/send", {"contact_id": "ct_a"}),
]


@pytest.mark.parametrize(("method", "path", "body"), PUBLIC_CALLS)
async def test_missing_header_is_401_on_every_public_route(
    nobody: httpx.AsyncClient, method: str, path: str, body: dict[str, str] | None
) -> None:
    response = await nobody.request(method, path, json=body)
    assert_error(response, 401)


@pytest.mark.parametrize("header", [
    "Basic x", "Bearer", "Bearer   ", "Token key_a", "key_a", "Basic a2V5X2E6", "",
])
async def test_malformed_header_is_401(nobody: httpx.AsyncClient, header: str) -> None:
    response = await nobody.get("/orgs/c/broadcasts", headers={"Authorization": header})
    assert_error(response, 401)


async def test_unknown_key_is_401(orgs_app: Starlette) -> None:
    async with client_for(orgs_app, "key_nobody_has") as http:
        assert_error(await http.get("/orgs/c/broadcasts"), 401)
        # Auth comes first: an unknown key on an unknown org is still 401, not 404.
        assert_error(await http.get("/orgs/org_nope/broadcasts"), 401)


async def test_lowercase_bearer_scheme_is_accepted(nobody: httpx.AsyncClient) -> None:
    response = await nobody.get("/orgs/c/broadcasts", headers={"Authorization": "bearer key_a"})
    assert response.status_code == 200, response.text
    assert [b["id"] for b in response.json()] == ["bc_a"]


async def test_c_resolves_to_the_keys_own_org(
    key_a: httpx.AsyncClient, key_b: httpx.AsyncClient
) -> None:
    assert [b["id"] for b in await list_all_broadcasts(key_a)] == ["bc_a"]
    assert [b["id"] for b in await list_all_broadcasts(key_b)] == ["bc_b"]


async def test_the_orgs_real_id_works_too(key_a: httpx.AsyncClient) -> None:
    assert [b["id"] for b in await list_all_broadcasts(key_a, "org_a")] == ["bc_a"]
    rows = await send(key_a, "bc_a", {"contact_id": "ct_a"}, org="org_a")
    assert [r["template_id"] for r in rows] == ["tpl_a"]


async def test_unknown_org_is_404(key_a: httpx.AsyncClient) -> None:
    assert_error(await key_a.get("/orgs/org_nope/broadcasts"), 404)
    assert_error(await key_a.post("/orgs/org_nope/broadcasts", json={"name": "x"}), 404)
    assert_error(await key_a.post("/orgs/org_nope/broadcasts/bc_a/send",
                                  json={"contact_id": "ct_a"}), 404)


async def test_key_on_an_org_it_cannot_reach_is_401(
    key_a: httpx.AsyncClient, key_b: httpx.AsyncClient
) -> None:
    assert_error(await key_a.get("/orgs/org_b/broadcasts"), 401)
    assert_error(await key_a.get("/orgs/org_b/broadcasts/bc_b/recipients"), 401)
    assert_error(await key_a.post("/orgs/org_b/broadcasts/bc_b/send",
                                  json={"contact_id": "ct_b"}), 401)
    assert_error(await key_a.post("/orgs/org_b/broadcasts", json={"name": "intruder"}), 401)
    # Nothing was created in org B.
    assert [b["id"] for b in await list_all_broadcasts(key_b)] == ["bc_b"]
    assert_error(await key_b.get("/orgs/org_a/broadcasts"), 401)
    assert_error(await key_b.get("/orgs/org_a_sub/broadcasts"), 401)


async def test_parent_key_reaches_its_sub_org_by_real_id(key_a: httpx.AsyncClient) -> None:
    assert [b["id"] for b in await list_all_broadcasts(key_a, "org_a_sub")] == ["bc_sub"]
    rows = await send(key_a, "bc_sub", {"contact_id": "ct_sub"}, org="org_a_sub")
    assert rows[0]["contact"]["id"] == "ct_sub"
    created = await key_a.post("/orgs/org_a_sub/broadcasts", json={"name": "made by parent"})
    assert created.status_code == 200, created.text
    sub_ids = [b["id"] for b in await list_all_broadcasts(key_a, "org_a_sub")]
    assert created.json()["id"] in sub_ids
    assert created.json()["id"] not in [b["id"] for b in await list_all_broadcasts(key_a)]


async def test_c_never_means_the_sub_org(key_a: httpx.AsyncClient) -> None:
    assert_error(await key_a.get("/orgs/c/broadcasts/bc_sub/recipients"), 404)
    assert_error(await key_a.post("/orgs/c/broadcasts/bc_sub/send",
                                  json={"contact_id": "ct_sub"}), 404)


async def test_sub_org_key_is_confined_to_the_sub_org(key_sub: httpx.AsyncClient) -> None:
    assert [b["id"] for b in await list_all_broadcasts(key_sub)] == ["bc_sub"]
    assert [b["id"] for b in await list_all_broadcasts(key_sub, "org_a_sub")] == ["bc_sub"]
    assert_error(await key_sub.get("/orgs/org_a/broadcasts"), 401)
    assert_error(await key_sub.post("/orgs/org_a/broadcasts/bc_a/send",
                                     json={"contact_id": "ct_a"}), 401)


async def test_orgs_never_see_each_others_broadcasts(key_a: httpx.AsyncClient) -> None:
    assert_error(await key_a.get("/orgs/c/broadcasts/bc_b/recipients"), 404)
    assert_error(await key_a.post("/orgs/c/broadcasts/bc_b/send",
                                  json={"contact_id": "ct_a"}), 404)


async def test_orgs_never_see_each_others_contacts(
    key_a: httpx.AsyncClient, key_b: httpx.AsyncClient
) -> None:
    assert_error(await key_a.post("/orgs/c/broadcasts/bc_a/send",
                                  json={"contact_id": "ct_b"}), 404)
    assert_error(await key_a.post("/orgs/c/broadcasts/bc_a/send",
                                  json={"contact_channel_id": "ch_b_wa"}), 404)
    # Even a parent cannot use its sub-org's contact on its own broadcast.
    assert_error(await key_a.post("/orgs/c/broadcasts/bc_a/send",
                                  json={"contact_id": "ct_sub"}), 404)
    # Find-or-create by another org's address makes a new contact here, not a shared one.
    rows = await send(key_a, "bc_a", {"email": "bert@example.test"})
    assert rows[0]["contact"]["id"] != "ct_b"
    assert rows[0]["email"] == "bert@example.test"
    # ...and org B's contact and broadcast are untouched.
    b_rows = await send(key_b, "bc_b", {"email": "bert@example.test"})
    assert b_rows[0]["contact"]["id"] == "ct_b"
    b_list = await list_all_broadcasts(key_b)
    assert b_list[0]["recipients_count"] == 1


GRANDCHILD = """
orgs:
  - {id: top, api_keys: [k_top]}
  - {id: mid, parent: top, api_keys: [k_mid]}
  - {id: low, parent: mid, api_keys: [k_low]}
"""


async def test_a_key_reaches_every_descendant_but_no_ancestor(clock: VirtualClock) -> None:
    app = app_from_yaml(GRANDCHILD, clock)
    async with client_for(app, "k_top") as top, client_for(app, "k_mid") as mid:
        for org in ("top", "mid", "low"):
            assert (await top.get(f"/orgs/{org}/broadcasts")).status_code == 200, org
        assert (await mid.get("/orgs/low/broadcasts")).status_code == 200
        assert_error(await mid.get("/orgs/top/broadcasts"), 401)


async def test_contact_lists_are_per_org(key_a: httpx.AsyncClient, key_b: httpx.AsyncClient,
                                         key_sub: httpx.AsyncClient) -> None:
    assert [c["id"] for c in await contacts(key_a)] == ["ct_a"]
    assert [c["id"] for c in await contacts(key_b)] == ["ct_b"]
    assert [c["id"] for c in await contacts(key_sub)] == ["ct_sub"]
    assert [c["id"] for c in await contacts(key_a, "org_a_sub")] == ["ct_sub"]
    assert_error(await key_a.get("/orgs/org_b/contacts"), 401)
    assert_error(await key_sub.get("/orgs/org_a/contacts"), 401)
    assert_error(await key_a.patch("/orgs/c/contacts/ct_b", json={"name": "x"}), 404)
    assert [c["name"] for c in await contacts(key_b)] == ["Bert"]
