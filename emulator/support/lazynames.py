"""A package's public names loaded on first use (a module `__getattr__`, PEP 562): importing the
package costs only what its user touches. The pytest plugin imports `emulator` in every pytest
run of a project that has it installed, and an emulator without a state file never needs the
state file's code."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(package: str, homes: Mapping[str, str]) -> Callable[[str], Any]:
    """The `__getattr__` of `package`: each name in `homes` read from the module named there."""

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(home), name)

    return __getattr__
