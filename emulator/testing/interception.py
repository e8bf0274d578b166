"""Interception: while active, every request made through httpx, `requests` or aiohttp to the
Invent API host goes to one emulator org instead, whatever org id and API key the code under
test sends, with no socket when the emulator lives in this process.

Routing: `/orgs/<any id>/…` goes to the test's org (`c` stays `c`: the key decides), unless that
id was given its own org with `route_org`; a Bearer key becomes the key of the org routed to (a
missing Authorization header stays missing, so the emulator answers 401 as the real API would)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Protocol
from urllib.parse import unquote

import httpx

from emulator.support.hosts import canonical_host, is_loopback
from emulator.testing.inprocess import OffloadedTransport
from emulator.testing.patching import patched

if TYPE_CHECKING:
    from emulator.testing.bridge import AppBridge

DEFAULT_HOST = "api.useinvent.com"
_ORG_PATH = re.compile(rb"^/orgs/([^/?]+)")
_BEARER = re.compile(r"^bearer\s", re.IGNORECASE)


class _Emulator(Protocol):
    @property
    def bridge(self) -> AppBridge | None: ...


class InventOrg(Protocol):
    """What interception needs of a test's org (emulator/testing/facade.py has the class)."""

    @property
    def org_id(self) -> str: ...

    @property
    def api_key(self) -> str: ...

    @property
    def url(self) -> str: ...

    @property
    def emulator(self) -> _Emulator: ...


class BlockedRequestError(RuntimeError):
    """A request to a host neither intercepted nor local while other hosts are blocked. Not an
    httpx or requests error, so the code under test cannot mistake it for a network hiccup."""


class Interception:
    """What one active interception routes where; `hosts`, `block_others` may change mid-test."""

    def __init__(self, org: InventOrg, hosts: Iterable[str] = (DEFAULT_HOST,), *,
                 block_others: bool = False) -> None:
        self.org = org
        self.hosts = {canonical_host(host) for host in hosts}
        self.block_others = block_others
        self.calls: list[httpx.Request] = []  # intercepted, as the code under test sent them
        self.blocked: list[str] = []  # "METHOD url" of every request refused
        self._orgs: dict[str, InventOrg] = {}
        self._forward: httpx.HTTPTransport | None = None

    def route_org(self, app_org_id: str, org: InventOrg) -> None:
        """Requests to `/orgs/<app_org_id>/…` go to `org` (e.g. a sub-org made with
        `new_org(parent=...)`) with its key, instead of to the test's org."""
        self._orgs[app_org_id] = org

    def intercepts(self, url: httpx.URL) -> bool:
        """Any letter case and the fully qualified form (a trailing dot) are the same host:
        a request to `api.useinvent.com.` must not reach the network with the production key."""
        return canonical_host(url.host) in self.hosts

    def refuse_if_blocked(self, method: str, url: httpx.URL) -> None:
        host = canonical_host(url.host)
        if not self.block_others or is_loopback(host) or host == self._emulator_host():
            return
        self.blocked.append(f"{method} {url}")
        raise BlockedRequestError(
            f"invent_intercept blocked {method} {url}: the host {host!r} is not intercepted "
            f"({', '.join(sorted(self.hosts))}) and other hosts are blocked "
            "(invent_intercept_block_others); only loopback hosts stay reachable")

    def send(self, request: httpx.Request) -> httpx.Response:
        routed = self._reroute(request, request.read())
        self.calls.append(request)
        bridge = self.org.emulator.bridge
        if bridge is not None:
            return bridge.send(routed)
        return self._forwarder().handle_request(routed)

    async def asend(self, request: httpx.Request) -> httpx.Response:
        routed = self._reroute(request, await request.aread())
        self.calls.append(request)
        bridge = self.org.emulator.bridge
        if bridge is not None:
            return await bridge.asend(routed)
        return await OffloadedTransport(self._forwarder()).handle_async_request(routed)

    def close(self) -> None:
        if self._forward is not None:
            self._forward.close()

    def _reroute(self, request: httpx.Request, body: bytes) -> httpx.Request:
        raw_path = request.url.raw_path
        target = self.org
        match = _ORG_PATH.match(raw_path)
        if match and match.group(1) != b"c":
            target = self._orgs.get(unquote(match.group(1).decode("ascii")), self.org)
            raw_path = b"/orgs/" + target.org_id.encode("ascii") + raw_path[match.end():]
        headers = request.headers.copy()
        del headers["host"]
        if _BEARER.match(headers.get("authorization", "")):
            headers["authorization"] = f"Bearer {target.api_key}"
        url = httpx.URL(self.org.url).copy_with(raw_path=raw_path)
        return httpx.Request(request.method, url, headers=headers, content=body,
                             extensions=request.extensions)

    def _forwarder(self) -> httpx.HTTPTransport:
        """An external emulator is reached over its socket (through the real transport: its
        host is never intercepted nor blocked)."""
        if self._forward is None:
            self._forward = httpx.HTTPTransport()
        return self._forward

    def _emulator_host(self) -> str:
        return canonical_host(httpx.URL(self.org.url).host)


@contextlib.contextmanager
def intercept(org: InventOrg, hosts: Iterable[str] = (DEFAULT_HOST,), *,
              block_others: bool = False) -> Iterator[Interception]:
    """Routes the Invent API host to `org` until the block ends, however it ends."""
    interception = Interception(org, hosts, block_others=block_others)
    try:
        with patched(interception):
            yield interception
    finally:
        interception.close()

