"""Read-only control-surface queries the inbox UI needs beyond the rest of /_emulator: the orgs
with their keys and clocks, an org's broadcasts, its recipient rows, and one row's message."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Literal

from starlette.requests import Request
from starlette.responses import Response

from emulator import paths
from emulator.domain.broadcasts import list_broadcasts
from emulator.domain.entities import Recipient, address_of
from emulator.domain.errors import ApiError
from emulator.domain.org import Org
from emulator.domain.outbox import Message
from emulator.http import query
from emulator.http.answers import Answer, Count, Field, Json, JsonObject, Timestamp
from emulator.http.broadcasts import Broadcast, broadcast_json
from emulator.http.cached import json_answer, json_array, rendered_all
from emulator.http.common import emulator_of
from emulator.http.fastjson import FastJSONResponse
from emulator.http.inspection import Message as MessageAnswer
from emulator.http.inspection import message_json
from emulator.http.operation import CONTROL, Operations
from emulator.http.recipients import Recipient as RecipientAnswer
from emulator.http.recipients import recipient_json
from emulator.support.clock import VirtualClock
from emulator.support.clock import format_timestamp as ts

OPERATIONS = Operations(CONTROL)


class InboxOrgClock(Answer):
    mode: Literal["virtual", "real"]
    now: Timestamp
    pending: Count = Field(description="Timed events still waiting on this org's clock.")


class InboxOrg(Answer):
    """An org as the inbox UI lists it."""

    id: str
    name: str
    parent: str | None
    api_keys: list[str]
    clock: InboxOrgClock
    broadcasts_count: Count
    rows_count: Count = Field(description="Recipient rows ever made in this org.")


class InboxBroadcast(Broadcast):
    properties: JsonObject = Field(description="The defaults of the broadcast's variables.")


class InboxMessage(MessageAnswer):
    row: RecipientAnswer = Field(description="The recipient row, for its event times.")


async def _org(request: Request) -> Org:
    """The org of the path, caught up with its clock (or the documented 404)."""
    return await emulator_of(request).org(request.path_params["org_id"])


def org_summary_json(org: Org) -> Json:
    virtual = isinstance(org.clock, VirtualClock)
    return {
        "id": org.id,
        "name": org.name,
        "parent": org.parent_id,
        "api_keys": list(org.api_keys),
        "clock": {"mode": "virtual" if virtual else "real", "now": ts(org.clock.now()),
                  "pending": len(org.scheduler)},
        "broadcasts_count": len(org.broadcasts),
        "rows_count": len(org.sent_rows),
    }


@OPERATIONS.declare("GET", paths.ORGS, "listOrgs", "Every org, with its keys and clock",
                    answer=InboxOrg, many=True)
async def list_orgs(request: Request) -> Response:
    """Every org in the order the scenario (then run time) made them."""
    orgs = await emulator_of(request).orgs()
    return FastJSONResponse([org_summary_json(org) for org in orgs])


@OPERATIONS.declare("GET", paths.ORG_BROADCASTS, "listOrgBroadcasts",
                    "An org's broadcasts, newest first", answer=InboxBroadcast, many=True,
                    errors=(404,))
async def list_org_broadcasts(request: Request) -> Response:
    """An org's broadcasts, newest first, with their counters and the defaults of their
    variables (`properties`, which the public wire does not show)."""
    org = await _org(request)
    return FastJSONResponse([
        {**broadcast_json(org, b), "properties": b.properties}
        for b in list_broadcasts(org, None)
    ])


def _matches(row: Recipient, needle: str | None, broadcast_id: str | None) -> bool:
    if broadcast_id is not None and row.broadcast_id != broadcast_id:
        return False
    if needle is None:
        return True
    haystack = (address_of(row), row.email, row.phone, row.user_id, row.name)
    return any(needle in value.lower() for value in haystack if value)


def _newest_rows(org: Org, needle: str | None, broadcast_id: str | None) -> Iterator[Recipient]:
    # Rows are kept in creation order on a clock that only moves forward: reversed is newest
    # first, and a page of the newest costs no more than its length however big the org is.
    return (row for row in reversed(org.sent_rows) if _matches(row, needle, broadcast_id))


ROWS_QUERY = query.Query((
    query.text("q", "A part of the address, user id or name, any case."),
    query.text("broadcast_id"), query.LIMIT))


@OPERATIONS.declare("GET", paths.ORG_RECIPIENTS, "listOrgRecipients",
                    "An org's recipient rows, newest first", answer=RecipientAnswer, many=True,
                    errors=(400, 404), query=ROWS_QUERY)
async def list_org_rows(request: Request) -> Response:
    """Every recipient row of an org (skipped ones too), newest first; `q` finds a part of the
    address, user id or name (any case), `broadcast_id` narrows to one broadcast."""
    org = await _org(request)
    given = ROWS_QUERY.parse(request.query_params)
    needle = (given["q"] or "").strip().lower() or None
    rows = _newest_rows(org, needle, given["broadcast_id"])
    emulator = emulator_of(request)
    return json_answer(json_array(rendered_all(
        emulator, org, "row", itertools.islice(rows, given["limit"]), recipient_json)))


@OPERATIONS.declare("GET", paths.ORG_MESSAGE, "getOrgMessage", "One row's message, with the row",
                    answer=InboxMessage, errors=(404,))
async def get_org_message(request: Request) -> Response:
    """One row's message as the outbox shows it (a skipped row's too: what it would have said),
    with the row itself under `row` for its event times."""
    org = await _org(request)
    wanted = request.path_params["recipient_id"]
    row = next((r for r in reversed(org.sent_rows) if r.id == wanted), None)
    broadcast = org.broadcasts.get(row.broadcast_id) if row is not None else None
    if row is None or broadcast is None:
        raise ApiError(404, f"Recipient '{wanted}' not found in org '{org.id}'")
    return FastJSONResponse({**message_json(Message(org, broadcast, row)),
                         "row": recipient_json(org, row)})
