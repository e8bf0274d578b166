"""What a test's org can be told and asked while it runs (issue 21; docs/test-control.md):
faults and outcome rules for this org only, its request journal with an assertion that reads
well when it fails, and its export as a scenario file. A base of `InventOrg` (facade.py)."""

from __future__ import annotations

from types import TracebackType
from typing import Any

import httpx

from emulator.testing.verification import ANY_BODY, check_requested

# The journal keeps at most this many requests (emulator/journal.py); read them all.
JOURNAL_READ = 10_000


class RunTimeControl:
    """Needs `org_id` and `control_client` (the emulator's control client) of its subclass."""

    org_id: str

    @property
    def control_client(self) -> httpx.Client:
        raise NotImplementedError

    def fault(self, when: dict[str, str] | None = None, respond: int | dict[str, Any] | None = None,
              *, times: int | None = None, **trigger: Any) -> Fault:
        """A run-time fault on this org only (the scenario's `faults:` shape): `when` (method,
        path glob), `respond` (a status, or {status, message, retry_after}), `times` it fires,
        and `every=`, `nth=`, `probability=`, `delay=`, `drop=`. It lasts the test (the org goes
        with it), or use it as a context manager to end it with the block."""
        body: dict[str, Any] = {**({"when": when} if when else {}), **trigger}
        if respond is not None:
            body["respond"] = {"status": respond} if isinstance(respond, int) else respond
        if times is not None:
            body["times"] = times
        added = ok(self.control_client.post(f"/_emulator/orgs/{self.org_id}/faults",
                                               json=body))
        return Fault(self, added["id"])

    def faults(self) -> list[dict[str, Any]]:
        """This org's run-time faults, with what remains of each."""
        return ok(self.control_client.get(  # type: ignore[no-any-return]
            f"/_emulator/orgs/{self.org_id}/faults"))

    def outcomes(self, rules: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
        """Replace this org's outcome rules (the scenario's `outcomes:` shape) from its next
        message on, and answer them; with no argument, only answer them."""
        path = f"/_emulator/orgs/{self.org_id}/outcomes"
        answer = (ok(self.control_client.get(path)) if rules is None
                  else ok(self.control_client.put(path, json={"outcomes": rules})))
        return answer["outcomes"]  # type: ignore[no-any-return]

    def requests(self, method: str | None = None, path: str | None = None,
                 status: int | None = None) -> list[dict[str, Any]]:
        """The public API requests this org received, newest first (`path` is a glob)."""
        params = {"org_id": self.org_id, "limit": str(JOURNAL_READ)}
        params.update({k: str(v) for k, v in (("method", method), ("path", path),
                                              ("status", status)) if v is not None})
        return ok(self.control_client.get(  # type: ignore[no-any-return]
            "/_emulator/requests", params=params))

    def assert_requested(self, method: str, path: str, count: int | None = None,
                         json: Any = None) -> list[dict[str, Any]]:
        """This org received `method path` (a glob) at least once, or exactly `count` times,
        with a JSON body equal to `json` if given; otherwise an AssertionError that lists the
        requests it did receive, closest first. Answers the matching requests."""
        return check_requested(self.requests(), method, path, count,
                               ANY_BODY if json is None else json)

    def export(self) -> str:
        """This org as scenario YAML (POST /_emulator/orgs or `serve --scenario` load it)."""
        response = self.control_client.get(f"/_emulator/orgs/{self.org_id}/export")
        if response.status_code >= 400:
            ok(response)
        return response.text


class Fault:
    """A run-time fault of one org: `.remove()` it, or use it as a context manager."""

    def __init__(self, org: RunTimeControl, fault_id: str) -> None:
        self.org = org
        self.id = fault_id

    def remove(self) -> None:
        """Gone from now on (also when its `times` ran out already)."""
        response = self.org.control_client.delete(
            f"/_emulator/orgs/{self.org.org_id}/faults/{self.id}")
        if response.status_code not in (200, 404):
            ok(response)

    def __enter__(self) -> Fault:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.remove()


def ok(response: httpx.Response) -> Any:
    """The JSON of a successful answer; an AssertionError saying what went wrong otherwise."""
    if response.status_code >= 400:
        raise refusal(response.request.method, response.request.url.path, response.status_code,
                      response.text)
    return response.json()


def refusal(method: str, path: str, status: int, text: str) -> AssertionError:
    return AssertionError(f"{method} {path} answered {status}: {text}")
