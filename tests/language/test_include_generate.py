"""`include:` (files merged into the including one, errors naming the right file) and
`generate:` (seeded contacts from the package's word lists)."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from support.apps import client_for
from support.language import START, VIRTUAL, set_flags

from emulator import create_app, load_scenario_file, load_scenario_text
from emulator.scenario.problems import Problem, ScenarioError, format_path
from emulator.scenario.schema import ScenarioSpec
from emulator.testing import VirtualClock

pytestmark = pytest.mark.anyio


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(path: Path) -> list[Problem]:
    with pytest.raises(ScenarioError) as raised:
        load_scenario_file(path)
    assert str(raised.value) == "\n".join(str(p) for p in raised.value.problems)
    return raised.value.problems


def column(path: Path, line: int, token: str) -> int:
    """The 1-based column of `token` on a line of a file."""
    return path.read_text(encoding="utf-8").splitlines()[line - 1].index(token) + 1


def where(problem: Problem) -> tuple[str, int, int, str]:
    return problem.file, problem.line, problem.column, format_path(problem.path)


FIXTURE = """\
orgs:
  - id: org_x
    segments:
      - {id: seg_inc, name: Included}
    contacts:
      - {id: ct_inc1, email: inc1@example.test, segments: [seg_inc]}
      - {id: ct_inc2, email: inc2@example.test}
    broadcasts:
      - id: bc_inc
        name: Included broadcast
        type: TRANSACTIONAL
        status: ACTIVE
        templates: [{id: tpl_inc, integration_id: gmail, config: {body: hi}}]
  - id: org_extra
    api_keys: [key_extra]
outcomes:
  - {when: {email: "shared@*"}, outcome: bounced}
  - {when: {email: "inc-only@*"}, outcome: opened}
"""

MAIN = f"""\
seed: 3
{VIRTUAL}
include:
  - fixtures/contacts.yaml
orgs:
  - id: org_x
    name: X
    api_keys: [key_x]
    contacts:
      - {{id: ct_own, email: own@example.test, segments: [seg_inc]}}
outcomes:
  - {{when: {{email: "shared@*"}}, outcome: failed}}
