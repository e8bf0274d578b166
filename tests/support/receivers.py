"""Webhook receivers that misbehave, on a loopback socket of their own: one that trickles its
answer a byte at a time, one whose chunked answer never ends, one that never answers, one that
redirects. Each serves every connection on a thread until closed."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

from support.rawhttp import read_message

TRICKLE = "trickle"   # the status line, one byte every TRICKLE_SECONDS, forever
ENDLESS = "endless"   # 200, chunked, chunks as fast as the socket takes them, forever
SILENT = "silent"     # reads the request, answers nothing, holds the connection
REDIRECT = "redirect"  # 302 to LOCATION
HEALTHY = "healthy"   # 204 at once
MODES = (TRICKLE, ENDLESS, SILENT, REDIRECT, HEALTHY)
TRICKLE_SECONDS = 0.2
LOCATION = "http://127.0.0.1:9/elsewhere"
# How long a held connection lives at most (so a test that fails never leaks threads for long).
HOLD_SECONDS = 30.0


class HostileReceiver:
    def __init__(self, mode: str) -> None:
        assert mode in MODES, mode
        self.mode = mode
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._closed = threading.Event()
        self.requests = 0
        self.bytes_sent = 0
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}/hooks"

    def __enter__(self) -> HostileReceiver:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._closed.set()
        self._sock.close()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(HOLD_SECONDS)
            try:
                while read_message(conn)[1]:
                    with self._lock:
                        self.requests += 1
                    if not self._answer(conn):
                        return
            except OSError:
                return

    def _send(self, conn: socket.socket, data: bytes) -> None:
        conn.sendall(data)
        with self._lock:
            self.bytes_sent += len(data)

    def _answer(self, conn: socket.socket) -> bool:
        """Answers one request; False when the connection is done."""
        deadline = time.monotonic() + HOLD_SECONDS
        if self.mode == HEALTHY:
            self._send(conn, b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
            return True
        if self.mode == REDIRECT:
            self._send(conn, f"HTTP/1.1 302 Found\r\nLocation: {LOCATION}\r\n"
                       "Content-Length: 0\r\n\r\n".encode())
            return True
        if self.mode == SILENT:
            self._closed.wait(HOLD_SECONDS)
            return False
        if self.mode == TRICKLE:
            for byte in (b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"x" * 100000):
                if self._closed.is_set() or time.monotonic() > deadline:
                    return False
                self._send(conn, bytes([byte]))
                time.sleep(TRICKLE_SECONDS)
            return False
        self._send(conn, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"%x\r\n%s\r\n" % (16384, b"x" * 16384)
        while not self._closed.is_set() and time.monotonic() < deadline:
            self._send(conn, chunk)
        return False
