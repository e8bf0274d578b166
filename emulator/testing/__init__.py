"""Testing support: the pytest plugin (`invent_emulator`, `invent`), a threaded server and an
in-process transport, usable without pytest too."""

from emulator.testing.facade import EmulatorHandle, InventOrg
from emulator.testing.inprocess import InProcessTransport
from emulator.testing.threaded import ThreadedServer

__all__ = ["EmulatorHandle", "InProcessTransport", "InventOrg", "ThreadedServer"]
