"""invent-emulator: a local, in-memory emulator of the Invent Broadcasts HTTP API.

The public API is what `__all__` lists here and in `emulator.testing` (docs/architecture.md,
"Public API"); every other module is internal and may change without notice."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    __version__: str
    from emulator.app import create_app
    from emulator.scenario.load import load_scenario_file, load_scenario_text
    from emulator.scenario.problems import ScenarioError
    from emulator.settings import Settings

__all__ = ["ScenarioError", "Settings", "__version__", "create_app", "load_scenario_file",
           "load_scenario_text"]

# Where each lazily loaded public name lives.
_HOMES = {
    "create_app": "emulator.app",
    "Settings": "emulator.settings",
    "load_scenario_file": "emulator.scenario.load",
    "load_scenario_text": "emulator.scenario.load",
    "ScenarioError": "emulator.scenario.problems",
}


def __getattr__(name: str) -> Any:
    # Loaded on first use: the pytest plugin imports this package in every pytest run of a
    # project that has it installed, and the app costs a good part of a second to import.
    if name in _HOMES:
        import importlib

        return getattr(importlib.import_module(_HOMES[name]), name)
    if name == "__version__":
        # Also on first use: reading package metadata costs more than the rest of
        # `invent-emulator health`, which a container runs every second.
        from emulator.support.version import __version__

        return __version__
    raise AttributeError(f"module 'emulator' has no attribute {name!r}")
