"""GET /orgs/{org_id}/segments and PATCH /orgs/{org_id}/segments/{segment_id}, and the shape of
segments embedded in broadcasts and contacts (invent-api.md §2 Segment, seed 002)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from support.marketing import (
    EMBEDDED_SEGMENT_KEYS,
    HEADER,
    SEGMENT_COLORS,
    SEGMENT_KEYS,
    Json,
    Marketing,
    assert_error,
    at,
    open_marketing,
)

pytestmark = pytest.mark.anyio

SEGMENTS = HEADER + """
orgs:
  - id: org_m
    api_keys: [key_m]
    segments:
      - {id: seg_a, name: Alpha, color: red}
      - {id: seg_b, name: Beta, color: sky}
      - {id: seg_c, name: Gamma}
    contacts:
      - {id: ct_1, email: one@example.test, segments: [seg_a, seg_b]}
      - {id: ct_2, email: two@example.test, segments: [seg_a]}
      - {id: ct_3, email: three@example.test, segments: [seg_a, seg_b]}
    broadcasts:
      - id: bc_news
        name: News
        segment_ids: [seg_b, seg_a]
        templates:
          - {id: tpl_news, integration_id: gmail, config: {subject: News, body: Hi}}
"""


@pytest.fixture
async def org() -> AsyncIterator[Marketing]:
    async with open_marketing(SEGMENTS) as org:
        yield org


async def test_list_with_pagination_headers_color_and_exact_counts(org: Marketing) -> None:
    response = await org.http.get("/orgs/c/segments")
    assert response.status_code == 200, response.text
    assert response.headers["pagination-count"] == "3"
    assert response.headers["pagination-page"] == "1"
    assert response.headers["pagination-take"] == "100"
    segments = response.json()
    assert isinstance(segments, list)
    # Made at the same instant: reverse creation order.
    assert [s["id"] for s in segments] == ["seg_c", "seg_b", "seg_a"]
    for segment in segments:
        assert set(segment) == SEGMENT_KEYS
        assert segment["created_at"] == segment["updated_at"] == at(0)
    by_id = {s["id"]: s for s in segments}
    assert {k: (s["name"], s["color"], s["contacts_count"]) for k, s in by_id.items()} == {
        "seg_a": ("Alpha", "red", 3), "seg_b": ("Beta", "sky", 2), "seg_c": ("Gamma", "neutral", 0),
    }
    for segment_id, segment in by_id.items():
        assert len(await org.contacts(segment_id=segment_id)) == segment["contacts_count"]


async def test_list_pages(org: Marketing) -> None:
    seen: list[str] = []
    for page in (1, 2, 3):
        response = await org.http.get("/orgs/c/segments", params={"take": 1, "page": page})
        assert response.status_code == 200
        assert response.headers["pagination-count"] == "3"
        assert response.headers["pagination-page"] == str(page)
        assert response.headers["pagination-take"] == "1"
        [segment] = response.json()
        seen.append(segment["id"])
    assert seen == ["seg_c", "seg_b", "seg_a"]
    beyond = await org.http.get("/orgs/c/segments", params={"take": 1, "page": 4})
    assert beyond.json() == [] and beyond.headers["pagination-count"] == "3"


@pytest.mark.parametrize(("name", "value"), [("page", "0"), ("take", "0"), ("take", "101"),
                                             ("take", "x")])
async def test_list_validates_page_and_take(org: Marketing, name: str, value: str) -> None:
    assert_error(await org.http.get("/orgs/c/segments", params={name: value}), 400, name)


async def test_counts_follow_membership(org: Marketing) -> None:
    await org.create_contact({"channel": {"email": "four@example.test"},
                              "segment_ids": ["seg_c"]})
    response = await org.http.post("/orgs/c/contacts/ct_2/segments/seg_c")
    assert response.status_code == 200
    segments = await org.segments()
    assert [segments[s]["contacts_count"] for s in ("seg_a", "seg_b", "seg_c")] == [3, 2, 2]


@pytest.mark.parametrize("name", ["X", "Renamed segment", "n" * 128, "Ünïcödé ✓"])
async def test_patch_name(org: Marketing, name: str) -> None:
    await org.advance(45)
    response = await org.http.patch("/orgs/c/segments/seg_a", json={"name": name})
    assert response.status_code == 200, response.text
    segment = response.json()
    assert set(segment) == SEGMENT_KEYS
    assert segment["name"] == name
    assert segment["color"] == "red"
    assert segment["contacts_count"] == 3
    assert segment["updated_at"] == at(45)
    assert segment["created_at"] == at(0)
    assert (await org.segments())["seg_a"]["name"] == name


@pytest.mark.parametrize("color", SEGMENT_COLORS)
async def test_patch_color(org: Marketing, color: str) -> None:
    response = await org.http.patch("/orgs/c/segments/seg_c", json={"color": color})
    assert response.status_code == 200, response.text
    assert response.json()["color"] == color
    assert response.json()["name"] == "Gamma"
    assert (await org.segments())["seg_c"]["color"] == color


async def test_patch_name_and_color_together(org: Marketing) -> None:
    response = await org.http.patch("/orgs/c/segments/seg_b",
                                    json={"name": "Blue team", "color": "blue"})
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["color"]) == ("Blue team", "blue")


@pytest.mark.parametrize(("body", "field"), [
    ({"name": ""}, "name"),
    ({"name": "n" * 129}, "name"),
    ({"name": None}, "name"),
    ({"name": 7}, "name"),
    ({"color": "magenta"}, "color"),
    ({"color": "Red"}, "color"),
    ({"color": ""}, "color"),
    ({"color": None}, "color"),
    ({"name": "Fine", "color": "nope"}, "color"),
    ({"contacts_count": 9}, "contacts_count"),
])
async def test_bad_patch_is_400_naming_the_field(org: Marketing, body: Json, field: str) -> None:
    response = await org.http.patch("/orgs/c/segments/seg_a", json=body)
    assert_error(response, 400, field)
    segment = (await org.segments())["seg_a"]
    assert (segment["name"], segment["color"], segment["updated_at"]) == ("Alpha", "red", at(0))


async def test_empty_patch_is_400(org: Marketing) -> None:
    assert_error(await org.http.patch("/orgs/c/segments/seg_a", json={}), 400)


async def test_patch_unknown_segment_is_404(org: Marketing) -> None:
    assert_error(await org.http.patch("/orgs/c/segments/seg_zz", json={"name": "x"}), 404)


# -- embedded segments: exactly the documented five fields ------------------------------------


def _assert_embedded(segments: list[Json], expected: dict[str, tuple[str, int]]) -> None:
    for segment in segments:
        assert set(segment) == EMBEDDED_SEGMENT_KEYS, segment
    assert {s["id"]: (s["name"], s["contacts_count"]) for s in segments} == expected


async def test_segments_inside_a_broadcast(org: Marketing) -> None:
    broadcast = await org.broadcast("bc_news")
    assert [s["id"] for s in broadcast["segments"]] == ["seg_b", "seg_a"]
    _assert_embedded(broadcast["segments"], {"seg_b": ("Beta", 2), "seg_a": ("Alpha", 3)})
    created = await org.create_broadcast(name="Made", segment_ids=["seg_c", "seg_a"])
    _assert_embedded(created["segments"], {"seg_c": ("Gamma", 0), "seg_a": ("Alpha", 3)})
    # The embedded copy is live: renames and new members show.
    await org.http.patch("/orgs/c/segments/seg_c", json={"name": "Gamma ray"})
    await org.http.post("/orgs/c/contacts/ct_1/segments/seg_c")
    listed = await org.broadcast(created["id"])
    _assert_embedded(listed["segments"], {"seg_c": ("Gamma ray", 1), "seg_a": ("Alpha", 3)})
    sent = await org.send("bc_news")
    _assert_embedded(sent["segments"], {"seg_b": ("Beta", 2), "seg_a": ("Alpha", 3)})


async def test_segments_inside_a_contact(org: Marketing) -> None:
    [contact] = await org.contacts(email="one@example.test")
    _assert_embedded(contact["segments"], {"seg_a": ("Alpha", 3), "seg_b": ("Beta", 2)})
    created = await org.create_contact({"channel": {"user_id": "u"}, "segment_ids": ["seg_b"]})
    _assert_embedded(created["segments"], {"seg_b": ("Beta", 3)})
    patched = await org.patch_contact("ct_2", {"name": "Two"})
    _assert_embedded(patched["segments"], {"seg_a": ("Alpha", 3)})
    await org.send("bc_news")
    for row in await org.rows("bc_news"):
        for segment in row["contact"]["segments"]:
            assert set(segment) == EMBEDDED_SEGMENT_KEYS
