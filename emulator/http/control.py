"""The control surface's commands under /_emulator (no API key): health, reset, load a scenario,
save the state file, read and move clocks, make and remove orgs. Each handler: parse → one call
→ render, with its answer model beside it. Commands on one broadcast are in http/broadcasts.py."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from starlette.requests import Request
from starlette.responses import Response

from emulator import paths
from emulator.domain.errors import ApiError, FieldProblem, bad_request
from emulator.http.answers import Answer, Count, Field, Json, Timestamp
from emulator.http.bodies import Body
from emulator.http.common import emulator_of, read_body
from emulator.http.fastjson import FastJSONResponse
from emulator.http.operation import CONTROL, Operations
from emulator.http.query import ORG_ONLY
from emulator.inspection import ClockState, clocks
from emulator.scenario.blueprint import NewOrg
from emulator.scenario.limits import ScenarioLimits
from emulator.scenario.problems import ScenarioError, format_path
from emulator.service import Emulator
from emulator.statefile import StateFileError
from emulator.support.clock import format_timestamp as ts

if TYPE_CHECKING:
    from emulator.http.schemas import AdvanceBody, NewOrgBody, ResetBody
    from emulator.scenario.schema import ScenarioSpec
    from emulator.statefile.saver import Saver

OPERATIONS = Operations(CONTROL)
ADVANCE_BODY: Body[AdvanceBody] = Body("AdvanceBody")
NEW_ORG_BODY: Body[NewOrgBody] = Body("NewOrgBody")
RESET_BODY: Body[ResetBody] = Body("ResetBody")


class Health(Answer):
    status: Literal["ok"]


class ResetAnswer(Answer):
    status: Literal["ok"]
    org_id: str | None = Field(description="The org reset, or null when every org was.")


class ScenarioOrg(Answer):
    id: str
    name: str
    api_keys: list[str]


class ScenarioAnswer(Answer):
    status: Literal["ok"]
    orgs: list[ScenarioOrg]


class OrgClock(Answer):
    org_id: str
    mode: Literal["virtual", "real"]
    now: Timestamp
    pending: Count = Field(description="Timed events still waiting on this org's clock.")


class ClockAnswer(Answer):
    orgs: list[OrgClock]


class NewOrgAnswer(Answer):
    id: str
    api_key: str
    name: str
    parent: str | None
    now: Timestamp = Field(description="The time on the new org's clock.")


class Snapshot(Answer):
    saved: str = Field(description="The state file written.")
    bytes: Count


class Deleted(Answer):
    deleted: str


def clocks_json(states: list[ClockState]) -> Json:
    return {"orgs": [
        {"org_id": s.org.id, "mode": "virtual" if s.virtual else "real",
         "now": ts(s.org.clock.now()), "pending": s.pending}
        for s in states
    ]}


@OPERATIONS.declare("GET", paths.HEALTH, "health", "Is the emulator up", answer=Health)
async def health(request: Request) -> Response:
    return FastJSONResponse({"status": "ok"})


@OPERATIONS.declare("POST", paths.RESET, "reset", "Reset one org (or all) to the scenario",
                    answer=ResetAnswer, body=RESET_BODY, errors=(400, 404, 413))
async def reset(request: Request) -> Response:
    body = RESET_BODY.parse(await read_body(request))
    await emulator_of(request).reset(body.org_id)
    return FastJSONResponse({"status": "ok", "org_id": body.org_id})


@OPERATIONS.declare("GET", paths.CLOCK, "getClock", "Each org's clock", answer=ClockAnswer,
                    errors=(400, 404), query=ORG_ONLY)
async def get_clock(request: Request) -> Response:
    org_id = ORG_ONLY.parse(request.query_params)["org_id"]
    orgs = await emulator_of(request).orgs(org_id)
    return FastJSONResponse(clocks_json(clocks(orgs)))


@OPERATIONS.declare("POST", paths.CLOCK_ADVANCE, "advanceClock",
                    "Move virtual time; answers once what fell due has run", answer=ClockAnswer,
                    body=ADVANCE_BODY, errors=(400, 404, 413))
async def advance_clock(request: Request) -> Response:
    """Moves virtual time and answers once everything that fell due has run, webhooks included."""
    body = ADVANCE_BODY.parse(await read_body(request))
    orgs = await emulator_of(request).advance(body.seconds, body.org_id)
    return FastJSONResponse(clocks_json(clocks(orgs)))


@OPERATIONS.declare("POST", paths.SNAPSHOT, "snapshot", "Save the state file now",
                    answer=Snapshot, errors=(409, 500),
                    description="Answers 409 when no state file is set (`--state-file`).")
async def snapshot(request: Request) -> Response:
    """Save the state file now (docs/sidecar.md, "State file")."""
    saver: Saver | None = request.app.state.saver
    if saver is None:
        raise ApiError(409, "No state file is configured; start the emulator with --state-file "
                            "PATH (or INVENT_EMULATOR_STATE_FILE) to save its state")
    try:
        size = await saver.save()  # requests that come while a save runs share it
    except StateFileError as error:
        raise ApiError(500, str(error)) from None
    return FastJSONResponse({"saved": str(saver.path), "bytes": size})


@OPERATIONS.declare("PUT", paths.SCENARIO, "putScenario",
                    "Replace the running state with a scenario (YAML or JSON)",
                    answer=ScenarioAnswer, yaml_body=True, errors=(400, 413))
async def put_scenario(request: Request) -> Response:
    """Replace the running state with a scenario sent as YAML or JSON (JSON is YAML)."""
    raw = await read_body(request)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "The scenario must be UTF-8 text (YAML or JSON)") from None
    # Here, not at the top: reading a scenario needs pydantic, which serving loads only now.
    from emulator.scenario.load import load_scenario_text

    emulator = emulator_of(request)
    limits = request.app.state.scenario_limits
    spec = await asyncio.to_thread(
        _scenario, lambda: load_scenario_text(text, "<request body>", limits=limits))
    await emulator.load(spec)
    return FastJSONResponse({"status": "ok", "orgs": [
        {"id": org.id, "name": org.name, "api_keys": org.api_keys}
        for org in emulator.registry.orgs.values()
    ]})


@OPERATIONS.declare("POST", paths.ORGS, "createOrg",
                    "A fresh isolated org with a new API key", answer=NewOrgAnswer,
                    body=NEW_ORG_BODY, errors=(400, 404, 413))
async def create_org(request: Request) -> Response:
    """A fresh isolated org with a new key: how tests isolate themselves on one server."""
    body = NEW_ORG_BODY.parse(await read_body(request))
    limits = request.app.state.scenario_limits
    return FastJSONResponse(await make_org(emulator_of(request), body, limits))


async def make_org(emulator: Emulator, body: NewOrgBody, limits: ScenarioLimits) -> Json:
    """What `POST /_emulator/orgs` does with its parsed body, and answers; the test handle of an
    emulator in this process calls it directly (emulator/testing/direct.py)."""
    if body.copy_of is not None and body.scenario is not None:
        raise ApiError(400, "Give copy_of or scenario, not both")
    if body.org is not None and body.scenario is None:
        raise bad_request("org: names an org of `scenario`, which is missing", "org")
    from emulator.scenario.load import load_scenario_json, load_scenario_text  # as above

    given = body.scenario
    scenario = None
    if isinstance(given, str):  # YAML text, as an export answers it
        scenario = await asyncio.to_thread(
            _scenario, lambda: load_scenario_text(given, "<scenario>", limits=limits))
    elif given is not None:
        scenario = await asyncio.to_thread(
            _scenario, lambda: load_scenario_json(given, "<scenario>", limits))
    org = await emulator.create_org(NewOrg(
        name=body.name, parent=body.parent, copy_of=body.copy_of, scenario=scenario,
        scenario_org=body.org, clock_mode=body.clock.mode if body.clock else None,
        clock_start=body.clock.start if body.clock else None,
    ))
    return {"id": org.id, "api_key": org.api_keys[0], "name": org.name,
            "parent": org.parent_id, "now": ts(org.clock.now())}


@OPERATIONS.declare("DELETE", paths.ORG, "deleteOrg",
                    "Delete an org created through the control surface", answer=Deleted,
                    errors=(400, 404))
async def delete_org(request: Request) -> Response:
    return FastJSONResponse(remove_org(emulator_of(request), request.path_params["org_id"]))


def remove_org(emulator: Emulator, org_id: str) -> Json:
    """What `DELETE /_emulator/orgs/{org_id}` does, and answers (called directly as above)."""
    emulator.delete_org(org_id)
    return {"deleted": org_id}


def _scenario(load: Callable[[], ScenarioSpec]) -> ScenarioSpec:
    """A scenario from a request, or a 400 listing its problems with line and column."""
    try:
        return load()
    except ScenarioError as error:
        raise ApiError(400, str(error), [
            FieldProblem(format_path(p.path), f"line {p.line}, column {p.column}: {p.message}")
            for p in error.problems
        ]) from None
