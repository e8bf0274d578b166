"""invent-emulator: a local, in-memory emulator of the Invent Broadcasts HTTP API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# The one place the version is written: pyproject.toml reads it from here ([tool.hatch.version]),
# so start-up never imports importlib.metadata (tens of milliseconds) just to learn it.
__version__ = "0.1.0"

if TYPE_CHECKING:
    from emulator.app import create_app
    from emulator.settings import Settings

__all__ = ["Settings", "__version__", "create_app"]


def __getattr__(name: str) -> Any:
    # Loaded on first use: the pytest plugin imports this package in every pytest run of a
    # project that has it installed, and the app costs a good part of a second to import.
    if name == "create_app":
        from emulator.app import create_app

        return create_app
    if name == "Settings":
        from emulator.settings import Settings

        return Settings
    raise AttributeError(f"module 'emulator' has no attribute {name!r}")
