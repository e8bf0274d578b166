"""invent-emulator: a local, in-memory emulator of the Invent Broadcasts HTTP API.

The public API is what `__all__` lists here and in `emulator.testing` (docs/architecture.md,
"Public API"); every other module is internal and may change without notice."""

from __future__ import annotations

from typing import TYPE_CHECKING

from emulator.support.lazynames import lazy_names

if TYPE_CHECKING:
    __version__: str
    from emulator.app import create_app
    from emulator.scenario.load import load_scenario_file, load_scenario_text
    from emulator.scenario.problems import ScenarioError
    from emulator.settings import Settings

__all__ = ["ScenarioError", "Settings", "__version__", "create_app", "load_scenario_file",
           "load_scenario_text"]

# Where each public name lives, loaded on first use: the app costs a good part of a second to
# import, and reading the package metadata for `__version__` more than the rest of
# `invent-emulator health`, which a container runs every second.
__getattr__ = lazy_names(__name__, {
    "create_app": "emulator.app",
    "Settings": "emulator.settings",
    "load_scenario_file": "emulator.scenario.load",
    "load_scenario_text": "emulator.scenario.load",
    "ScenarioError": "emulator.scenario.problems",
    "__version__": "emulator.support.version",
})
