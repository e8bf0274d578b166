"""`@pytest.mark.invent_scenario(path, org=...)`: where the scenario is found, that the test's
org is a copy (of the file's org, never the session's), and the errors a wrong marker gives."""

from __future__ import annotations

import re

import pytest
from support.pytester import report, run, statuses

SHOP = """\
clock: {mode: virtual, start: "2030-01-01T00:00:00Z"}
orgs:
  - id: org_shop
    broadcasts:
      - id: bc_receipt
        name: Receipt
        type: TRANSACTIONAL
        status: ACTIVE
        templates:
          - {id: tpl_receipt, integration_id: gmail, config: {subject: Receipt, body: Thanks}}
outcomes:
  - when: {email: "*@bounce.example"}
    outcome: bounced
    timing: {bounced_after: 30s}
"""

TWO_ORGS = """\
orgs:
  - id: org_one
  - id: org_two
"""

INVALID = """\
orgs:
  - id: org_bad
    nickname: Bobby
"""

# Run from the pytester directory while the test files live in suite/: a path that works only
# relative to the working directory, not to the test file, would not be found.
MARKED = """\
import pytest

SHOP = pytest.mark.invent_scenario("data/shop.yaml")  # one org in the file: no org= needed
FIRST = {}


def send(org, broadcast_id, email):
    response = org.client.post(f"/orgs/c/broadcasts/{broadcast_id}/send", json={"email": email})
    assert response.status_code == 200, response.text
    return response.json()


def names(client):
    return sorted(b["name"] for b in client.get("/orgs/c/broadcasts").json())


@SHOP
def test_path_relative_to_the_test_file(invent):
    assert invent.org_id != "org_shop"
    assert names(invent.client) == ["Receipt"]
    assert invent.now().startswith("2030-01-01T00:00:00"), invent.now()


@SHOP
def test_the_scenarios_outcome_rules_come_with_the_org(invent):
    send(invent, "bc_receipt", "ada@bounce.example")
    invent.advance(30)
    [row] = invent.recipients("bc_receipt")
    assert row["is_bounced"] and row["status"] == "PROCESSED"


@SHOP
def test_copy_first_test_writes(invent):
    send(invent, "bc_receipt", "ada@x.test")
    assert invent.client.post("/orgs/c/broadcasts", json={"name": "leak"}).status_code == 200
    invent.advance(3600)
    FIRST["org_id"] = invent.org_id


@SHOP
def test_copy_second_test_starts_from_the_file(invent):
    assert FIRST and invent.org_id != FIRST["org_id"]
    assert names(invent.client) == ["Receipt"]
    assert invent.messages() == [] and invent.recipients("bc_receipt") == []
    assert invent.now().startswith("2030-01-01T00:00:00"), invent.now()


@pytest.mark.invent_scenario("otp", org="org_otp")
def test_a_bundled_scenario_by_name(invent):
    assert invent.broadcast("bc_otp")["name"] == "Login code"
    contacts = invent.client.get("/orgs/c/contacts").json()
    assert [c["id"] for c in contacts] == ["ct_ada"]
    assert invent.now().startswith("2026-01-05T09:00:00"), invent.now()


@pytest.mark.invent_scenario("default", org="org_acme")
def test_a_copy_of_the_sessions_own_org(invent):
    assert invent.org_id != "org_acme" and invent.api_key != "test_key_acme"
    send(invent, "bc_otp", "ada@example.com")
    assert invent.client.post("/orgs/c/broadcasts", json={"name": "copy only"}).status_code == 200
    assert "copy only" in names(invent.client)


def test_the_sessions_scenario_org_is_untouched(invent_emulator):
    with invent_emulator.client("test_key_acme") as acme:
        assert names(acme) == ["One-time passcode", "Spring sale"]
        assert acme.get("/orgs/c/broadcasts/bc_otp/recipients").json() == []
    everything = invent_emulator.control.get("/_emulator/messages", params={"org_id": "org_acme"})
    assert everything.json() == []
    # The marked tests' outcome rules stayed with their orgs: here *@bounce.example delivers.
    plain = invent_emulator.new_org(copy_of="org_acme")
    try:
        send(plain, "bc_otp", "ada@bounce.example")
        plain.advance(60)
        rows = plain.recipients("bc_otp")
        assert rows and not any(r["is_bounced"] for r in rows), rows
        assert any(r["is_delivered"] for r in rows), rows
    finally:
        plain.close()
"""

