"""The test handle's org factory for an emulator in this process (thread or in-process mode):
an org is made and removed by calling what `POST /_emulator/orgs` and
`DELETE /_emulator/orgs/{org_id}` call (`make_org`, `remove_org`), on the emulator's own loop,
without an HTTP exchange. Two HTTP calls through httpx were four fifths of a fresh per-test
org's cost (docs/performance.md); the org made is the same, and so is every refusal (the same
body parser, the same envelope in the same AssertionError).

What the exchange would add and this leaves out, on purpose: the control guard (it keeps other
processes and browsers off the control surface; this handle is in the emulator's own process
and sends the admin token it would check), the journal (it records public requests only) and
the webhook flush (making or removing an org causes no event; deliveries already due from
earlier requests go out on the next request, as any request without a flush leaves them), and
the 500 answer of an unexpected exception (here it reaches the test as itself). A body with a
scenario still goes over HTTP: loading the scenario is its cost, and the body-size cap applies
to it as sent."""

from __future__ import annotations

import json
from typing import Any

from emulator import paths
from emulator.domain.errors import ApiError
from emulator.http.control import make_org, remove_org
from emulator.http.errors import envelope_bytes
from emulator.http.schemas import NewOrgBody, parse_body
from emulator.scenario.limits import ScenarioLimits
from emulator.service import Emulator
from emulator.testing.bridge import AppBridge
from emulator.testing.runtime_control import refusal

Json = dict[str, Any]


class DirectOrgs:
    """Makes and removes orgs of the emulator app behind `bridge`, on its loop."""

    def __init__(self, bridge: AppBridge, emulator: Emulator, limits: ScenarioLimits) -> None:
        self.bridge = bridge
        self.emulator = emulator
        self.limits = limits

    @classmethod
    def of(cls, bridge: AppBridge) -> DirectOrgs | None:
        """For an app made by `create_app`; None for any other app (it gets HTTP)."""
        state = getattr(bridge.app, "state", None)
        emulator = getattr(state, "emulator", None)
        limits = getattr(state, "scenario_limits", None)
        if isinstance(emulator, Emulator) and isinstance(limits, ScenarioLimits):
            return cls(bridge, emulator, limits)
        return None

    def create(self, body: Json) -> Json:
        """The answer of `POST /_emulator/orgs` with this JSON body (no scenario in it)."""
        return self.bridge.call(self._create, json.dumps(body).encode())

    def delete(self, org_id: str) -> None:
        """As `DELETE /_emulator/orgs/{org_id}`; an org already gone (a full reset) is fine."""
        self.bridge.call(self._delete, org_id)

    # Each is a change, as every request that is not a read is (`Emulator.changing`).

    async def _create(self, raw: bytes) -> Json:
        with self.emulator.changing():
            try:
                return await make_org(self.emulator, parse_body(NewOrgBody, raw), self.limits)
            except ApiError as error:
                raise _refusal("POST", paths.ORGS, error) from None

    async def _delete(self, org_id: str) -> None:
        with self.emulator.changing():
            try:
                remove_org(self.emulator, org_id)
            except ApiError as error:
                if error.status != 404:
                    raise _refusal("DELETE", paths.ORG.format(org_id=org_id), error) from None


def _refusal(method: str, path: str, error: ApiError) -> AssertionError:
    """What `ok()` raises for the same refusal over HTTP: the envelope's bytes, as text."""
    text = envelope_bytes(error.status, error.message, error.details).decode()
    return refusal(method, path, error.status, text)
