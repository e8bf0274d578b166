"""Running the app under uvicorn on a socket we bind ourselves (so port 0 can be reported), with
request deadlines, a connection cap and a bounded graceful shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import threading
from collections.abc import Callable, Generator
from types import FrameType

import uvicorn
from starlette.applications import Starlette
from starlette.types import ASGIApp

from emulator.accesslog import AccessLog
from emulator.app import stopping
from emulator.connections import ConnectionLimits, guarded_protocol
from emulator.logformat import FIELDS
from emulator.settings import Settings

log = logging.getLogger("emulator")

_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
DRAIN_POLL_SECONDS = 0.05
# After the grace: how long cancelled requests and the app's own shutdown may take.
FORCE_SECONDS = 1.0


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


class QuietServer(uvicorn.Server):
    """uvicorn re-raises SIGTERM after a clean shutdown (exit 143) and can wait forever for a
    stalled connection; here a stop signal drains for `grace` seconds, then closes what is left,
    and the process exits 0 either way. A second signal skips the rest of the grace."""

    def __init__(self, config: uvicorn.Config, grace: float,
                 on_stopping: Callable[[], None] | None = None) -> None:
        super().__init__(config)
        self.grace = grace
        self.on_stopping = on_stopping

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in _STOP_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.should_exit:
            self.force_exit = True
        self.should_exit = True

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        state = self.server_state
        for server in self.servers:
            server.close()
        if self.on_stopping is not None:
            self.on_stopping()
        for connection in list(state.connections):
            connection.shutdown()  # idle ones close now, busy ones after their answer
        log.info("stopping: %d connection(s) open, up to %g s to finish", len(state.connections),
                 self.grace, extra={FIELDS: {"event": "stopping",
                                             "connections": len(state.connections)}})
        if not await self._drained():
            await self._close_the_rest()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.lifespan.shutdown(), FORCE_SECONDS)

    async def _drained(self) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.grace
        state = self.server_state
        while (state.connections or state.tasks) and not self.force_exit:
            if loop.time() >= deadline:
                return False
            await asyncio.sleep(DRAIN_POLL_SECONDS)
        return not (state.connections or state.tasks)

    async def _close_the_rest(self) -> None:
        state = self.server_state
        why = "a second signal" if self.force_exit else f"the {self.grace:g} s grace ran out"
        log.warning("%s: closing %d connection(s), cancelling %d request(s)", why,
                    len(state.connections), len(state.tasks),
                    extra={FIELDS: {"event": "forced", "connections": len(state.connections),
                                    "requests": len(state.tasks)}})
        for connection in list(state.connections):
            connection.transport.abort()
        tasks = list(state.tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=FORCE_SECONDS)


class _HideCancelled(logging.Filter):
    """A request cancelled by the forced shutdown is expected, not an "Exception in ASGI
    application" with a traceback (the shutdown logs one line for all of them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, asyncio.CancelledError)


def make_server(app: ASGIApp, *, access_log: bool, log_level: str,
                settings: Settings | None = None) -> QuietServer:
    """uvicorn logs through the root logger (see logformat.py); its own slow access log stays
    off and AccessLog writes one line per request instead."""
    settings = settings or Settings()
    limits = ConnectionLimits(settings.max_connections, settings.header_timeout,
                              settings.body_timeout)
    uvicorn_log = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _HideCancelled) for f in uvicorn_log.filters):
        uvicorn_log.addFilter(_HideCancelled())
    config = uvicorn.Config(AccessLog(app) if access_log else app, access_log=False,
                            log_config=None, log_level=log_level, lifespan="on",
                            http=guarded_protocol(limits), server_header=False,
                            date_header=False)
    # Only an emulator app has streams to end; the tests serve other apps too.
    on_stopping = (lambda: stopping(app)) if isinstance(app, Starlette) else None
    return QuietServer(config, settings.shutdown_grace, on_stopping)
