"""Reading a scenario: file or text → hardened YAML → schema → cross checks → ScenarioSpec."""

from __future__ import annotations

import json
from pathlib import Path as FilePath
from typing import Any

from pydantic import ValidationError

from emulator.scenario.check import check_scenario
from emulator.scenario.problems import Problem, ScenarioError
from emulator.scenario.schema import ScenarioSpec
from emulator.scenario.yamlload import MAX_FILE_BYTES, LoadedDocument, load_yaml_text

_BUNDLED = FilePath(__file__).resolve().parent.parent / "_bundled" / "scenarios"
_CHECKOUT = FilePath(__file__).resolve().parents[2] / "scenarios"


def bundled_scenarios_dir() -> FilePath:
    """Inside an installed wheel the scenarios ship in the package; in a checkout, at its top."""
    return _BUNDLED if _BUNDLED.is_dir() else _CHECKOUT


def resolve_scenario_path(name_or_path: str) -> FilePath:
    """A path to a file, or the name of a bundled scenario (`default`, `otp`, ...)."""
    path = FilePath(name_or_path)
    if path.is_file():
        return path
    bundled = bundled_scenarios_dir() / f"{name_or_path}.yaml"
    if "/" not in name_or_path and bundled.is_file():
        return bundled
    raise ScenarioError([Problem(name_or_path, 1, 1, (), "no such file or bundled scenario")])


def load_scenario_file(path: FilePath) -> ScenarioSpec:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ScenarioError([Problem(str(path), 1, 1, (),
                                         f"file is larger than {MAX_FILE_BYTES} bytes")])
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError([Problem(str(path), 1, 1, (), f"cannot read: {error}")]) from None
    return load_scenario_text(text, str(path))


def load_scenario_text(text: str, file: str = "<scenario>") -> ScenarioSpec:
    """YAML (of which JSON is a subset) text to a checked scenario, or ScenarioError."""
    document = load_yaml_text(text, file)
    return validate_document(document)


def load_scenario_json(data: Any, file: str = "<scenario>") -> ScenarioSpec:
    return validate_document(load_yaml_text(json.dumps(data), file))


def validate_document(document: LoadedDocument) -> ScenarioSpec:
    if not isinstance(document.data, dict):
        raise ScenarioError([document.problem((), "a scenario must be a mapping of keys")])
    try:
        spec = ScenarioSpec.model_validate(document.data)
    except ValidationError as error:
        raise ScenarioError([
            document.problem(tuple(item["loc"]), _message(item)) for item in error.errors()
        ]) from None
    findings = check_scenario(spec)
    if findings:
        raise ScenarioError([document.problem(path, message) for path, message in findings])
    return spec


def _message(item: Any) -> str:
    kind = item["type"]
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required key is missing"
    message = str(item["msg"])
    given = item.get("input")
    # YAML 1.1 reads `no`, `on`, 1.10 and bare phone numbers as booleans and numbers.
    if kind.startswith("string") and isinstance(given, bool | int | float):
        message += " (quote the value)"
    return message