WRONG = """\
import pytest


@pytest.mark.invent_scenario("nope.yaml")
def test_missing_file(invent):
    pass


@pytest.mark.invent_scenario("data/two.yaml", org="org_zed")
def test_org_not_in_the_scenario(invent):
    pass


@pytest.mark.invent_scenario("data/two.yaml")
def test_several_orgs_and_no_org(invent):
    pass


@pytest.mark.invent_scenario()
def test_no_path(invent):
    pass


@pytest.mark.invent_scenario("data/invalid.yaml")
def test_invalid_scenario(invent):
    pass


def test_an_unmarked_test_still_runs(invent):
    assert invent.client.get("/orgs/c/broadcasts").json() == []
"""

CWD_ONLY = """\
import pytest


@pytest.mark.invent_scenario("cwd_only.yaml")
def test_a_path_relative_to_the_working_directory(invent):
    pass
"""


def write_data(pytester: pytest.Pytester) -> None:
    data = pytester.mkpydir("suite") / "data"
    data.mkdir()
    (data / "shop.yaml").write_text(SHOP, encoding="utf-8")
    (data / "two.yaml").write_text(TWO_ORGS, encoding="utf-8")
    (data / "invalid.yaml").write_text(INVALID, encoding="utf-8")


def test_marked_orgs_and_wrong_markers(pytester: pytest.Pytester) -> None:
    """One inner session: the marked tests all pass, each wrong marker errors its own test
    with a message naming the problem, and an unmarked test after them still runs."""
    write_data(pytester)
    (pytester.path / "suite" / "test_marked.py").write_text(MARKED, encoding="utf-8")
    (pytester.path / "suite" / "test_wrong.py").write_text(WRONG, encoding="utf-8")

    result = run(pytester, "suite")

    found = statuses(result)
    marked = {name: found.pop(name, set()) for name in re.findall(r"^def (test_\w+)", MARKED,
                                                                   re.MULTILINE)}
    assert all(s == {"PASSED"} for s in marked.values()), report(result)
    assert found == {
        "test_missing_file": {"ERROR"},
        "test_org_not_in_the_scenario": {"ERROR"},
        "test_several_orgs_and_no_org": {"ERROR"},
        "test_no_path": {"ERROR"},
        "test_invalid_scenario": {"ERROR"},
        "test_an_unmarked_test_still_runs": {"PASSED"},
    }, report(result)
    result.stdout.fnmatch_lines_random([
        "E * invent_scenario: no file 'nope.yaml' beside */suite and no bundled scenario*",
        "E * no org 'org_zed' in the scenario (it has org_one, org_two)*",
        "E * name the scenario org to use (one of org_one, org_two)*",
        "E * invent_scenario needs a scenario path or bundled name",
        "E * invent_scenario: *invalid.yaml:3:5: *nickname*",
    ])


def test_a_path_is_not_resolved_against_the_working_directory(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", cwd_only="orgs: [{id: org_cwd}]\n")
    (pytester.mkpydir("suite") / "test_cwd.py").write_text(CWD_ONLY, encoding="utf-8")

    result = run(pytester, "suite")

    assert statuses(result) == {
        "test_a_path_relative_to_the_working_directory": {"ERROR"}}, report(result)
    result.stdout.fnmatch_lines(["E * invent_scenario: no file 'cwd_only.yaml' beside *"])
