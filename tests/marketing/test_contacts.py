"""GET/POST /orgs/{org_id}/contacts, PATCH /orgs/{org_id}/contacts/{contact_id} and a contact's
segments (invent-api.md §2 Contact/Channel, §3 "Documented elsewhere")."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from support.marketing import (
    CHANNEL_KEYS,
    CONTACT_KEYS,
    EMBEDDED_SEGMENT_KEYS,
    HEADER,
    ORG,
    SEGMENT_KEYS,
    Json,
    Marketing,
    assert_error,
    at,
    open_marketing,
)

pytestmark = pytest.mark.anyio

# Five contacts made at the start (listed newest first: reverse creation order). Bob's email is
# on his second channel; Eve is both blocked and unsubscribed.
CONTACTS = HEADER + """
orgs:
  - id: org_m
    api_keys: [key_m]
    segments:
      - {id: seg_a, name: Alpha, color: red}
      - {id: seg_b, name: Beta}
    contacts:
      - {id: ct_ada, name: Ada, email: ada@example.test, segments: [seg_a]}
      - id: ct_bob
        name: Bob
        phone: "+15550100002"
        segments: [seg_a, seg_b]
        channels:
          - {type: custom, user_id: bob-42, email: Bob.Alt@Example.test}
      - {id: ct_cy, name: Cy, email: cy@example.test, blocked: true}
      - {id: ct_dee, name: Dee, email: dee@example.test, unsubscribed: true, segments: [seg_b]}
      - {id: ct_eve, name: Eve, email: eve@example.test, blocked: true, unsubscribed: true}
    broadcasts:
      - id: bc_otp
        name: OTP
        type: TRANSACTIONAL
        status: ACTIVE
        templates:
          - {id: tpl_otp, integration_id: gmail, config: {subject: Code, body: "123"}}
      - id: bc_news
        name: News
        send_to_all: true
        templates:
          - {id: tpl_news, integration_id: gmail, config: {subject: News, body: Hi}}
