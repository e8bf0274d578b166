"""Issue 12, item 8: scenario data is typed by the YAML 1.2 core schema (`NO` stays a string),
and `invent-emulator validate` warns where a YAML 1.1 tool would read a plain scalar differently."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from support.cli import run_cli
from support.scenario_cases import PROBLEM_LINE

from emulator import create_app, load_scenario_text
from emulator.scenario.yamlload import load_yaml_text
from emulator.testing import VirtualClock

pytestmark = pytest.mark.anyio

SCENARIO = """\
seed: 1
orgs:
  - id: org_a
    api_keys: [key_a]
    contacts:
      - id: ct_a
        email: a@example.com
        properties: {answer: NO, light: off, agree: yes, zip: 0123, duration: 1:20,
                     short: n, big: 1_000, ok: true, Shout: FALSE, none: null,
                     count: 12, ratio: 0.5, hex: 0x1F}
    broadcasts:
      - id: bc_a
        name: A
        type: TRANSACTIONAL
        status: ACTIVE
        templates:
          - id: tpl_a
            integration_id: gmail
            config: {subject: Hi, body: "x", track: off, code: 0123}
"""

STRINGS = {"answer": "NO", "light": "off", "agree": "yes", "zip": "0123", "duration": "1:20",
           "short": "n", "big": "1_000"}
TYPED = {"ok": True, "Shout": False, "none": None, "count": 12, "ratio": 0.5, "hex": 31}


async def _get(app: Any, path: str) -> Any:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://emulator.test",
                                 headers={"Authorization": "Bearer key_a"}) as http:
        response = await http.get(path)
    assert response.status_code == 200, response.text
    return response.json()


async def test_yaml_1_1_booleans_numbers_and_sexagesimals_stay_strings_in_data(
        clock: VirtualClock) -> None:
    app = create_app(scenario=load_scenario_text(SCENARIO), clock=clock)
    [contact] = await _get(app, "/orgs/c/contacts")
    assert {k: contact["properties"][k] for k in STRINGS} == STRINGS
    assert {k: contact["properties"][k] for k in TYPED} == TYPED
    [broadcast] = await _get(app, "/orgs/c/broadcasts")
    config = broadcast["templates"][0]["config"]
    assert (config["track"], config["code"]) == ("off", "0123")


@pytest.mark.slow  # runs the CLI as a subprocess: left out by `dev.py test --fast`
def test_validate_warns_on_ambiguous_scalars_with_file_line_column(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(SCENARIO, encoding="utf-8")
    done = run_cli("validate", "s.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    rows = [PROBLEM_LINE.match(line) for line in done.stderr.splitlines()]
    assert all(rows), done.stderr
    found = {(m["line"], m["column"], m["path"]) for m in rows if m}
    assert ("8", "30", "orgs[0].contacts[0].properties.answer") in found
    assert ("8", "79", "orgs[0].contacts[0].properties.duration") in found
    assert ("19", "64", "orgs[0].broadcasts[0].templates[0].config.code") in found
    messages = {m["path"].rsplit(".", 1)[-1]: m["message"] for m in rows if m}
    assert set(messages) == {*STRINGS, "track", "code"}, done.stderr
    assert all(text.startswith("warning: ") and "quote" in text for text in messages.values())


@pytest.mark.slow  # runs the CLI as a subprocess: left out by `dev.py test --fast`
def test_validate_still_fails_on_errors_and_also_warns(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text("orgs:\n  - id: org_a\n    name: true\n    "
                                     "contacts: [{id: ct_a, properties: {x: off}}]\n",
                                     encoding="utf-8")
    done = run_cli("validate", "s.yaml", cwd=tmp_path)
    assert done.returncode == 1
    assert "s.yaml:3:5: orgs[0].name:" in done.stderr and "quote the value" in done.stderr
    assert "s.yaml:4:43: orgs[0].contacts[0].properties.x: warning:" in done.stderr


@pytest.mark.slow  # runs the CLI as a subprocess: left out by `dev.py test --fast`
def test_quoted_values_raise_no_warning(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text('orgs:\n  - id: org_a\n    name: "no"\n'
                                     "    contacts: [{id: ct_a, properties: {x: 'off'}}]\n",
                                     encoding="utf-8")
    done = run_cli("validate", "s.yaml", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (0, "")


ROOT = Path(__file__).resolve().parents[2]
BUNDLED = sorted([*ROOT.glob("scenarios/*.yaml"), *ROOT.glob("fixtures/*.yaml")])


@pytest.mark.parametrize("path", BUNDLED, ids=lambda path: path.name)
def test_bundled_files_read_the_same_under_yaml_1_1_and_1_2(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    document = load_yaml_text(text, str(path))
    assert document.data == yaml.safe_load(text)
    assert document.warnings == []
