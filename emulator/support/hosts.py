"""Which host names are this machine's own (loopback), for the control guard and interception."""

from __future__ import annotations

import ipaddress


def is_loopback(name: str) -> bool:
    """`localhost` (and `*.localhost`), any 127.x address and ::1, with or without brackets."""
    name = name.strip("[]").lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False