"""


def test_include_merges_orgs_by_id_and_included_items_come_first(tmp_path: Path) -> None:
    write(tmp_path / "fixtures" / "contacts.yaml", FIXTURE)
    spec = load_scenario_file(write(tmp_path / "main.yaml", MAIN))
    assert [org.id for org in spec.orgs] == ["org_x", "org_extra"]
    org = spec.orgs[0]
    assert (org.name, org.api_keys) == ("X", ["key_x"])
    assert [c.id for c in org.contacts] == ["ct_inc1", "ct_inc2", "ct_own"]
    assert [s.id for s in org.segments] == ["seg_inc"]
    assert [b.id for b in org.broadcasts] == ["bc_inc"]
    # The including file's rules come first, so they take precedence.
    assert [r.when.email for r in spec.outcomes] == ["shared@*", "shared@*", "inc-only@*"]
    assert [r.outcome for r in spec.outcomes] == ["failed", "bounced", "opened"]


async def test_an_included_scenario_runs(tmp_path: Path) -> None:
    write(tmp_path / "fixtures" / "contacts.yaml", FIXTURE)
    spec = load_scenario_file(write(tmp_path / "main.yaml", MAIN))
    app = create_app(scenario=spec, clock=VirtualClock(START))
    async with client_for(app, "key_x") as http:
        async def send(body: dict[str, str]) -> dict[str, object]:
            response = await http.post("/orgs/c/broadcasts/bc_inc/send", json=body)
            assert response.status_code == 200, response.text
            [row] = response.json()["recipients"]
            assert isinstance(row, dict)
            return row

        own = await send({"contact_id": "ct_own"})
        included = await send({"contact_id": "ct_inc1"})
        shared = await send({"email": "shared@example.test"})
        inc_only = await send({"email": "inc-only@example.test"})
    assert own["is_delivered"] and included["is_delivered"]
    assert set_flags(shared) == {"is_failed"}  # the main file's rule wins
    assert set_flags(inc_only) == {"is_sent", "is_delivered", "is_opened"}


def nested_includes(tmp_path: Path, main_has_the_org: bool) -> Path:
    """main.yaml → a/first.yaml → a/deeper/second.yaml → shared/third.yaml, each adding one
    contact to org_x."""
    write(tmp_path / "a" / "first.yaml", """\
        include: [deeper/second.yaml]
        orgs:
          - id: org_x
            contacts: [{id: ct_first, email: first@example.test}]
        """)
    write(tmp_path / "a" / "deeper" / "second.yaml", """\
        include: [../../shared/third.yaml]
        orgs:
          - id: org_x
            contacts: [{id: ct_second, email: second@example.test}]
        """)
    write(tmp_path / "shared" / "third.yaml", """\
        orgs:
          - id: org_x
            contacts: [{id: ct_third, email: third@example.test}]
        """)
    own = "  - id: org_x\n    contacts: [{id: ct_main, email: main@example.test}]\n"
    return write(tmp_path / "scenarios" / "main.yaml",
                 "include: [../a/first.yaml]\norgs:\n" + own if main_has_the_org
                 else "include: [../a/first.yaml]\n")


def test_nested_includes_are_relative_to_the_including_file(tmp_path: Path) -> None:
    spec = load_scenario_file(nested_includes(tmp_path, main_has_the_org=True))
    ids = [c.id for c in spec.orgs[0].contacts]
    assert sorted(i or "" for i in ids) == ["ct_first", "ct_main", "ct_second", "ct_third"]
    assert ids[-1] == "ct_main"


@pytest.mark.parametrize("main_has_the_org", [True, False])
def test_nested_included_items_come_before_the_including_files_own(
        tmp_path: Path, main_has_the_org: bool) -> None:
    spec = load_scenario_file(nested_includes(tmp_path, main_has_the_org))
    expected = ["ct_third", "ct_second", "ct_first"] + (["ct_main"] if main_has_the_org else [])
    assert [c.id for c in spec.orgs[0].contacts] == expected


def test_an_error_inside_an_included_file_names_that_file(tmp_path: Path) -> None:
    included = write(tmp_path / "fixtures" / "bad.yaml", """\
        orgs:
          - id: org_x
            contacts:
              - id: ct_ok
                email: ok@example.test
              - id: ct_bad
                emial: bad@example.test
        """)
    main = write(tmp_path / "main.yaml", """\
        include: [fixtures/bad.yaml]
        orgs:
          - id: org_x
            contacts:
              - {id: ct_own, email: own@example.test}
        """)
    [problem] = problems_of(main)
    assert where(problem) == (str(included.resolve()), 7, column(included, 7, "emial"),
                              "orgs[0].contacts[1].emial")
    assert "unknown key" in problem.message


def test_a_bad_value_and_a_cross_check_inside_an_included_file(tmp_path: Path) -> None:
    included = write(tmp_path / "inc.yaml", """\
        orgs:
          - id: org_x
            contacts:
              - {id: ct_a, email: not-an-email}
              - {id: ct_b, email: b@example.test, segments: [seg_gold]}
        outcomes:
          - {when: {email: "x@*"}, outcome: exploded}
        """)
    main = write(tmp_path / "main.yaml", """\
        include: [inc.yaml]
        orgs:
          - id: org_x
            segments: [{id: seg_vip, name: VIP}]
        outcomes:
          - {when: {email: "y@*"}, outcome: delivered}
        """)
    problems = problems_of(main)
    located = sorted(where(p) for p in problems)
    file = str(included.resolve())
    assert located == [(file, 4, column(included, 4, "email"), "orgs[0].contacts[0].email"),
                       (file, 7, column(included, 7, "outcome"), "outcomes[0].outcome")]
    # Once the values are fixed, the cross check names the included file too.
    write(tmp_path / "inc.yaml", """\
        orgs:
          - id: org_x
            contacts:
              - {id: ct_b, email: b@example.test, segments: [seg_gold]}
        """)
    [problem] = problems_of(main)
    assert where(problem) == (file, 4, column(included, 4, "seg_gold"),
                              "orgs[0].contacts[0].segments[0]")
    assert "seg_gold" in problem.message


def test_an_error_in_the_including_files_own_items_keeps_its_position(tmp_path: Path) -> None:
    write(tmp_path / "inc.yaml", """\
        orgs:
          - id: org_x
            contacts:
              - {id: ct_1, email: one@example.test}
              - {id: ct_2, email: two@example.test}
        """)
    main = write(tmp_path / "main.yaml", """\
        include: [inc.yaml]
        orgs:
          - id: org_x
            contacts:
              - {id: ct_own, email: own@example.test}
              - {id: ct_own2, email: own2@example.test, segments: [seg_nope]}
        """)
    [problem] = problems_of(main)
    assert where(problem) == (str(main), 6, column(main, 6, "seg_nope"),
                              "orgs[0].contacts[1].segments[0]")


def test_an_include_cycle_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "first.yaml", "include: [second.yaml]\n")
    second = write(tmp_path / "second.yaml", "include: [first.yaml]\n")
    main = write(tmp_path / "main.yaml", "include: [first.yaml]\norgs: []\n")
    [problem] = problems_of(main)
    assert where(problem) == (str(second.resolve()), 1, column(second, 1, "first.yaml"),
                              "include[0]")
    assert "cycle" in problem.message and "first.yaml" in problem.message


def test_a_file_including_itself_is_an_error(tmp_path: Path) -> None:
    main = write(tmp_path / "main.yaml", "orgs: []\ninclude:\n  - main.yaml\n")
    [problem] = problems_of(main)
    assert where(problem) == (str(main), 3, 5, "include[0]")
    assert "cycle" in problem.message


def test_a_missing_include_is_an_error(tmp_path: Path) -> None:
    main = write(tmp_path / "main.yaml", "orgs: []\ninclude:\n  - ok.yaml\n  - nope.yaml\n")
    write(tmp_path / "ok.yaml", "orgs: []\n")
    [problem] = problems_of(main)
    assert where(problem) == (str(main), 4, 5, "include[1]")
    assert "nope.yaml" in problem.message and "not found" in problem.message


@pytest.mark.parametrize("key", ["seed", "clock", "rate_limits", "magic_addresses"])
def test_main_file_keys_are_refused_in_an_included_file(tmp_path: Path, key: str) -> None:
    values = {"seed": "5", "clock": "{mode: virtual}", "rate_limits": "{send: null}",
              "magic_addresses": "false"}
    included = write(tmp_path / "inc.yaml", f"orgs: []\n{key}: {values[key]}\n")
    main = write(tmp_path / "main.yaml", "include: [inc.yaml]\n")
    [problem] = problems_of(main)
    assert where(problem) == (str(included.resolve()), 2, 1, key)
    assert f"'{key}'" in problem.message


def test_an_included_org_cannot_overwrite_the_including_files_setting(tmp_path: Path) -> None:
    included = write(tmp_path / "inc.yaml", "orgs:\n  - id: org_x\n    name: Other\n")
    main = write(tmp_path / "main.yaml", "include: [inc.yaml]\norgs:\n  - {id: org_x, name: X}\n")
    [problem] = problems_of(main)
    assert where(problem) == (str(included.resolve()), 3, 5, "orgs[0].name")


# generate:

def generated(seed: int, count: int = 1000, ratio: float = 0.3) -> str:
    return f"""\
