"""One org's control at run time under /_emulator/orgs/{org_id} (docs/test-control.md): its
faults and outcome rules, set and read while it runs, and the org exported as a scenario file.
Each handler: parse → one call → render, with its answer model beside it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from emulator import paths
from emulator.domain.faults import RunTimeFault
from emulator.domain.org import Org
from emulator.faults import fault_shape
from emulator.http.answers import Answer, Count, Field, Json, JsonObject
from emulator.http.bodies import Body
from emulator.http.common import emulator_of, read_body
from emulator.http.control import Deleted
from emulator.http.fastjson import FastJSONResponse
from emulator.http.inspection import Cleared
from emulator.http.operation import CONTROL, Operations
from emulator.scenario.blueprint import fault_rule
from emulator.scenario.export import export_org
from emulator.scenario.outcomes import rule_shape, run_time_rules

if TYPE_CHECKING:
    from emulator.http.schemas import FaultBody, OutcomesBody

OPERATIONS = Operations(CONTROL)
FAULT_BODY: Body[FaultBody] = Body("FaultBody")
OUTCOMES_BODY: Body[OutcomesBody] = Body("OutcomesBody")


class FaultAdded(Answer):
    id: str = Field(description="Names the fault in GET and DELETE .../faults/{fault_id}.")


class FaultWhen(Answer):
    method: str | None = None
    path: str | None = Field(default=None,
                             description="A glob, e.g. `/orgs/*/broadcasts/*/send`.")


class FaultRespond(Answer):
    status: int
    message: str | None = None
    retry_after: int | None = None


class RunTimeFaultAnswer(Answer):
    """A run-time fault in the scenario's `faults:` shape, with what remains of it."""

    id: str
    when: FaultWhen
    every: int | None = None
    nth: int | None = None
    probability: float | None = None
    respond: FaultRespond | None = None
    delay: float | None = None
    drop: bool | None = None
    times: int | None = Field(description="Fires this many times in all; null: until removed.")
    remaining: int | None = Field(description="Fires left; null: until removed.")
    fired: Count


class OutcomeRules(Answer):
    outcomes: list[JsonObject] = Field(
        description="The rules in the scenario's `outcomes:` shape, first match wins.")


def run_time_fault_json(fault: RunTimeFault) -> Json:
    return {"id": fault.id, **fault_shape(fault.rule), "times": fault.times,
            "remaining": fault.remaining, "fired": fault.fired}


def outcomes_json(org: Org) -> Json:
    return {"outcomes": [rule_shape(rule) for rule in org.policy.book.rules]}


@OPERATIONS.declare(
    "POST", paths.ORG_FAULTS, "addFault", "Add a run-time fault to one org", answer=FaultAdded,
    body=FAULT_BODY, errors=(400, 404, 413),
    description="One rule in the scenario's `faults:` shape, plus `times` (it fires that many "
                "times, then is gone). It fires only on requests that reach this org, once "
                "their key is checked, before the scenario's faults.")
async def add_fault(request: Request) -> Response:
    raw = await read_body(request)
    org = await emulator_of(request).org(request.path_params["org_id"])
    body = FAULT_BODY.parse(raw)
    return FastJSONResponse({"id": org.faults.add(fault_rule(body), body.times).id})


@OPERATIONS.declare("GET", paths.ORG_FAULTS, "listFaults",
                    "An org's run-time faults, with what remains of each",
                    answer=RunTimeFaultAnswer, many=True, errors=(404,))
async def list_faults(request: Request) -> Response:
    org = await emulator_of(request).org(request.path_params["org_id"])
    return FastJSONResponse([run_time_fault_json(f) for f in org.faults.rules])


@OPERATIONS.declare("DELETE", paths.ORG_FAULTS, "clearFaults",
                    "Remove an org's run-time faults", answer=Cleared, errors=(404,))
async def clear_faults(request: Request) -> Response:
    org = await emulator_of(request).org(request.path_params["org_id"])
    return FastJSONResponse({"cleared": org.faults.clear()})


@OPERATIONS.declare("DELETE", paths.ORG_FAULT, "deleteFault", "Remove one run-time fault",
                    answer=Deleted, errors=(404,))
async def delete_fault(request: Request) -> Response:
    org = await emulator_of(request).org(request.path_params["org_id"])
    org.faults.remove(request.path_params["fault_id"])
    return FastJSONResponse({"deleted": request.path_params["fault_id"]})


@OPERATIONS.declare("GET", paths.ORG_OUTCOMES, "getOutcomes",
                    "An org's outcome rules, in the scenario's `outcomes:` shape",
                    answer=OutcomeRules, errors=(404,))
async def get_outcomes(request: Request) -> Response:
    org = await emulator_of(request).org(request.path_params["org_id"])
    return FastJSONResponse(outcomes_json(org))


@OPERATIONS.declare("PUT", paths.ORG_OUTCOMES, "putOutcomes",
                    "Replace an org's outcome rules from its next message on",
                    answer=OutcomeRules, body=OUTCOMES_BODY, errors=(400, 404, 413))
async def put_outcomes(request: Request) -> Response:
    raw = await read_body(request)
    org = await emulator_of(request).org(request.path_params["org_id"])
    body = OUTCOMES_BODY.parse(raw)
    org.policy.replace(run_time_rules(body.outcomes))
    return FastJSONResponse(outcomes_json(org))


@OPERATIONS.declare(
    "GET", paths.ORG_EXPORT, "exportOrg", "The org as a scenario file (YAML; no rows)",
    answer=None, errors=(404,), yaml_answer=True,
    description="Load it back with `serve --scenario`, or `POST /_emulator/orgs` with "
                "`{\"scenario\": <the text>}`.")
async def export(request: Request) -> Response:
    org = await emulator_of(request).org(request.path_params["org_id"])
    return Response(export_org(org), media_type="application/yaml")
