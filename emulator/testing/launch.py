"""An emulator in this process for as long as a `with` block lasts: what the pytest plugin's
session fixture runs, and what unittest suites and scripts use directly."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from emulator.app import create_app
from emulator.settings import Settings
from emulator.testing.facade import EmulatorHandle
from emulator.testing.inprocess import InProcessTransport
from emulator.testing.threaded import ThreadedServer

Mode = Literal["thread", "inprocess"]
MODES: tuple[Mode, ...] = ("thread", "inprocess")
# Never resolved: in-process clients reach the app through their transport.
IN_PROCESS_URL = "http://invent-emulator.inprocess"


@contextlib.contextmanager
def running(scenario: str | Path = "default", mode: Mode = "thread") -> Iterator[EmulatorHandle]:
    """An emulator loaded with `scenario` (a file or a bundled scenario's name): in a thread on
    a free loopback port, or in-process with no socket (hand `transport` to your client). The
    handle gives `new_org()` (an isolated org with `messages()`, `assert_sent()` …), `client()`,
    `reset()`; everything stops when the block ends, however it ends."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    app = create_app(Settings(scenario=str(scenario)))
    if mode == "inprocess":
        transport = InProcessTransport(app)
        try:
            handle = EmulatorHandle(IN_PROCESS_URL, transport, app.state.errors,
                                    bridge=transport.bridge)
            with contextlib.closing(handle):
                yield handle
        finally:
            transport.shutdown()
        return
    server = ThreadedServer(app).start()
    try:
        handle = EmulatorHandle(server.url, errors=app.state.errors, bridge=server.bridge)
        with contextlib.closing(handle):
            yield handle
    finally:
        server.stop()
