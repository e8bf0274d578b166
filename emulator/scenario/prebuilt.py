"""A bundled scenario in pre-validated form, so that `invent-emulator serve` with the bundled
default starts without PyYAML and without pydantic (together about half of the start-up's own
CPU), and where the bundled scenarios are.

The form holds, after a stamp naming the files it was read from with their SHA-256: the
scenario ready to build (`PreparedScenario`: its seed, each org's blueprint and the faults, as
plain domain data, and each org's contact count for the limits); then, after a second stamp
(the pydantic version and the scenario model's shape), the `ScenarioSpec` that validating the
YAML gives, pickled (unpickling a pydantic model sets its fields without validating). Serving
reads the first part; the spec is read when first needed (a reset of every org, a copy of a
scenario org, a state-file save), and pydantic imported then. Either part is used only while
its stamp holds and the scenario is within the limits; anything else, and the YAML is read and
validated as for any file, with the same errors. `tests/scenario/test_prebuilt.py` keeps the
checked-in form equal to what validating the YAML gives; `write_prebuilt` (through
`emulator.scenario.load.prebuild`) rewrites it."""

from __future__ import annotations

import hashlib
import pickle
import typing
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from emulator.domain.faults import FaultRule
from emulator.domain.org import Blueprint
from emulator.scenario.blueprint import fault_rule, scenario_blueprints
from emulator.scenario.limits import ScenarioLimits, contacts_of, include_bytes_problem

if TYPE_CHECKING:
    from pydantic import BaseModel

    from emulator.scenario.schema import ScenarioSpec

# Bumped whenever what the file holds changes meaning.
FORMAT = 2
_HERE = Path(__file__).resolve().parent
_BUNDLED = _HERE.parent / "_bundled" / "scenarios"
_CHECKOUT = _HERE.parents[1] / "scenarios"
_UNREADABLE = (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, KeyError,
               TypeError, ValueError)


def bundled_scenarios_dir() -> Path:
    """Inside an installed wheel the scenarios ship in the package; in a checkout, at its top."""
    return _BUNDLED if _BUNDLED.is_dir() else _CHECKOUT


def bundled_scenario(name: str) -> Path | None:
    """The bundled scenario called `name` (`default`, `otp`, ...), if there is one."""
    path = bundled_scenarios_dir() / f"{name}.yaml"
    return path if "/" not in name and path.is_file() else None


@dataclass(frozen=True, slots=True)
class PreparedScenario:
    """A scenario ready to build orgs from, without its `ScenarioSpec`; `spec` makes that (the
    same each time it is called is not promised: the registry keeps the first)."""

    seed: int
    blueprints: tuple[Blueprint, ...]
    faults: tuple[FaultRule, ...]
    spec: Callable[[], ScenarioSpec]


def prebuilt_path(name: str) -> Path:
    """Where the pre-validated form of the bundled scenario `name` is kept."""
    return _HERE / f"{name}.prebuilt.pickle"


def read_prepared(name: str, limits: ScenarioLimits,
                  spec: Callable[[], ScenarioSpec]) -> PreparedScenario | None:
    """The bundled scenario `name` ready to build, its spec made by `spec` when first needed;
    None when the pre-validated form is missing, stale or over `limits` (the caller then
    reads the YAML)."""
    root = bundled_scenarios_dir().parent
    try:
        with prebuilt_path(name).open("rb") as file:
            ready = _ready_part(file, root, limits)
    except _UNREADABLE:
        return None  # missing or unreadable: the YAML says the same, more slowly
    if ready is None:
        return None
    return PreparedScenario(ready["seed"], tuple(ready["blueprints"]), tuple(ready["faults"]),
                            spec)


def read_prebuilt(name: str, root: Path, limits: ScenarioLimits) -> ScenarioSpec | None:
    """The bundled scenario `name` (its files under `root`), or None when its pre-validated
    form is missing, stale or over `limits` (the caller then reads the YAML)."""
    from pydantic.version import VERSION  # here: only when the spec is wanted

    from emulator.scenario.schema import ScenarioSpec

    try:
        with prebuilt_path(name).open("rb") as file:
            if _ready_part(file, Path(root), limits) is None:
                return None
            if pickle.load(file) != _spec_stamp(VERSION, ScenarioSpec):
                return None
            spec = pickle.load(file)
    except _UNREADABLE:
        return None
    return spec if isinstance(spec, ScenarioSpec) else None


def _ready_part(file: IO[bytes], root: Path, limits: ScenarioLimits) -> dict[str, Any] | None:
    """The first part of the form (`file` left after it), or None if stale or over `limits`
    (the YAML's own reading gives the error, with its line and column)."""
    stamp = pickle.load(file)
    sources = list(stamp["sources"])
    if stamp != _stamp(root, sources):
        return None
    ready: dict[str, Any] = pickle.load(file)
    size = sum((root / source).stat().st_size for source in sources)
    if include_bytes_problem(size, limits) or not _within(ready["contacts"], limits):
        return None
    return ready


def _within(contacts: list[int], limits: ScenarioLimits) -> bool:
    """What `check_limits` finds nothing in, from each org's contact count."""
    return (max(contacts, default=0) <= limits.contacts_per_org
            and sum(contacts) <= limits.contacts_total)


def write_prebuilt(name: str, root: Path, spec: ScenarioSpec, sources: Sequence[Path]) -> Path:
    """Write the pre-validated form of `spec`, read from `sources` (files under `root`)."""
    from pydantic.version import VERSION

    names = [source.resolve().relative_to(root.resolve()).as_posix() for source in sources]
    ready = {"seed": spec.seed, "blueprints": scenario_blueprints(spec),
             "faults": [fault_rule(fault) for fault in spec.faults],
             "contacts": [contacts_of(org) for org in spec.orgs]}
    path = prebuilt_path(name)
    with path.open("wb") as file:
        for part in (_stamp(root, names), ready, _spec_stamp(VERSION, type(spec)), spec):
            pickle.dump(part, file, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def _stamp(root: Path, sources: Sequence[str]) -> dict[str, Any]:
    """What the pickled parts depend on beyond their own bytes: among them the code of this
    package (models, defaults, validators, the YAML reading, the blueprints made from a spec),
    so that a checkout whose scenario code changed since the form was written reads the YAML
    instead of a stale form."""
    return {
        "format": FORMAT,
        "code": {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
                 for path in sorted(_HERE.glob("*.py"))},
        "sources": {name: hashlib.sha256((root / name).read_bytes()).hexdigest()
                    for name in sources},
    }


def _spec_stamp(version: str, model: type[BaseModel]) -> dict[str, Any]:
    """What the pickled spec depends on besides: pydantic's version and the model's shape."""
    return {"pydantic": version, "shape": sorted(_shape(model))}


def _shape(model: type[BaseModel]) -> set[tuple[str, tuple[str, ...]]]:
    """Each model of the scenario and its field names: a field added or renamed since the
    form was written makes it stale (changes of meaning are for the test to catch)."""
    found: set[tuple[str, tuple[str, ...]]] = set()
    todo = [model]
    while todo:
        current = todo.pop()
        entry = (current.__name__, tuple(current.model_fields))
        if entry in found:
            continue
        found.add(entry)
        for field in current.model_fields.values():
            todo.extend(_models_in(field.annotation))
    return found


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    from pydantic import BaseModel  # loaded with the spec already

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for argument in typing.get_args(annotation):
        yield from _models_in(argument)
