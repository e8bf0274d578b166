"""The emulator on a free loopback port in a background thread, started and stopped with
deadlines so a broken start can never hang a test session. Its event loop is reachable without
the socket too (`bridge`), for interception and async clients in this process."""

from __future__ import annotations

import asyncio
import socket
import threading
import time

from starlette.applications import Starlette

from emulator.server import bind, make_server
from emulator.testing.bridge import AppBridge

START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0


class ThreadedServer:
    def __init__(self, app: Starlette, host: str = "127.0.0.1") -> None:
        self.app = app
        self.host = host
        self._server = make_server(app, access_log=False, log_level="warning")
        self._thread: threading.Thread | None = None
        self.url = ""
        self.bridge: AppBridge | None = None

    def start(self) -> ThreadedServer:
        sock = bind(self.host, 0)
        port = sock.getsockname()[1]
        self.url = f"http://{self.host}:{port}"
        self._thread = threading.Thread(target=self._run, args=(sock,),
                                        name="invent-emulator", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the emulator thread stopped while starting")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the emulator did not start within {START_TIMEOUT} s")
            time.sleep(0.005)
        return self

    def _run(self, sock: socket.socket) -> None:
        self._server.serve(sock, on_loop=self._keep_loop)

    def _keep_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        self.bridge = AppBridge(self.app, loop)

    def stop(self) -> None:
        if self._thread is None:
            return
        self._server.request_stop()
        self._thread.join(STOP_TIMEOUT)
        if self._thread.is_alive():
            self._server.request_stop()  # the second request cuts the grace short
            self._thread.join(STOP_TIMEOUT)
        self._thread = None
