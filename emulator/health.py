"""`invent-emulator health`: exit 0 only when the emulator the settings point at answers
`/_emulator/health` with 200 in time. Standard library only (no app, no httpx), so a container
HEALTHCHECK that runs it every second stays cheap and needs no curl in the image."""

from __future__ import annotations

import http.client

from emulator import paths

HEALTH_PATH = paths.HEALTH
DEFAULT_TIMEOUT = 2.0
# A server bound to every interface is asked on loopback.
_WILDCARDS = {"0.0.0.0": "127.0.0.1", "::": "::1", "[::]": "::1"}


def probe_host(host: str) -> str:
    return _WILDCARDS.get(host, host.strip("[]"))


def check(host: str, port: int, timeout: float = DEFAULT_TIMEOUT) -> str | None:
    """None when healthy, otherwise why not (one line)."""
    target = probe_host(host)
    # The port is passed apart: HTTPConnection would read "::1" as host ":" and port 1.
    connection = http.client.HTTPConnection(target, port, timeout=timeout)
    try:
        connection.request("GET", HEALTH_PATH, headers={"Connection": "close"})
        response = connection.getresponse()
        response.read(4096)
    except (OSError, http.client.HTTPException) as error:
        return f"{_url(target, port)} did not answer: {error or type(error).__name__}"
    finally:
        connection.close()
    if response.status != 200:
        return f"{_url(target, port)} answered {response.status}"
    return None


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}{HEALTH_PATH}"
