"""What tests hold: a handle on one emulator (threaded, in-process or external) and, per test,
an isolated org with helpers that read what was sent."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any

import httpx

from emulator import paths
from emulator.settings import TOKEN_ACCEPTED, parse_token
from emulator.testing.inprocess import AsyncInProcessTransport, OffloadedTransport
from emulator.testing.interception import DEFAULT_HOST, Interception, intercept
from emulator.testing.runtime_control import RunTimeControl
from emulator.testing.runtime_control import ok as _ok

if TYPE_CHECKING:
    from emulator.scenario.schema import ScenarioSpec
    from emulator.testing.bridge import AppBridge
    from emulator.testing.direct import DirectOrgs

DEFAULT_WAIT = 5.0
ADMIN_TOKEN_VARIABLE = "INVENT_EMULATOR_ADMIN_TOKEN"
# One outbox read waits at most this long (the control client's timeout is 30 s).
_LONGEST_WAIT = 25.0


class EmulatorHandle:
    """One emulator for a test session: its URL, a control client, and the org factory."""

    def __init__(self, url: str, transport: httpx.BaseTransport | None = None,
                 errors: list[BaseException] | None = None, *, shared: bool = False,
                 bridge: AppBridge | None = None) -> None:
        self.url = url
        # Parsed once: each test whose org makes a client would otherwise parse it again (about
        # two thirds of making one).
        self._base_url = httpx.URL(url)
        # A shared (external) server also serves other sessions: reset() touches only the
        # orgs this handle made, never theirs.
        self.shared = shared
        self._made: dict[str, None] = {}
        self.transport = transport
        # The app on its loop, when it runs in this process (thread or in-process mode).
        self.bridge = bridge
        self.async_transport = (AsyncInProcessTransport(bridge)
                                if transport is not None and bridge is not None else None)
        # Orgs made and removed on the app's loop, without HTTP (emulator/testing/direct.py).
        self._direct = _direct_orgs(bridge) if bridge is not None else None
        # Exceptions raised inside an emulator of this process (none for an external one).
        self.errors: list[BaseException] = errors if errors is not None else []
        # Building an SSL context loads the CA bundle (~30 ms); every client shares this one.
        self._ssl = httpx.create_ssl_context()
        self._offloaded: OffloadedTransport | None = None
        self.control = self.client()
        token = os.environ.get(ADMIN_TOKEN_VARIABLE, "").strip()
        if token:
            self.control.headers["X-Invent-Admin-Token"] = admin_token(token)

    def client(self, api_key: str | None = None) -> httpx.Client:
        """An httpx client based at the emulator, authenticated with `api_key` if given."""
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        return httpx.Client(base_url=self._base_url, transport=self.transport, headers=headers,
                            timeout=30, verify=self._ssl)

    def async_client(self, api_key: str | None = None) -> httpx.AsyncClient:
        """An httpx.AsyncClient like `client()`, usable from any event loop: it holds no socket
        (in-process calls, or a thread-pooled synchronous transport for an external emulator)."""
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        transport: httpx.AsyncBaseTransport
        if self.bridge is not None:
            transport = AsyncInProcessTransport(self.bridge)
        else:
            if self._offloaded is None:  # one pool for all, closed with the handle
                self._offloaded = OffloadedTransport(httpx.HTTPTransport(verify=self._ssl))
            transport = self._offloaded
        return httpx.AsyncClient(base_url=self._base_url, transport=transport, headers=headers,
                                 timeout=30)

    def health(self) -> bool:
        try:
            return self.control.get("/_emulator/health").status_code == 200
        except httpx.HTTPError:
            return False

    def new_org(self, *, scenario: ScenarioSpec | None = None, org: str | None = None,
                copy_of: str | None = None, parent: str | None = None,
                virtual_clock: bool = True, start: str | None = None) -> InventOrg:
        """A fresh isolated org with its own key, on its own virtual clock by default."""
        body: dict[str, Any] = {}
        if scenario is not None:
            body["scenario"] = scenario.model_dump(mode="json", exclude_none=True)
            if org is not None:
                body["org"] = org
        if copy_of is not None:
            body["copy_of"] = copy_of
        if parent is not None:
            body["parent"] = parent
        clock_start = start or (scenario.clock.start.isoformat()
                                if scenario is not None and scenario.clock.start else None)
        if virtual_clock:
            body["clock"] = {"mode": "virtual", **({"start": clock_start} if clock_start else {})}
        created = self._create_org(body)
        self._made[created["id"]] = None
        return InventOrg(self, created["id"], created["api_key"])

    def _create_org(self, body: dict[str, Any]) -> dict[str, Any]:
        if self._direct is not None and "scenario" not in body:
            return self._direct.create(body)
        return _ok(self.control.post(paths.ORGS, json=body))  # type: ignore[no-any-return]

    def _delete_org(self, org_id: str) -> None:
        """The org gone; one a full reset removed already is fine."""
        if self._direct is not None:
            self._direct.delete(org_id)
        else:
            response = self.control.delete(paths.ORG.format(org_id=org_id))
            if response.status_code not in (200, 404):
                _ok(response)
        self._made.pop(org_id, None)  # a shared reset has nothing left to do for it

    def reset(self) -> None:
        """Everything back to the loaded scenario (removes every org made at run time). On a
        shared server: each org this handle made back to how it was made, nothing else."""
        if not self.shared:
            _ok(self.control.post("/_emulator/reset", json={}))
            return
        for org_id in list(self._made):
            response = self.control.post("/_emulator/reset", json={"org_id": org_id})
            if response.status_code == 404:  # deleted since (each test's org is, at its end)
                del self._made[org_id]
            else:
                _ok(response)

    def take_errors(self) -> list[BaseException]:
        # The server thread may append meanwhile: remove exactly what was read.
        taken = self.errors[:]
        del self.errors[:len(taken)]
        return taken

    def close(self) -> None:
        self.control.close()
        if self._offloaded is not None:
            self._offloaded.transport.close()


class InventOrg(RunTimeControl):
    """One test's org: reachable as `c` with its key, isolated from every other test."""

    def __init__(self, emulator: EmulatorHandle, org_id: str, api_key: str) -> None:
        self.emulator = emulator
        self.org_id = org_id
        self.api_key = api_key
        self.url = emulator.url
        self._client: httpx.Client | None = None
        self._async_client: httpx.AsyncClient | None = None

    @property
    def client(self) -> httpx.Client:
        """An httpx client authenticated as this org, based at the emulator; made on first use
        (a test that never calls the API itself does not pay for one)."""
        if self._client is None:
            self._client = self.emulator.client(self.api_key)
        return self._client

    @property
    def control_client(self) -> httpx.Client:
        """The emulator's control client (no API key; the admin token when one is set)."""
        return self.emulator.control

    @property
    def transport(self) -> httpx.BaseTransport | None:
        """For code under test in the in-process mode: pass it to its own httpx client."""
        return self.emulator.transport

    @property
    def async_transport(self) -> httpx.AsyncBaseTransport | None:
        """`transport` for an httpx.AsyncClient of the code under test (in-process mode)."""
        return self.emulator.async_transport

    @property
    def async_client(self) -> httpx.AsyncClient:
        """An httpx.AsyncClient authenticated as this org, based at the emulator; made on first
        use, usable from whichever event loop the test runs on."""
        if self._async_client is None:
            self._async_client = self.emulator.async_client(self.api_key)
        return self._async_client

    def intercept(self, hosts: Iterable[str] = (DEFAULT_HOST,), *,
                  block_others: bool = False) -> contextlib.AbstractContextManager[Interception]:
        """Within the block, httpx, `requests` and aiohttp calls to the Invent API host reach
        this org."""
        return intercept(self, hosts, block_others=block_others)

    def messages(self, **filters: str | int | bool) -> list[dict[str, Any]]:
        """This org's outbox, newest first. Filters: broadcast_id, to, integration_id, q (text
        in the subject, body or address), status (an outcome name), since and until (RFC 3339),
        include_skipped, and limit or page/take."""
        params = {"org_id": self.org_id, **{k: _query_value(v) for k, v in filters.items()}}
        if not {"limit", "page", "take"} & params.keys():
            params["limit"] = "10000"
        return _ok(self.emulator.control.get("/_emulator/messages", params=params))  # type: ignore[no-any-return]

    def last_message(self, to: str | None = None) -> dict[str, Any]:
        """The newest message (to `to`, if given); AssertionError saying what was sent if none."""
        found = self.messages(**({"to": to} if to else {}), limit="1")
        if not found:
            raise AssertionError(f"no message{f' to {to}' if to else ''} was sent by org "
                                 f"{self.org_id}; {self._summary()}")
        return found[0]

    def wait_for_message(self, to: str | None = None, timeout: float = DEFAULT_WAIT,
                         **filters: str) -> dict[str, Any]:
        """The first message (to `to`) once it exists, for code that sends in the background:
        the emulator answers as soon as one matches (`wait=`), no polling."""
        wanted = {**filters, **({"to": to} if to else {})}
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            wait = f"{max(0.0, min(remaining, _LONGEST_WAIT)):.3f}"
            found = self.messages(**wanted, limit="1", wait=wait)
            if found:
                return found[0]
            if time.monotonic() >= deadline:
                raise AssertionError(f"no message{f' to {to}' if to else ''} within {timeout} s; "
                                     f"{self._summary()}")

    def clear_messages(self) -> int:
        """Empty this org's outbox (its rows and the public API stay); how many were cleared."""
        answer = _ok(self.emulator.control.delete("/_emulator/messages",
                                                  params={"org_id": self.org_id}))
        return int(answer["cleared"])

    def delete_message(self, recipient_id: str) -> int:
        """Remove one message from this org's outbox by its recipient row's id."""
        answer = _ok(self.emulator.control.delete(
            f"/_emulator/orgs/{self.org_id}/messages/{recipient_id}"))
        return int(answer["cleared"])

    def assert_sent(self, to: str | None = None, count: int | None = None,
                    **filters: str) -> list[dict[str, Any]]:
        """At least one (or exactly `count`) message matching; a readable failure otherwise."""
        found = self.messages(**filters, **({"to": to} if to else {}))
        what = f"to {to}" if to else "in total"
        if count is None and not found:
            raise AssertionError(f"expected a message {what}, none was sent; {self._summary()}")
        if count is not None and len(found) != count:
            raise AssertionError(f"expected {count} message(s) {what}, got {len(found)}; "
                                 f"{self._summary()}")
        return found

    def recipients(self, broadcast_id: str, **filters: str | bool | int) -> list[dict[str, Any]]:
        """The public recipients list of a broadcast (first page of up to 100)."""
        params = {"take": "100", **{k: _query_value(v) for k, v in filters.items()}}
        response = self.client.get(f"/orgs/c/broadcasts/{broadcast_id}/recipients",
                                   params=params)
        return _ok(response)  # type: ignore[no-any-return]

    def broadcast(self, broadcast_id: str) -> dict[str, Any]:
        return _ok(self.emulator.control.get(  # type: ignore[no-any-return]
            f"/_emulator/orgs/{self.org_id}/broadcasts/{broadcast_id}"))

    def advance(self, seconds: float) -> dict[str, Any]:
        """Move this org's virtual clock; everything that falls due runs, webhooks included."""
        return _ok(self.emulator.control.post(  # type: ignore[no-any-return]
            "/_emulator/clock/advance", json={"seconds": seconds, "org_id": self.org_id}))

    def now(self) -> str:
        clock = _ok(self.emulator.control.get("/_emulator/clock",
                                              params={"org_id": self.org_id}))
        return str(clock["orgs"][0]["now"])

    def reset(self) -> None:
        """This org back to how it was made; no other org is touched."""
        _ok(self.emulator.control.post("/_emulator/reset", json={"org_id": self.org_id}))

    def _summary(self) -> str:
        sent = self.messages(limit="20")
        if not sent:
            return "the org sent nothing"
        lines = ", ".join(f"{m['to']} ({m['integration_id']}, {m['status']})" for m in sent)
        return f"the org sent: {lines}"

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        # The async client needs no closing: its transport holds no socket of its own.

    def __enter__(self) -> InventOrg:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()
        self.delete()

    def delete(self) -> None:
        """Remove the org from the emulator (the `invent` fixture does after each test)."""
        self.emulator._delete_org(self.org_id)


def _direct_orgs(bridge: AppBridge) -> DirectOrgs | None:
    from emulator.testing.direct import DirectOrgs  # the app's modules: loaded with the app

    return DirectOrgs.of(bridge)


def _query_value(value: str | bool | int) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def admin_token(raw: str) -> str:
    """The token from the environment, or a clear error (a header cannot carry a non-ASCII
    token: httpx would fail with a UnicodeEncodeError on the first control call)."""
    try:
        return parse_token(raw)
    except ValueError:
        raise ValueError(f"{ADMIN_TOKEN_VARIABLE} must be {TOKEN_ACCEPTED}") from None
