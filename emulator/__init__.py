"""invent-emulator: a local, in-memory emulator of the Invent Broadcasts HTTP API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    __version__: str
    from emulator.app import create_app
    from emulator.settings import Settings

__all__ = ["Settings", "__version__", "create_app"]


def __getattr__(name: str) -> Any:
    # Loaded on first use: the pytest plugin imports this package in every pytest run of a
    # project that has it installed, and the app costs a good part of a second to import.
    if name == "create_app":
        from emulator.app import create_app

        return create_app
    if name == "__version__":
        # Also on first use: reading package metadata costs more than the rest of
        # `invent-emulator health`, which a container runs every second.
        from emulator.support.version import __version__

        return __version__
    if name == "Settings":
        from emulator.settings import Settings

        return Settings
    raise AttributeError(f"module 'emulator' has no attribute {name!r}")
