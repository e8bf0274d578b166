"""A bundled scenario in pre-validated form, so that `invent-emulator serve` with the bundled
default starts without PyYAML and without compiling the scenario model's validator (together
about a third of the start-up's own CPU).

The form is the `ScenarioSpec` that validating the YAML gives, pickled (unpickling a pydantic
model sets its fields without validating), after a stamp: the files it was read from with
their SHA-256, their size, the pydantic version and the scenario model's shape. It is used only
while the stamp holds and the scenario is within the limits; anything else, and the YAML is
read and validated as for any file, with the same errors. `tests/scenario/test_prebuilt.py`
keeps the checked-in form equal to what validating the YAML gives; `write_prebuilt` (through
`emulator.scenario.load.prebuild`) rewrites it."""

from __future__ import annotations

import hashlib
import pickle
import typing
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.version import VERSION as PYDANTIC_VERSION

from emulator.scenario.limits import ScenarioLimits, check_limits, include_bytes_problem
from emulator.scenario.schema import ScenarioSpec

# Bumped whenever what the file holds changes meaning.
FORMAT = 1
_HERE = Path(__file__).resolve().parent


def prebuilt_path(name: str) -> Path:
    """Where the pre-validated form of the bundled scenario `name` is kept."""
    return _HERE / f"{name}.prebuilt.pickle"


def read_prebuilt(name: str, root: Path, limits: ScenarioLimits) -> ScenarioSpec | None:
    """The bundled scenario `name` (its files under `root`), or None when its pre-validated
    form is missing, stale or over `limits` (the caller then reads the YAML)."""
    try:
        with prebuilt_path(name).open("rb") as file:
            stamp = pickle.load(file)
            sources = list(stamp["sources"])
            if stamp != _stamp(root, sources):
                return None
            spec = pickle.load(file)
        size = sum((root / source).stat().st_size for source in sources)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, KeyError,
            TypeError, ValueError):
        return None  # missing or unreadable: the YAML says the same, more slowly
    if not isinstance(spec, ScenarioSpec):
        return None
    if include_bytes_problem(size, limits) or next(check_limits(spec, limits), None):
        return None  # the YAML's own reading gives the error, with its line and column
    return spec


def write_prebuilt(name: str, root: Path, spec: ScenarioSpec, sources: Sequence[Path]) -> Path:
    """Write the pre-validated form of `spec`, read from `sources` (files under `root`)."""
    names = [source.resolve().relative_to(root.resolve()).as_posix() for source in sources]
    path = prebuilt_path(name)
    with path.open("wb") as file:
        pickle.dump(_stamp(root, names), file, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump(spec, file, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def _stamp(root: Path, sources: Sequence[str]) -> dict[str, Any]:
    """What the pickled spec depends on beyond its own bytes: among them the code of this
    package (models, defaults, validators, the YAML reading), so that a checkout whose scenario
    code changed since the form was written reads the YAML instead of a stale spec."""
    return {
        "format": FORMAT,
        "pydantic": PYDANTIC_VERSION,
        "code": {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
                 for path in sorted(_HERE.glob("*.py"))},
        "shape": sorted(_shape(ScenarioSpec)),
        "sources": {name: hashlib.sha256((root / name).read_bytes()).hexdigest()
                    for name in sources},
    }


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
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for argument in typing.get_args(annotation):
        yield from _models_in(argument)
