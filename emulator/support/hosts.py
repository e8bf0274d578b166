"""Which host names are this machine's own (loopback), for the control guard and interception."""

from __future__ import annotations

import ipaddress


def canonical_host(name: str) -> str:
    """One spelling per host: lower case, without brackets or the trailing dot of the fully
    qualified form (`API.useinvent.com.` is `api.useinvent.com`)."""
    return name.strip().strip("[]").lower().rstrip(".")


def is_loopback(name: str) -> bool:
    """`localhost` (and `*.localhost`), any 127.x address and ::1, with or without brackets."""
    name = canonical_host(name)
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False
