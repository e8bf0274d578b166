"""Hostile scenario files sent to a running emulator (PUT /_emulator/scenario and POST
/_emulator/orgs): each is a 400 envelope naming the problem, nothing runs, nothing changes."""

from __future__ import annotations

import json

import pytest
from support.hostile import Hostile
from support.scenario_cases import ERROR_CASES, Case, billion_laughs

pytestmark = pytest.mark.anyio

HOSTILE_SCENARIOS: dict[str, bytes] = {
    "billion_laughs": billion_laughs().encode(),
    "python_object": b"seed: !!python/object/apply:os.system ['touch /tmp/pwned']\n",
    "python_name": b"orgs: [{id: !!python/name:os.system x}]\n",
    "binary_tag": b"seed: !!binary aGVsbG8=\n",
    "set_tag": b"seed: !!set {a, b}\n",
    "deep_nesting": b"a: " + b"[" * 10_000 + b"]" * 10_000 + b"\n",
    "huge_integer": b"seed: " + b"9" * 5_000 + b"\n",
    "million_contacts": b"orgs:\n  - id: org_x\n    generate: {count: 1000000}\n",
    "three_million": b"orgs: [" + b", ".join(
        b"{id: o%d, generate: {count: 1000000}}" % i for i in range(3)) + b"]\n",
    "over_the_total": b"orgs: [" + b", ".join(
        b"{id: o%d, generate: {count: 150000}}" % i for i in range(3)) + b"]\n",
    "include_a_system_file": b"include: [/etc/passwd]\n",
    "include_relative": b"include: [../../pyproject.toml]\n",
    "non_utf8": b"seed: 1\nname: \xff\xfe\n",
    "nul_byte": b"seed: 1\x00\n",
    "control_character": b"seed: 1\norgs: [{id: \"a\x07\"}]\n",
    "duplicate_keys": b"seed: 1\nseed: 2\n",
    "a_list": b"- 1\n- 2\n",
    "merge_key": b"orgs: [{<<: {id: org_x}}]\n",
    "not_yaml": b"{{{{ ]]]] ::::",
    "unknown_keys": b"seeds: 1\n",
    "bad_glob_rule": b"outcomes: [{when: {email: '['}, outcome: exploded}]\n",
    "webhook_elsewhere": b"webhooks: [{url: 'file:///etc/passwd'}]\n",
}


@pytest.mark.parametrize("name", HOSTILE_SCENARIOS)
async def test_hostile_scenario_bodies(hostile: Hostile, name: str) -> None:
    request = hostile.http.build_request("PUT", "/_emulator/scenario",
                                         content=HOSTILE_SCENARIOS[name])
    await hostile.refused(request, 400)


@pytest.mark.parametrize("case", ERROR_CASES[:12], ids=lambda case: case.name)
async def test_scenario_errors_name_line_and_column(hostile: Hostile, case: Case) -> None:
    request = hostile.http.build_request("PUT", "/_emulator/scenario",
                                         content=case.text.encode())
    body = await hostile.refused(request, 400)
    first = case.problems[0]
    assert f"line {first.line}, column {first.column}" in json.dumps(body), body


@pytest.mark.parametrize("scenario", [
    {"orgs": [{"id": "o", "generate": {"count": 10 ** 6}}]},
    {"orgs": [{"id": "o", "contacts": [{"id": "c", "email": "x"}] * 3}]},
    {"include": ["/etc/passwd"]},
    {"orgs": "not a list"},
    {"seed": 10 ** 40},
    [1, 2, 3],
])
async def test_hostile_scenarios_for_a_new_org(hostile: Hostile, scenario: object) -> None:
    request = hostile.http.build_request("POST", "/_emulator/orgs",
                                         json={"scenario": scenario})
    await hostile.refused(request, 400)
