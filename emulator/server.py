"""Running the app under uvicorn on a socket we bind ourselves (so port 0 can be reported), with
request deadlines and a connection cap (emulator/connections.py) and a bounded graceful stop.

uvicorn is used through its public surface only: `Config`, `Server.serve`, `started`,
`should_exit`. Its own signal handling re-raises SIGTERM after a clean stop (exit 143) and waits
without a bound for a stalled connection, so the server runs on a thread of its own, where
uvicorn installs no signal handlers, and the stop is ours: the first stop request (a signal, or
`request_stop()`) closes the listening socket and lets requests in flight finish for the grace,
then closes what is left; a second cuts the grace short. The process exits 0 either way."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import signal
import socket
import sys
import threading
from collections.abc import Callable
from types import FrameType

import uvicorn
from starlette.applications import Starlette
from starlette.types import ASGIApp

from emulator.accesslog import AccessLog
from emulator.app import stopping
from emulator.connections import ConnectionGuard, ConnectionLimits, uvicorn_protocol
from emulator.logformat import FIELDS
from emulator.settings import Settings

if sys.platform != "win32":
    import resource

log = logging.getLogger("emulator")
# File descriptors beyond the connection cap: the listening socket, logs, scenario files.
SPARE_DESCRIPTORS = 64

# The signals that stop the server (add one here to stop on it too). SIGHUP (a closed
# terminal, a dropped SSH session) stops like SIGTERM, where there is one.
STOP_SIGNALS: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
DRAIN_POLL_SECONDS = 0.05
# After the grace: how long cancelled requests may take to end.
FORCE_SECONDS = 1.0
# uvicorn closes the listening socket at its next tick (every 0.1 s): the longest wait for it.
LISTENER_CLOSE_SECONDS = 1.0
# How often the main thread wakes while the server thread runs (signal handlers run then).
JOIN_POLL_SECONDS = 0.2


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def ensure_descriptors(max_connections: int) -> None:
    """Raise the soft limit on open files to fit the cap, as far as the hard limit allows:
    past it, accept() fails and clients see resets with no answer at all."""
    if sys.platform == "win32":
        return
    needed = max_connections + SPARE_DESCRIPTORS
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return
    wanted = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if wanted > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    if wanted < needed:
        log.warning("only %d open files are allowed (ulimit -n): fewer connections than the "
                    "cap of %d can be served", wanted, max_connections)


class EmulatorServer:
    """uvicorn behind our connection guard, stopped our way (see the module docstring)."""

    def __init__(self, app: ASGIApp, settings: Settings, *, access_log: bool,
                 log_level: str, on_stopping: Callable[[], None] | None = None) -> None:
        self.grace = settings.shutdown_grace
        # Told first when a stop starts, before the drain: ends what would otherwise hold it
        # open (the emulator's event streams and waiting outbox reads).
        self.on_stopping = on_stopping
        self.guard = ConnectionGuard(ConnectionLimits(
            settings.max_connections, settings.header_timeout, settings.body_timeout))
        served = self.guard.asgi(AccessLog(app) if access_log else app)
        # uvicorn's own bound on the stop is a backstop behind ours (grace, then the cut).
        config = uvicorn.Config(served, access_log=False, log_config=None, log_level=log_level,
                                lifespan="on", http=self.guard.protocol_class(uvicorn_protocol()),
                                ws="none", server_header=False, date_header=False,
                                proxy_headers=False,
                                timeout_graceful_shutdown=math.ceil(self.grace + 2 * FORCE_SECONDS))
        self.uvicorn = uvicorn.Server(config)
        self.loop: asyncio.AbstractEventLoop | None = None
        self._socket: socket.socket | None = None
        self._stopping = False
        self._cut = False
        # Called on the loop at the first stop request, before the drain reads `grace` (the
        # command fits the grace to its stop budget there: emulator/launch.py).
        self.before_drain: Callable[[], None] | None = None

    @property
    def started(self) -> bool:
        return self.uvicorn.started

    def serve(self, sock: socket.socket,
              on_loop: Callable[[asyncio.AbstractEventLoop], None] | None = None) -> None:
        """Serve on the calling thread (not the main one: see `run`) until stopped; `on_loop`
        is told the event loop before anything is served."""
        self._socket = sock
        with asyncio.Runner(loop_factory=self.uvicorn.config.get_loop_factory()) as runner:
            self.loop = runner.get_loop()
            if on_loop is not None:
                on_loop(self.loop)
            runner.run(self.uvicorn.serve(sockets=[sock]))

    def run(self, sockets: list[socket.socket]) -> None:
        """The command line: serve on a thread while this (main) thread takes the stop signals
        and hands them to `request_stop`. What ends the server thread (uvicorn's SystemExit
        when the app fails to start) is raised here."""
        [sock] = sockets
        if threading.current_thread() is not threading.main_thread():
            self.serve(sock)  # signals reach the main thread only: stop with request_stop()
            return
        ended: list[BaseException] = []

        def serving() -> None:
            try:
                self.serve(sock)
            except BaseException as error:  # re-raised on the main thread below
                ended.append(error)

        thread = threading.Thread(target=serving, name="invent-emulator-server")
        previous = {sig: signal.signal(sig, self._on_signal) for sig in STOP_SIGNALS}
        try:
            thread.start()
            while thread.is_alive():
                thread.join(JOIN_POLL_SECONDS)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if ended:
            raise ended[0]

    def _on_signal(self, sig: int, frame: FrameType | None) -> None:
        self.request_stop()

    def request_stop(self) -> None:
        """From any thread: the first call stops accepting and drains for the grace, a second
        cuts the grace short."""
        loop = self.loop
        if loop is None:
            self.uvicorn.should_exit = True  # not serving yet: uvicorn stops once started
            return
        with contextlib.suppress(RuntimeError):  # the loop has closed: stopped already
            loop.call_soon_threadsafe(self._stop)

    def _stop(self) -> None:
        if self._stopping:
            self._close_the_rest("a second signal")
            return
        self._stopping = True
        if self.on_stopping is not None:
            self.on_stopping()
        self.uvicorn.should_exit = True
        if self.before_drain is not None:
            self.before_drain()
        asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        until = loop.time() + LISTENER_CLOSE_SECONDS
        while self._socket is not None and self._socket.fileno() != -1 and loop.time() < until:
            await asyncio.sleep(0.01)  # uvicorn closes it: no new connections from here on
        guard = self.guard
        log.info("stopping: %d connection(s) open, up to %g s to finish", len(guard.open),
                 self.grace, extra={FIELDS: {"event": "stopping", "connections": len(guard.open)}})
        deadline = loop.time() + self.grace
        while (guard.open or guard.requests) and not self._cut:
            if loop.time() >= deadline:
                self._close_the_rest(f"the {self.grace:g} s grace ran out")
                return
            await asyncio.sleep(DRAIN_POLL_SECONDS)

    def _close_the_rest(self, why: str) -> None:
        if self._cut:
            return
        self._cut = True
        guard = self.guard
        log.warning("%s: closing %d connection(s), cancelling %d request(s)", why,
                    len(guard.open), len(guard.requests),
                    extra={FIELDS: {"event": "forced", "connections": len(guard.open),
                                    "requests": len(guard.requests)}})
        guard.close_all()
        for task in list(guard.requests):
            task.cancel()


class _HideCancelled(logging.Filter):
    """A request cancelled by the forced stop is expected, not an "Exception in ASGI
    application" with a traceback (the stop logs one line for all of them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, asyncio.CancelledError)


def make_server(app: ASGIApp, *, access_log: bool, log_level: str,
                settings: Settings | None = None) -> EmulatorServer:
    """uvicorn logs through the root logger (see logformat.py); its own slow access log stays
    off and AccessLog writes one line per request instead."""
    uvicorn_log = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _HideCancelled) for f in uvicorn_log.filters):
        uvicorn_log.addFilter(_HideCancelled())
    # Only an emulator app has streams to end; the tests serve other apps too.
    on_stopping = (lambda: stopping(app)) if isinstance(app, Starlette) else None
    return EmulatorServer(app, settings or Settings(), access_log=access_log,
                          log_level=log_level, on_stopping=on_stopping)
