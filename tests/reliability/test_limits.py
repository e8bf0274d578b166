"""Issue 12, item 7 (cost part): scenario cost limits, checked before anything is generated, at
start-up, in `validate`, in PUT /_emulator/scenario and in POST /_emulator/orgs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from support.api import assert_error
from support.cli import clean_env, run_cli

from emulator import create_app, load_scenario_file, load_scenario_text
from emulator.scenario.limits import ScenarioLimits
from emulator.scenario.problems import ScenarioError
from emulator.settings import Settings
from emulator.testing import VirtualClock

pytestmark = pytest.mark.anyio

# 48 bytes asking for a million contacts: must be refused before one is made.
MILLION = "orgs:\n  - id: org_x\n    generate: {count: 1000000}\n"


def _two_orgs(first: int, second: int) -> str:
    return (f"orgs:\n  - id: org_a\n    generate: {{count: {first}}}\n"
            f"  - id: org_b\n    contacts: [{{id: ct_1}}, {{id: ct_2}}]\n"
            f"    generate: {{count: {second}}}\n")


def test_a_million_contacts_is_refused_with_line_and_column() -> None:
    with pytest.raises(ScenarioError) as raised:
        load_scenario_text(MILLION, "big.yaml")
    problem = raised.value.problems[0]
    assert str(problem).startswith("big.yaml:3:16: orgs[0].generate.count: org 'org_x' would "
                                   "hold 1000000 contacts, more than the limit of 200000")
    assert "INVENT_EMULATOR_MAX_CONTACTS_PER_ORG" in problem.message


def test_limits_are_parameters_written_and_generated_contacts_count() -> None:
    limits = ScenarioLimits(contacts_per_org=10, contacts_total=1000)
    load_scenario_text(_two_orgs(10, 8), limits=limits)
    with pytest.raises(ScenarioError) as raised:
        load_scenario_text(_two_orgs(10, 9), "s.yaml", limits=limits)
    assert [(p.line, p.column, p.path) for p in raised.value.problems] == [
        (6, 16, ("orgs", 1, "generate", "count"))]


def test_the_total_is_reported_once_at_the_org_that_crosses_it() -> None:
    limits = ScenarioLimits(contacts_per_org=100, contacts_total=15)
    load_scenario_text(_two_orgs(10, 3), limits=limits)
    with pytest.raises(ScenarioError) as raised:
        load_scenario_text(_two_orgs(10, 4), "s.yaml", limits=limits)
    [problem] = raised.value.problems
    assert problem.path == ("orgs", 1, "generate", "count")
    assert "16 contacts" in problem.message and "MAX_CONTACTS_TOTAL" in problem.message


def test_include_bytes_count_the_main_file_and_every_include(tmp_path: Path) -> None:
    (tmp_path / "part.yaml").write_text("orgs:\n  - id: org_b\n" + "#" * 200 + "\n")
    main = tmp_path / "main.yaml"
    main.write_text("orgs:\n  - id: org_a\ninclude: [part.yaml]\n")
    size = main.stat().st_size + (tmp_path / "part.yaml").stat().st_size
    assert len(load_scenario_file(main, ScenarioLimits(include_bytes=size)).orgs) == 2
    with pytest.raises(ScenarioError) as raised:
        load_scenario_file(main, ScenarioLimits(include_bytes=size - 1))
    assert str(raised.value).startswith(f"{main}:3:11: include[0]: the scenario and the files "
                                        f"it includes reach {size} bytes")


def test_the_defaults_load_every_bundled_scenario_big_campaign_included() -> None:
    root = Path(__file__).resolve().parents[2] / "scenarios"
    for path in sorted(root.glob("*.yaml")):
        load_scenario_file(path, ScenarioLimits.from_settings(Settings()))
    big = load_scenario_file(root / "big-campaign.yaml")
    assert big.orgs[0].generate is not None and big.orgs[0].generate.count == 100_000


async def _client(limits: Settings, clock: VirtualClock) -> httpx.AsyncClient:
    app = create_app(limits, clock=clock)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                             base_url="http://emulator.test")


async def test_put_scenario_over_a_limit_is_a_400_and_changes_nothing(
        clock: VirtualClock) -> None:
    settings = replace(Settings(), max_contacts_per_org=5)
    async with await _client(settings, clock) as http:
        before = (await http.get("/_emulator/clock")).content
        response = await http.put("/_emulator/scenario", content=_two_orgs(3, 4))
        body = assert_error(response, 400)
        assert "orgs[1].generate.count" in body["message"]
        assert "line 6, column 16" in body["details"][0]["message"]
        assert (await http.get("/_emulator/clock")).content == before
        ok = await http.put("/_emulator/scenario", content=_two_orgs(3, 3))
        assert ok.status_code == 200, ok.text


async def test_new_org_from_a_scenario_over_a_limit_is_a_400(clock: VirtualClock) -> None:
    settings = replace(Settings(), max_contacts_total=6)
    scenario = {"orgs": [{"id": "org_a", "generate": {"count": 7}}]}
    async with await _client(settings, clock) as http:
        response = await http.post("/_emulator/orgs", json={"scenario": scenario})
        assert "MAX_CONTACTS_TOTAL" in assert_error(response, 400)["message"]
        scenario["orgs"][0]["generate"] = {"count": 6}
        made = await http.post("/_emulator/orgs", json={"scenario": scenario})
        assert made.status_code == 200, made.text


@pytest.mark.slow  # runs the CLI as a subprocess: left out by `dev.py test --fast`
def test_startup_refuses_a_scenario_over_the_limit_from_the_environment(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(_two_orgs(2, 2), encoding="utf-8")
    env = clean_env(INVENT_EMULATOR_MAX_CONTACTS_PER_ORG="3")
    done = run_cli("serve", "--port", "0", "--scenario", "s.yaml", cwd=tmp_path, env=env,
                   timeout=30)
    assert done.returncode == 2
    assert "s.yaml:6:16: orgs[1].generate.count: org 'org_b' would hold 4 contacts" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.slow  # runs the CLI as a subprocess: left out by `dev.py test --fast`
def test_validate_uses_the_limits_from_the_environment(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(_two_orgs(2, 2), encoding="utf-8")
    assert run_cli("validate", "s.yaml", cwd=tmp_path).returncode == 0
    env = clean_env(INVENT_EMULATOR_MAX_CONTACTS_TOTAL="5")
    done = run_cli("validate", "s.yaml", cwd=tmp_path, env=env)
    assert done.returncode == 1
    assert "s.yaml:6:16: orgs[1].generate.count: the scenario would hold 6 contacts" in done.stderr


@pytest.mark.slow  # runs the CLI as a subprocess: left out by `dev.py test --fast`
def test_a_bad_limit_variable_is_a_clear_error(tmp_path: Path) -> None:
    env = clean_env(INVENT_EMULATOR_MAX_INCLUDE_BYTES="0")
    done = run_cli("serve", "--port", "0", cwd=tmp_path, env=env, timeout=30)
    assert done.returncode == 2
    assert ("INVENT_EMULATOR_MAX_INCLUDE_BYTES must be a whole number of bytes, at least 1"
            in done.stderr)
