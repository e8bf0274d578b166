"""Running the app under uvicorn on a socket we bind ourselves (so port 0 can be reported)."""

from __future__ import annotations

import contextlib
import signal
import socket
import threading
from collections.abc import Generator

import uvicorn
from starlette.applications import Starlette

_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


class QuietServer(uvicorn.Server):
    """uvicorn re-raises SIGTERM after a clean shutdown (exit 143); a stopped emulator exits 0."""

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


def make_server(app: Starlette, *, access_log: bool, log_level: str) -> QuietServer:
    config = uvicorn.Config(app, access_log=access_log, log_level=log_level, lifespan="on",
                            server_header=False, date_header=False)
    return QuietServer(config)
