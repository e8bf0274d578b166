"""The bundled default scenario's pre-validated form (emulator/scenario/prebuilt.py): what it
holds is exactly what validating the YAML gives, it is used only while its files are unchanged
and within the limits, and the default start reads no YAML."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from emulator.scenario import prebuilt
from emulator.scenario.blueprint import fault_rule, scenario_blueprints
from emulator.scenario.limits import ScenarioLimits
from emulator.scenario.load import (
    load_named_scenario,
    load_scenario_file,
    resolve_scenario_path,
)
from emulator.scenario.prebuilt import (
    bundled_scenarios_dir,
    prebuilt_path,
    read_prebuilt,
    read_prepared,
)
from emulator.scenario.problems import ScenarioError

REGENERATE = ("rewrite it: python -c \"from emulator.scenario.load import prebuild; "
              "prebuild('default')\"")


def structure(value: Any) -> Any:
    """Every model's class, set fields and values, recursively (`==` on pydantic models leaves
    out which fields were set, which dumps with `exclude_unset` read)."""
    if isinstance(value, BaseModel):
        return (type(value).__qualname__, sorted(value.model_fields_set),
                {key: structure(item) for key, item in value.__dict__.items()})
    if isinstance(value, list | tuple):
        return [structure(item) for item in value]
    if isinstance(value, dict):
        return {key: structure(item) for key, item in value.items()}
    return (type(value).__name__, value)


def test_the_checked_in_form_is_what_validating_the_yaml_gives() -> None:
    prebuilt = read_prebuilt("default", bundled_scenarios_dir().parent, ScenarioLimits())
    assert prebuilt is not None, f"{prebuilt_path('default')} is missing or stale; {REGENERATE}"
    validated = load_scenario_file(resolve_scenario_path("default"))
    assert structure(prebuilt) == structure(validated), REGENERATE
    assert prebuilt.rule_sources == validated.rule_sources
    assert prebuilt.model_dump_json() == validated.model_dump_json()


def test_the_checked_in_ready_part_is_what_the_validated_spec_builds() -> None:
    validated = load_scenario_file(resolve_scenario_path("default"))
    prepared = read_prepared("default", ScenarioLimits(), lambda: validated)
    assert prepared is not None, f"{prebuilt_path('default')} is missing or stale; {REGENERATE}"
    assert prepared.seed == validated.seed
    assert list(prepared.blueprints) == scenario_blueprints(validated), REGENERATE
    assert list(prepared.faults) == [fault_rule(fault) for fault in validated.faults]
    assert prepared.spec() is validated


def test_over_the_limits_the_ready_part_is_not_used() -> None:
    for tight in (ScenarioLimits(contacts_per_org=1), ScenarioLimits(contacts_total=1),
                  ScenarioLimits(include_bytes=10)):
        assert read_prepared("default", tight, lambda: pytest.fail("not read")) is None


def copy_of_bundled(tmp_path: Path) -> Path:
    root = tmp_path / "bundled"
    for folder in ("scenarios", "fixtures"):
        shutil.copytree(bundled_scenarios_dir().parent / folder, root / folder)
    return root


def test_a_changed_source_file_makes_the_form_stale(tmp_path: Path) -> None:
    root = copy_of_bundled(tmp_path)
    assert read_prebuilt("default", root, ScenarioLimits()) is not None
    included = root / "fixtures" / "acme-contacts.yaml"
    included.write_text(included.read_text() + "\n# edited\n")
    assert read_prebuilt("default", root, ScenarioLimits()) is None


def test_changed_scenario_code_makes_the_form_stale(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A validator or a default changed in emulator/scenario/ keeps every field name, so only
    the code's own hash tells that the pickled spec may no longer be what validating gives."""
    code = tmp_path / "code"
    shutil.copytree(prebuilt_path("default").parent, code,
                    ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(prebuilt, "_HERE", code)
    root = bundled_scenarios_dir().parent
    assert read_prebuilt("default", root, ScenarioLimits()) is not None
    check = code / "check.py"
    check.write_text(check.read_text() + "\n# a changed rule\n")
    assert read_prebuilt("default", root, ScenarioLimits()) is None


def test_over_the_limits_the_yaml_is_read_and_refused_with_its_own_error() -> None:
    tight = ScenarioLimits(contacts_per_org=1)
    assert read_prebuilt("default", bundled_scenarios_dir().parent, tight) is None
    with pytest.raises(ScenarioError) as from_name:
        load_named_scenario("default", tight)
    with pytest.raises(ScenarioError) as from_file:
        load_scenario_file(resolve_scenario_path("default"), tight)
    assert str(from_name.value) == str(from_file.value)


def test_a_file_named_on_the_command_line_is_always_validated(tmp_path: Path) -> None:
    broken = tmp_path / "default"  # a file wins over the bundled scenario of the same name
    broken.write_text("seed: [1]\n")
    with pytest.raises(ScenarioError, match="seed"):
        load_named_scenario(str(broken))


def test_the_default_start_imports_no_pydantic_and_reads_no_yaml() -> None:
    probe = ("import sys, emulator.cli, emulator.launch; from emulator.app import create_app; "
             "from emulator.settings import Settings; create_app(Settings()); "
             "print('pydantic' in sys.modules); "
             "from emulator.scenario.schema import ScenarioSpec; "
             "print('yaml' in sys.modules, ScenarioSpec.__pydantic_complete__)")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, env=env, timeout=60)
    assert out.stdout.split() == ["False", "False", "False"]
