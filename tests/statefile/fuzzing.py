"""Single-field mutations of a real state file, as a hand edit would make them: every leaf of
the document (deterministically thinned) replaced by values of the wrong size, type or range."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

TIMES = ("9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+00:00", "2026-13-01T00:00:00",
         "2026-01-05T09:00:00")  # the last one naive
NUMBERS: tuple[Any, ...] = (1e30, -1, 10**30, 0.5, True, "7")
STRINGS: tuple[Any, ...] = ("nope", "", 5, None, [], *TIMES)
OTHERS: tuple[Any, ...] = ("nope", 1e30, None, [], {})

Path = tuple[str | int, ...]


def leaves(value: Any, path: Path = ()) -> Iterator[Path]:
    if isinstance(value, dict):
        if not value:
            yield path
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list):
        if not value:
            yield path
        for index, item in enumerate(value):
            yield from leaves(item, (*path, index))
    else:
        yield path


def replacements(old: Any) -> tuple[Any, ...]:
    if isinstance(old, bool):
        return ("yes", None, 2)
    if isinstance(old, int | float):
        return NUMBERS
    if isinstance(old, str):
        return STRINGS
    return OTHERS


def mutations(document: dict[str, Any], count: int, seed: int = 18) -> list[tuple[str, bytes]]:
    """`count` mutated documents, each (a label naming the field and the value, its JSON)."""
    chooser = random.Random(seed)
    # Leaves grouped by their shape (indices as `*`), a shape picked first: the 625 numbers of
    # a random-generator state count as one field, like a clock.
    shapes: dict[tuple[str | int, ...], list[Path]] = {}
    for path in leaves(document):
        if path[:1] != ("records",):
            shape = tuple("*" if isinstance(step, int) else step for step in path)
            shapes.setdefault(shape, []).append(path)
    groups = list(shapes.values())
    chosen = []
    for _ in range(count):
        path = chooser.choice(chooser.choice(groups))
        new = chooser.choice(replacements(_get(document, path)))
        chosen.append((path, new))
    out = []
    for path, new in chosen:
        copy = json.loads(json.dumps(document))
        _set(copy, path, new)
        label = "/".join(map(str, path)) + f" = {new!r}"
        out.append((label, json.dumps(copy).encode()))
    return out


def _get(document: Any, path: Path) -> Any:
    for step in path:
        document = document[step]
    return document


def _set(document: Any, path: Path, value: Any) -> None:
    if not path:
        return
    _get(document, path[:-1])[path[-1]] = value