seed: {seed}
{VIRTUAL}
rate_limits: {{send: null}}
orgs:
  - id: org_gen
    api_keys: [key_gen]
    segments:
      - {{id: seg_vip, name: VIP}}
      - {{id: seg_none, name: Nobody}}
    contacts:
      - {{id: ct_hand, name: Hand Written, email: hand@example.test}}
    generate:
      count: {count}
      segments: {{seg_vip: {ratio}, seg_none: 0}}
      email_domain: gen.test
    broadcasts:
      - id: bc_otp
        name: OTP
        type: TRANSACTIONAL
        status: ACTIVE
        templates: [{{id: tpl_otp, integration_id: gmail, config: {{body: hi}}}}]
      - id: bc_vip
        name: VIP campaign
        segment_ids: [seg_vip, seg_none]
        templates: [{{id: tpl_vip, integration_id: gmail, config: {{body: hi}}}}]
"""


def build(text: str) -> Starlette:
    spec: ScenarioSpec = load_scenario_text(text)
    return create_app(scenario=spec, clock=VirtualClock(START))


def people(app: Starlette) -> list[tuple[str, str | None, str | None]]:
    """(id, name, email) of every contact, in order."""
    org = app.state.emulator.registry.orgs["org_gen"]
    return [(c.id, c.name, c.channels[0].email) for c in org.contacts.values()]


@pytest.fixture
async def gen_client() -> AsyncIterator[tuple[Starlette, httpx.AsyncClient]]:
    app = build(generated(seed=8))
    async with client_for(app, "key_gen") as http:
        yield app, http


async def test_generate_makes_unique_contacts_with_the_segment_ratio(
        gen_client: tuple[Starlette, httpx.AsyncClient]) -> None:
    app, http = gen_client
    contacts = people(app)
    assert len(contacts) == 1001
    assert contacts[0] == ("ct_hand", "Hand Written", "hand@example.test")
    made = contacts[1:]
    emails = [email for _, _, email in made]
    assert len(set(emails)) == 1000
    assert all(email and email.endswith("@gen.test") for email in emails)
    assert len({contact_id for contact_id, _, _ in made}) == 1000
    assert all(name and " " in name for _, name, _ in made)

    response = await http.get("/orgs/c/broadcasts", params={"take": 100})
    [vip] = [b for b in response.json() if b["id"] == "bc_vip"]
    counts = {s["id"]: s["contacts_count"] for s in vip["segments"]}
    # 0.3 of 1000 (sd about 14.5): four standard deviations either way.
    assert 240 <= counts["seg_vip"] <= 360, counts
    assert counts["seg_none"] == 0


async def test_generated_contacts_are_found_by_sends(
        gen_client: tuple[Starlette, httpx.AsyncClient]) -> None:
    app, http = gen_client
    for contact_id, name, email in people(app)[1::250]:
        for body in ({"email": email}, {"contact_id": contact_id}):
            response = await http.post("/orgs/c/broadcasts/bc_otp/send", json=body)
            assert response.status_code == 200, response.text
            [row] = response.json()["recipients"]
            assert row["contact"]["id"] == contact_id
            assert row["contact"]["name"] == name
            assert row["email"] == email
    assert len(app.state.emulator.registry.orgs["org_gen"].contacts) == 1001


def test_generate_is_deterministic_for_a_seed() -> None:
    first = people(build(generated(seed=8)))
    assert people(build(generated(seed=8))) == first
    other = people(build(generated(seed=9)))
    assert len(other) == len(first)
    assert [e for _, _, e in other] != [e for _, _, e in first]
    assert [n for _, n, _ in other] != [n for _, n, _ in first]
    assert {i for i, _, _ in other[1:]}.isdisjoint({i for i, _, _ in first[1:]})


GOLDEN_SEED_8 = [
    ("ct_afdd44810a8858ee", "Andrew Clark", "andrew.clark.0@gen.test"),
    ("ct_fe7718361a20c808", "Mark Sanchez", "mark.sanchez.1@gen.test"),
    ("ct_fb2dcb316e1c25ad", "Brian Flores", "brian.flores.2@gen.test"),
]


def test_generated_data_depends_on_the_seed_alone_not_on_faker(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Faker is no dependency (docs/decisions.md): generation works where it cannot be imported,
    # and the first contacts for seed 8 are these bytes, whatever else is installed.
    monkeypatch.setitem(sys.modules, "faker", None)
    contacts = people(build(generated(seed=8, count=3)))
    assert contacts[1:] == GOLDEN_SEED_8


async def test_put_scenario_twice_generates_the_same_contacts() -> None:
    app = build(generated(seed=1, count=10))
    async with client_for(app, None) as http:
        snapshots = []
        for _ in range(2):
            response = await http.put("/_emulator/scenario", content=generated(seed=8))
            assert response.status_code == 200, response.text
            snapshots.append(people(app))
    assert snapshots[0] == snapshots[1] == people(build(generated(seed=8)))


def test_generate_refuses_an_unknown_segment_and_a_bad_ratio() -> None:
    text = generated(seed=1).replace("seg_none: 0", "seg_gold: 0.5")
    with pytest.raises(ScenarioError) as raised:
        load_scenario_text(text, "gen.yaml")
    [problem] = raised.value.problems
    assert format_path(problem.path) == "orgs[0].generate.segments.seg_gold"
    assert "seg_gold" in problem.message
    with pytest.raises(ScenarioError) as raised:
        load_scenario_text(generated(seed=1, ratio=1.5), "gen.yaml")
    [problem] = raised.value.problems
    assert format_path(problem.path) == "orgs[0].generate.segments"
    assert problem.line == 14
