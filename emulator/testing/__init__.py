"""Testing support: the pytest plugin (`invent_emulator`, `invent`, `invent_intercept`), an
emulator for unittest suites and scripts (`running`), interception of the real API host
(`intercept`), a threaded server and in-process transports, usable without pytest too; and the
`VirtualClock` a test hands to `create_app(clock=...)` to move time itself. `__all__` is the
public API of this package (docs/architecture.md, "Public API")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from emulator.support.lazynames import lazy_names

if TYPE_CHECKING:
    from emulator.support.clock import VirtualClock
    from emulator.testing.facade import EmulatorHandle, InventOrg
    from emulator.testing.inprocess import (
        AsyncInProcessTransport,
        InProcessTransport,
        OffloadedTransport,
    )
    from emulator.testing.interception import BlockedRequestError, Interception, intercept
    from emulator.testing.launch import running
    from emulator.testing.threaded import ThreadedServer

__all__ = ["AsyncInProcessTransport", "BlockedRequestError", "EmulatorHandle",
           "InProcessTransport", "Interception", "InventOrg", "OffloadedTransport",
           "ThreadedServer", "VirtualClock", "intercept", "running"]

# Loaded on first use, so importing the pytest plugin stays cheap (see emulator/__init__).
__getattr__ = lazy_names(__name__, {
    "EmulatorHandle": "emulator.testing.facade",
    "InventOrg": "emulator.testing.facade",
    "AsyncInProcessTransport": "emulator.testing.inprocess",
    "InProcessTransport": "emulator.testing.inprocess",
    "OffloadedTransport": "emulator.testing.inprocess",
    "BlockedRequestError": "emulator.testing.interception",
    "Interception": "emulator.testing.interception",
    "intercept": "emulator.testing.interception",
    "running": "emulator.testing.launch",
    "ThreadedServer": "emulator.testing.threaded",
    "VirtualClock": "emulator.support.clock",
})
