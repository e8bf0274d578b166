"""Reading a scenario: file or text → hardened YAML → schema → cross checks → ScenarioSpec.
A bundled scenario named by its name comes from its pre-validated form when that is current
(prebuilt.py).

The YAML reader (include.py, yamlload.py, PyYAML) is imported when a scenario is first read
from text, not with this module: the default start never needs it."""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from emulator.scenario.check import check_scenario
from emulator.scenario.limits import ScenarioLimits, check_limits
from emulator.scenario.prebuilt import (
    bundled_scenario,
    bundled_scenarios_dir,
    read_prebuilt,
    write_prebuilt,
)
from emulator.scenario.problems import Problem, ScenarioError
from emulator.scenario.schema import ScenarioSpec

if TYPE_CHECKING:
    from emulator.scenario.include import Composed

def resolve_scenario_path(name_or_path: str) -> FilePath:
    """A path to a file, or the name of a bundled scenario (`default`, `otp`, ...)."""
    path = FilePath(name_or_path)
    if path.is_file():
        return path
    bundled = bundled_scenario(name_or_path)
    if bundled is not None:
        return bundled
    raise ScenarioError([Problem(name_or_path, 1, 1, (), "no such file or bundled scenario")])


def load_named_scenario(name_or_path: str, limits: ScenarioLimits | None = None) -> ScenarioSpec:
    """What `--scenario` names: a file (read and validated), or a bundled scenario, from its
    pre-validated form while that is current."""
    if not FilePath(name_or_path).is_file() and bundled_scenario(name_or_path) is not None:
        spec = read_prebuilt(name_or_path, bundled_scenarios_dir().parent,
                             limits or ScenarioLimits())
        if spec is not None:
            return spec
    return load_scenario_file(resolve_scenario_path(name_or_path), limits)


def prebuild(name: str) -> FilePath:
    """Rewrite the pre-validated form of the bundled scenario `name` from its YAML (run after
    changing the scenario, the files it includes or the scenario model:
    `python -c "from emulator.scenario.load import prebuild; prebuild('default')"`). The bytes
    vary with the interpreter's hash seed (sets of field names): rewrite it only when
    tests/scenario/test_prebuilt.py says it is stale."""
    path = resolve_scenario_path(name)
    return write_prebuilt(name, bundled_scenarios_dir().parent, load_scenario_file(path),
                          _files_read(path))


def _files_read(path: FilePath) -> list[FilePath]:
    """The scenario file and every file it includes, at any depth."""
    from emulator.scenario.include import read_document

    data = read_document(path).data
    includes = data.get("include", []) if isinstance(data, dict) else []
    return [path, *(file for name in includes
                    for file in _files_read((path.parent / name).resolve()))]


def load_scenario_file(path: FilePath, limits: ScenarioLimits | None = None) -> ScenarioSpec:
    return load_scenario_file_warning(path, limits)[0]


def load_scenario_file_warning(path: FilePath, limits: ScenarioLimits | None = None,
                               ) -> tuple[ScenarioSpec, list[Problem]]:
    """The scenario and the warnings about it (ambiguous plain scalars, for `validate`); a
    ScenarioError carries the warnings found before it in `.warnings`."""
    from emulator.scenario.include import compose, read_document

    composed: Composed | None = None
    try:
        composed = compose(read_document(path), path.parent, path, limits)
        return validate(composed), composed.warnings
    except ScenarioError as error:
        error.warnings = composed.warnings if composed is not None else []
        raise


def load_scenario_text(text: str, file: str = "<scenario>", base_dir: FilePath | None = None,
                       limits: ScenarioLimits | None = None) -> ScenarioSpec:
    """YAML (of which JSON is a subset) text to a checked scenario, or ScenarioError. Includes
    are resolved against `base_dir`; without one, a scenario may not include files."""
    from emulator.scenario.include import compose
    from emulator.scenario.yamlload import load_yaml_text

    return validate(compose(load_yaml_text(text, file), base_dir, limits=limits))


def load_scenario_json(data: object, file: str = "<scenario>",
                       limits: ScenarioLimits | None = None) -> ScenarioSpec:
    """An already-parsed scenario (from a JSON request body): same schema and checks; it may
    not include files (a request must not read the emulator's disk)."""
    from emulator.scenario.include import compose
    from emulator.scenario.yamlload import LoadedDocument

    return validate(compose(LoadedDocument(file, data), None, limits=limits))


def validate(composed: Composed) -> ScenarioSpec:
    try:
        spec = ScenarioSpec.model_validate(composed.data)
    except ValidationError as error:
        raise ScenarioError([
            composed.problem(tuple(item["loc"]), _message(item)) for item in error.errors()
        ]) from None
    findings = [*check_scenario(spec), *check_limits(spec, composed.limits)]
    if findings:
        raise ScenarioError([composed.problem(path, message) for path, message in findings])
    return spec.located([_source(composed, ("outcomes", i)) for i in range(len(spec.outcomes))])


def _source(composed: Composed, path: tuple[str | int, ...]) -> str | None:
    """`file.yaml:12` (the file's name only, so answers are the same on every machine); None
    for a scenario that came as parsed JSON, which has no lines."""
    where = composed.problem(path, "")
    if (where.line, where.column) == (1, 1):
        return None
    return f"{FilePath(where.file).name}:{where.line}"


def _message(item: Any) -> str:
    kind = item["type"]
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required key is missing"
    message = str(item["msg"]).removeprefix("Value error, ")
    given = item.get("input")
    # YAML 1.1 reads `no`, `on`, 1.10 and bare phone numbers as booleans and numbers.
    if kind.startswith("string") and isinstance(given, bool | int | float):
        message += " (quote the value)"
    return message
