"""Read-only control-surface queries the inbox UI needs beyond the rest of /_emulator: the orgs
with their keys and clocks, an org's broadcasts, its recipient rows, and one row's message."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from starlette.requests import Request
from starlette.responses import Response

from emulator.domain.broadcasts import list_broadcasts
from emulator.domain.entities import address_of
from emulator.domain.errors import ApiError
from emulator.domain.org import Org
from emulator.domain.outbox import Message
from emulator.domain.recipient import Recipient
from emulator.http import query
from emulator.http.cached import json_answer, json_array, row_bytes
from emulator.http.common import emulator_of
from emulator.http.fastjson import FastJSONResponse
from emulator.http.render import Json, broadcast_json, message_json, recipient_json
from emulator.support.clock import VirtualClock
from emulator.support.clock import format_timestamp as ts


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


async def list_orgs(request: Request) -> Response:
    """Every org in the order the scenario (then run time) made them."""
    orgs = await emulator_of(request).orgs()
    return FastJSONResponse([org_summary_json(org) for org in orgs])


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


async def list_org_rows(request: Request) -> Response:
    """Every recipient row of an org (skipped ones too), newest first; `q` finds a part of the
    address, user id or name (any case), `broadcast_id` narrows to one broadcast."""
    org = await _org(request)
    params = request.query_params
    needle = (query.text(params, "q") or "").strip().lower() or None
    rows = _newest_rows(org, needle, query.text(params, "broadcast_id"))
    limit = query.limit_of(params)
    emulator = emulator_of(request)
    return json_answer(json_array(row_bytes(emulator, org, row)
                                  for row in itertools.islice(rows, limit)))


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