"""
SEEDED = ["ct_eve", "ct_dee", "ct_cy", "ct_bob", "ct_ada"]


@pytest.fixture
async def org() -> AsyncIterator[Marketing]:
    async with open_marketing(CONTACTS) as org:
        yield org


# -- GET /contacts ----------------------------------------------------------------------------


async def test_list_is_a_bare_array_with_pagination_headers(org: Marketing) -> None:
    response = await org.http.get("/orgs/c/contacts")
    assert response.status_code == 200, response.text
    body = response.json()
    assert isinstance(body, list)
    assert [c["id"] for c in body] == SEEDED
    assert response.headers["pagination-count"] == "5"
    assert response.headers["pagination-page"] == "1"
    assert response.headers["pagination-take"] == "100"
    for contact in body:
        assert set(contact) == CONTACT_KEYS


async def test_pages_split_the_list_newest_first(org: Marketing) -> None:
    for index in range(3):
        await org.advance(60)
        await org.create_contact({"channel": {"email": f"new{index}@example.test"}})
    everyone = await org.contact_ids(take=100)
    assert everyone[3:] == SEEDED
    newest = [c["id"] for c in await org.contacts(email="new2@example.test")]
    assert everyone[0] == newest[0]
    pages: list[str] = []
    for page in (1, 2, 3):
        response = await org.http.get("/orgs/c/contacts", params={"take": 3, "page": page})
        assert response.status_code == 200
        assert response.headers["pagination-count"] == "8"
        assert response.headers["pagination-page"] == str(page)
        assert response.headers["pagination-take"] == "3"
        pages += [c["id"] for c in response.json()]
    assert pages == everyone
    beyond = await org.http.get("/orgs/c/contacts", params={"take": 3, "page": 4})
    assert beyond.json() == [] and beyond.headers["pagination-count"] == "8"


@pytest.mark.parametrize(("name", "value"), [
    ("page", "0"), ("page", "-1"), ("page", "one"), ("take", "0"), ("take", "101"),
    ("take", "2.5"), ("take", ""),
])
async def test_bad_page_or_take_is_400_naming_it(org: Marketing, name: str, value: str) -> None:
    assert_error(await org.http.get("/orgs/c/contacts", params={name: value}), 400, name)


async def test_take_100_is_allowed(org: Marketing) -> None:
    response = await org.http.get("/orgs/c/contacts", params={"take": 100})
    assert response.status_code == 200
    assert response.headers["pagination-take"] == "100"


@pytest.mark.parametrize(("status", "expected"), [
    ("ALL", SEEDED),
    ("SUBSCRIBED", ["ct_bob", "ct_ada"]),
    ("UNSUBSCRIBED", ["ct_eve", "ct_dee"]),
    ("BLOCKED", ["ct_eve", "ct_cy"]),
    ("AI_REPLIES_DISABLED", []),
])
async def test_status_filter(org: Marketing, status: str, expected: list[str]) -> None:
    assert await org.contact_ids(status=status) == expected


@pytest.mark.parametrize("status", ["subscribed", "ACTIVE", ""])
async def test_unknown_status_is_400(org: Marketing, status: str) -> None:
    assert_error(await org.http.get("/orgs/c/contacts", params={"status": status}), 400,
                 "status")


async def test_status_follows_patches(org: Marketing) -> None:
    await org.patch_contact("ct_ada", {"blocked": True})
    await org.patch_contact("ct_eve", {"blocked": False, "unsubscribed": False})
    assert await org.contact_ids(status="SUBSCRIBED") == ["ct_eve", "ct_bob"]
    assert await org.contact_ids(status="BLOCKED") == ["ct_cy", "ct_ada"]
    assert await org.contact_ids(status="UNSUBSCRIBED") == ["ct_dee"]


@pytest.mark.parametrize(("email", "expected"), [
    ("ada@example.test", ["ct_ada"]),
    ("ADA@Example.TEST", ["ct_ada"]),
    ("bob.alt@example.test", ["ct_bob"]),  # on Bob's second channel
    ("nobody@example.test", []),
    ("ada", []),
])
async def test_email_filter(org: Marketing, email: str, expected: list[str]) -> None:
    assert await org.contact_ids(email=email) == expected


async def test_user_id_filter(org: Marketing) -> None:
    assert await org.contact_ids(user_id="bob-42") == ["ct_bob"]
    assert await org.contact_ids(user_id="bob") == []
    created = await org.create_contact({"channel": {"user_id": "ext-7"}})
    assert await org.contact_ids(user_id="ext-7") == [created["id"]]


async def test_segment_filter(org: Marketing) -> None:
    assert await org.contact_ids(segment_id="seg_a") == ["ct_bob", "ct_ada"]
    assert await org.contact_ids(segment_id="seg_b") == ["ct_dee", "ct_bob"]


async def test_unknown_segment_filter_is_404(org: Marketing) -> None:
    assert_error(await org.http.get("/orgs/c/contacts", params={"segment_id": "seg_zz"}), 404)


async def test_filters_combine_with_pagination(org: Marketing) -> None:
    made: list[str] = []
    for index in range(7):
        await org.advance(1)
        contact = await org.create_contact({"channel": {"email": f"m{index}@example.test"},
                                            "segment_ids": ["seg_a"]})
        made.append(contact["id"])
    for contact_id in made[1::3]:
        await org.patch_contact(contact_id, {"unsubscribed": True})
    subscribed = [c for c in reversed(made) if c not in made[1::3]] + ["ct_bob", "ct_ada"]
    assert await org.contact_ids(segment_id="seg_a", status="SUBSCRIBED") == subscribed
    pages: list[str] = []
    for page in (1, 2, 3, 4):
        response = await org.http.get("/orgs/c/contacts", params={
            "segment_id": "seg_a", "status": "SUBSCRIBED", "take": 2, "page": page})
        assert response.status_code == 200
        assert response.headers["pagination-count"] == str(len(subscribed))
        pages += [c["id"] for c in response.json()]
    assert pages == subscribed
    assert await org.contact_ids(segment_id="seg_a", status="UNSUBSCRIBED") == list(
        reversed(made[1::3]))
    assert await org.contact_ids(segment_id="seg_a", email="M4@example.test") == [made[4]]


# -- POST /contacts ---------------------------------------------------------------------------


async def test_create_answers_the_whole_contact(org: Marketing) -> None:
    await org.advance(90)
    response = await org.http.post("/orgs/c/contacts", json={
        "channel": {"name": "Zoe", "email": "zoe@example.test"}, "segment_ids": ["seg_b"]})
    assert response.status_code == 200, response.text
    contact = response.json()
    assert set(contact) == CONTACT_KEYS
    assert isinstance(contact["id"], str) and contact["id"]
    assert contact["name"] == "Zoe"
    assert (contact["blocked"], contact["unsubscribed"], contact["is_admin"]) == (
        False, False, False)
    assert contact["properties"] == {}
    for nullable in ("blocked_at", "unsubscribed_at", "unsubscribe_reason",
                     "unsubscribe_feedback"):
        assert nullable in contact and contact[nullable] is None
    assert contact["created_at"] == contact["updated_at"] == at(90)
    [channel] = contact["channels"]
    assert set(channel) == CHANNEL_KEYS
    assert channel["type"] == "gmail"
    assert channel["email"] == "zoe@example.test"
    assert channel["phone"] is None
    assert channel["platform_data"] == {}
    for nullable in ("avatar", "username", "country", "agent", "ip", "language", "link"):
        assert channel[nullable] is None
    assert channel["created_at"] == at(90)
    [segment] = contact["segments"]
    assert set(segment) == EMBEDDED_SEGMENT_KEYS
    assert segment["id"] == "seg_b" and segment["contacts_count"] == 3
    listed = (await org.contacts(email="zoe@example.test"))[0]
    assert listed == contact
    assert (await org.contacts())[0]["id"] == contact["id"]


@pytest.mark.parametrize(("channel", "kind"), [
    ({"email": "e@example.test"}, "gmail"),
    ({"email": "e@example.test", "phone": "+15550199999"}, "gmail"),
    ({"phone": "+15550199999"}, "twilio"),
    ({"phone": "+15550199999", "user_id": "u-1"}, "twilio"),
    ({"user_id": "u-1"}, "custom"),
    ({"user_id": "u-1", "name": "Only an id"}, "custom"),
])
async def test_channel_type_follows_the_identifier(org: Marketing, channel: Json,
                                                   kind: str) -> None:
    contact = await org.create_contact({"channel": channel})
    [made] = contact["channels"]
    assert made["type"] == kind
    assert made["email"] == channel.get("email")
    assert made["phone"] == channel.get("phone")
    if "user_id" in channel:
        assert made["user_id"] == channel["user_id"]
    assert contact["name"] == channel.get("name")


@pytest.mark.parametrize("body", [
    {"channel": {}},
    {"channel": {"name": "Nameless"}},
    {"channel": {"name": "Nameless"}, "segment_ids": ["seg_a"]},
    {},
])
async def test_no_identifier_is_400_naming_channel(org: Marketing, body: Json) -> None:
    assert_error(await org.http.post("/orgs/c/contacts", json=body), 400, "channel")
    assert len(await org.contacts()) == 5


@pytest.mark.parametrize(("channel", "field"), [
    ({"email": "ada@example.test"}, "channel.email"),
    ({"email": "ADA@EXAMPLE.test"}, "channel.email"),
    ({"email": "bob.alt@example.test", "name": "second channel"}, "channel.email"),
    ({"phone": "+15550100002"}, "channel.phone"),
    ({"phone": "+1 (555) 010-0002"}, "channel.phone"),
])
async def test_duplicate_address_is_400_naming_it(org: Marketing, channel: Json,
                                                  field: str) -> None:
    response = await org.http.post("/orgs/c/contacts",
                                   json={"channel": channel, "segment_ids": ["seg_a"]})
    assert_error(response, 400, field)
    assert len(await org.contacts()) == 5
    assert await org.segment_count("seg_a") == 2


async def test_unknown_segment_is_400_and_creates_nothing(org: Marketing) -> None:
    response = await org.http.post("/orgs/c/contacts", json={
        "channel": {"email": "new@example.test"}, "segment_ids": ["seg_a", "seg_zz"]})
    assert_error(response, 400, "segment_ids[1]")
    assert await org.contact_ids(email="new@example.test") == []
    assert len(await org.contacts()) == 5
    assert await org.segment_count("seg_a") == 2
    # The address is still free.
    await org.create_contact({"channel": {"email": "new@example.test"}})


async def test_segment_counts_move_with_a_created_contact(org: Marketing) -> None:
    before = await org.segments()
    assert (before["seg_a"]["contacts_count"], before["seg_b"]["contacts_count"]) == (2, 2)
    contact = await org.create_contact({"channel": {"phone": "+15550100077"},
                                        "segment_ids": ["seg_a", "seg_b", "seg_a"]})
    after = await org.segments()
    assert (after["seg_a"]["contacts_count"], after["seg_b"]["contacts_count"]) == (3, 3)
    assert [s["id"] for s in contact["segments"]] == ["seg_a", "seg_b"]
    assert contact["id"] in await org.contact_ids(segment_id="seg_b")


# -- PATCH /contacts/{id} ---------------------------------------------------------------------


async def test_patch_name(org: Marketing) -> None:
    await org.advance(30)
    contact = await org.patch_contact("ct_ada", {"name": "Augusta Ada"})
    assert set(contact) == CONTACT_KEYS
    assert contact["name"] == "Augusta Ada"
    assert contact["updated_at"] == at(30)
    assert (await org.contacts(email="ada@example.test"))[0]["name"] == "Augusta Ada"


@pytest.mark.parametrize("field", ["blocked", "unsubscribed"])
async def test_setting_a_flag_stamps_the_clock_and_clearing_clears(org: Marketing,
                                                                   field: str) -> None:
    await org.advance(120)
    contact = await org.patch_contact("ct_ada", {field: True})
    assert contact[field] is True
    assert contact[f"{field}_at"] == at(120)
    assert (await org.contacts(email="ada@example.test"))[0][f"{field}_at"] == at(120)
    await org.advance(60)
    contact = await org.patch_contact("ct_ada", {field: False})
    assert contact[field] is False
    assert contact[f"{field}_at"] is None
    assert (await org.contacts(email="ada@example.test"))[0][f"{field}_at"] is None


async def test_patch_both_flags_at_once(org: Marketing) -> None:
    await org.advance(5)
    contact = await org.patch_contact("ct_bob", {"blocked": True, "unsubscribed": True,
                                                 "name": "Robert"})
    assert (contact["blocked"], contact["unsubscribed"], contact["name"]) == (
        True, True, "Robert")
    assert contact["blocked_at"] == contact["unsubscribed_at"] == at(5)


@pytest.mark.parametrize(("body", "field"), [
    ({"blocked": None}, "blocked"),
    ({"unsubscribed": None}, "unsubscribed"),
    ({"blocked": "yes"}, "blocked"),
    ({"unsubscribed": 1}, "unsubscribed"),
    ({"email": "x@example.test"}, "email"),
    ({"name": "Ok", "segment_ids": []}, "segment_ids"),
    ({"name": "n" * 257}, "name"),
    ({"name": 5}, "name"),
])
async def test_bad_patch_is_400_naming_the_field(org: Marketing, body: Json, field: str) -> None:
    response = await org.http.patch("/orgs/c/contacts/ct_ada", json=body)
    assert_error(response, 400, field)
    contact = (await org.contacts(email="ada@example.test"))[0]
    assert (contact["name"], contact["blocked"], contact["unsubscribed"]) == ("Ada", False, False)


async def test_empty_patch_is_400(org: Marketing) -> None:
    assert_error(await org.http.patch("/orgs/c/contacts/ct_ada", json={}), 400)
    assert_error(await org.http.patch("/orgs/c/contacts/ct_ada"), 400)


async def test_patch_unknown_contact_is_404(org: Marketing) -> None:
    assert_error(await org.http.patch("/orgs/c/contacts/ct_zz", json={"name": "x"}), 404)


async def test_blocked_contact_is_rejected_by_a_transactional_send(org: Marketing) -> None:
    await org.patch_contact("ct_ada", {"blocked": True})
    response = await org.http.post("/orgs/c/broadcasts/bc_otp/send",
                                   json={"contact_id": "ct_ada"})
    assert_error(response, 400)
    assert "blocked" in response.json()["message"]
    assert await org.rows("bc_otp") == []
    await org.patch_contact("ct_ada", {"blocked": False})
    response = await org.http.post("/orgs/c/broadcasts/bc_otp/send",
                                   json={"contact_id": "ct_ada"})
    assert response.status_code == 200, response.text
    assert response.json()["recipients"][0]["is_sent"] is True


async def test_patched_contacts_are_skipped_by_a_marketing_send(org: Marketing) -> None:
    await org.patch_contact("ct_ada", {"blocked": True})
    await org.patch_contact("ct_bob", {"unsubscribed": True})
    await org.patch_contact("ct_eve", {"blocked": False, "unsubscribed": False})
    await org.send("bc_news")
    rows = {r["contact"]["id"]: r for r in await org.rows("bc_news")}
    assert rows["ct_ada"]["is_skipped"] and rows["ct_ada"]["error_message"] == (
        "Contact is blocked")
    assert rows["ct_bob"]["is_skipped"] and rows["ct_bob"]["error_message"] == (
        "Contact is unsubscribed")
    assert rows["ct_eve"]["is_sent"] and not rows["ct_eve"]["is_skipped"]
    assert rows["ct_eve"]["error_message"] is None


# -- a contact's segments ---------------------------------------------------------------------


async def test_contact_segments_lists_its_segments(org: Marketing) -> None:
    response = await org.http.get("/orgs/c/contacts/ct_bob/segments")
    assert response.status_code == 200, response.text
    segments = response.json()
    assert [s["id"] for s in segments] == ["seg_a", "seg_b"]
    for segment in segments:
        assert set(segment) == SEGMENT_KEYS
    assert [s["color"] for s in segments] == ["red", "neutral"]
    empty = await org.http.get("/orgs/c/contacts/ct_cy/segments")
    assert empty.status_code == 200 and empty.json() == []


async def test_contact_segments_of_unknown_contact_is_404(org: Marketing) -> None:
    assert_error(await org.http.get("/orgs/c/contacts/ct_zz/segments"), 404)


async def test_adding_to_a_segment_is_idempotent(org: Marketing) -> None:
    await org.advance(10)
    path = "/orgs/c/contacts/ct_cy/segments/seg_b"
    first = await org.http.post(path)
    assert first.status_code == 200, first.text
    assert first.json()["id"] == "seg_b"
    assert first.json()["contacts_count"] == 3
    second = await org.http.post(path)
    assert second.status_code == 200
    assert second.json()["contacts_count"] == 3
    assert await org.segment_count("seg_b") == 3
    assert await org.contact_ids(segment_id="seg_b") == ["ct_dee", "ct_cy", "ct_bob"]
    listed = (await org.http.get("/orgs/c/contacts/ct_cy/segments")).json()
    assert [s["id"] for s in listed] == ["seg_b"]
    contact = (await org.contacts(email="cy@example.test"))[0]
    assert [s["id"] for s in contact["segments"]] == ["seg_b"]
    # Already a member: nothing moves.
    again = await org.http.post("/orgs/c/contacts/ct_ada/segments/seg_a")
    assert again.status_code == 200 and again.json()["contacts_count"] == 2


@pytest.mark.parametrize("path", [
    "/orgs/c/contacts/ct_zz/segments/seg_a",
    "/orgs/c/contacts/ct_ada/segments/seg_zz",
])
async def test_adding_with_an_unknown_id_is_404(org: Marketing, path: str) -> None:
    assert_error(await org.http.post(path), 404)
    assert await org.segment_count("seg_a") == 2


async def test_org_id_is_the_real_one_too(org: Marketing) -> None:
    response = await org.http.get(f"/orgs/{ORG}/contacts")
    assert response.status_code == 200
    assert [c["id"] for c in response.json()] == SEEDED
