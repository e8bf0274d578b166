"""Testing support: the pytest plugin (`invent_emulator`, `invent`), a threaded server and an
in-process transport, usable without pytest too."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from emulator.testing.facade import EmulatorHandle, InventOrg
    from emulator.testing.inprocess import InProcessTransport
    from emulator.testing.threaded import ThreadedServer

__all__ = ["EmulatorHandle", "InProcessTransport", "InventOrg", "ThreadedServer"]

_HOMES = {
    "EmulatorHandle": "emulator.testing.facade",
    "InventOrg": "emulator.testing.facade",
    "InProcessTransport": "emulator.testing.inprocess",
    "ThreadedServer": "emulator.testing.threaded",
}


def __getattr__(name: str) -> Any:
    # Loaded on first use, so importing the pytest plugin stays cheap (see emulator/__init__).
    if name in _HOMES:
        import importlib

        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'emulator.testing' has no attribute {name!r}")
