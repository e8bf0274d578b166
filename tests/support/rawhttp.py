"""Reading one HTTP/1.1 message off a raw socket, for the tests that speak HTTP by hand (the
connection deadlines, the misbehaving webhook receivers)."""

from __future__ import annotations

import socket


def read_message(sock: socket.socket) -> tuple[bytes, bool]:
    """One message: its head and Content-Length bytes of body, which may arrive in separate
    segments (so the next message is never read from mid-body). Answers the bytes read and
    whether the message came whole (False: the peer closed the connection first)."""
    raw = b""
    while b"\r\n\r\n" not in raw:
        chunk = sock.recv(65536)
        if not chunk:
            return raw, False
        raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            return head + b"\r\n\r\n" + body, False
        body += chunk
    return head + b"\r\n\r\n" + body, True
