"""The soak's misbehaving webhook receivers, on 127.0.0.1 in threads of their own: one trickles
its answer a byte at a time, one streams a chunked answer that never ends, one reads the request
and never answers. Each records how long the emulator held each attempt open, and how many
bytes it managed to send, so the soak can report that no attempt outlived its deadline.
(tests/support/receivers.py has the same kinds for the tests; bench and tests share no code.)"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from types import TracebackType

TRICKLE, ENDLESS, SILENT = "trickle", "endless", "silent"
KINDS = (TRICKLE, ENDLESS, SILENT)
TRICKLE_SECONDS = 0.2
HOLD_SECONDS = 60.0  # a held connection is given up after this, whatever the emulator does


class HostileReceiver:
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._closed = threading.Event()
        self._lock = threading.Lock()
        self.attempts = 0
        self.longest_hold = 0.0  # seconds from a request's arrival until the emulator hung up
        self.bytes_sent = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}/hooks"

    def __enter__(self) -> HostileReceiver:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._closed.set()
        self._sock.close()

    def report(self) -> dict[str, float | int]:
        with self._lock:
            return {"attempts": self.attempts, "longest_hold_s": round(self.longest_hold, 2),
                    "bytes_sent": self.bytes_sent}

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
            raw = b""
            try:
                while b"\r\n\r\n" not in raw:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    raw += chunk
            except OSError:
                return
            started = time.monotonic()
            with self._lock:
                self.attempts += 1
            with contextlib.suppress(OSError):  # the emulator hung up: what we want to see
                self._answer(conn, started)
            held = time.monotonic() - started
            with self._lock:
                self.longest_hold = max(self.longest_hold, held)

    def _answer(self, conn: socket.socket, started: float) -> None:
        if self.kind == SILENT:
            while conn.recv(65536):  # until the emulator hangs up
                pass
            return
        if self.kind == TRICKLE:
            for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n" + b"x" * 1_000_000:
                if time.monotonic() - started > HOLD_SECONDS:
                    return
                self._send(conn, bytes([byte]))
                time.sleep(TRICKLE_SECONDS)
            return
        self._send(conn, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"%x\r\n%s\r\n" % (16384, b"x" * 16384)
        while time.monotonic() - started < HOLD_SECONDS:
            self._send(conn, chunk)

    def _send(self, conn: socket.socket, data: bytes) -> None:
        conn.sendall(data)
        with self._lock:
            self.bytes_sent += len(data)
