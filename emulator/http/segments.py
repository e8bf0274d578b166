"""Segments: their answer models beside the functions that render them, and the documented
segment endpoints (read → authorize → parse → one domain call → render)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from starlette.requests import Request
from starlette.responses import Response

from emulator import paths
from emulator.domain import entities
from emulator.domain.contacts import get_segment, list_segments, update_segment
from emulator.domain.kinds import SegmentColor
from emulator.http.answers import Answer, Count, Field, Json, Timestamp
from emulator.http.bodies import Body, patched
from emulator.http.common import open_org, paged, read_body
from emulator.http.fastjson import FastJSONResponse
from emulator.http.operation import SEGMENTS, Operations
from emulator.http.query import Query
from emulator.support.clock import format_timestamp as ts

if TYPE_CHECKING:
    from emulator.http.schemas import UpdateSegmentBody

OPERATIONS = Operations(SEGMENTS)
UPDATE_SEGMENT_BODY: Body[UpdateSegmentBody] = Body("UpdateSegmentBody")


class EmbeddedSegment(Answer):
    """A segment inside a broadcast or a contact (no `color`)."""

    id: str
    name: str
    contacts_count: Count
    created_at: Timestamp
    updated_at: Timestamp


class Segment(Answer):
    """A segment as the segments endpoints show it."""

    id: str
    name: Annotated[str, Field(min_length=1, max_length=128)]
    color: SegmentColor
    contacts_count: Count
    created_at: Timestamp
    updated_at: Timestamp


def segment_json(segment: entities.Segment) -> Json:
    """A segment as the segments endpoints show it: the embedded shape and its color."""
    embedded = embedded_segment_json(segment)
    return {"id": embedded.pop("id"), "name": embedded.pop("name"), "color": segment.color,
            **embedded}


def embedded_segment_json(segment: entities.Segment) -> Json:
    """A segment inside a broadcast or a contact: the documented shape has no color."""
    return {
        "id": segment.id,
        "name": segment.name,
        "contacts_count": len(segment.contact_ids),
        "created_at": ts(segment.created_at),
        "updated_at": ts(segment.updated_at),
    }


SEGMENTS_QUERY = Query(paged=True)


@OPERATIONS.declare("GET", paths.SEGMENTS, "listSegments", "List segments, newest first",
                    answer=Segment, many=True, errors=(400,), query=SEGMENTS_QUERY)
async def list_segments_endpoint(request: Request) -> Response:
    org = await open_org(request)
    page = SEGMENTS_QUERY.parse(request.query_params)["page"]
    return paged(list_segments(org), page, segment_json)


@OPERATIONS.declare("PATCH", paths.SEGMENT, "updateSegment", "Update a segment (name, color)",
                    answer=Segment, body=UPDATE_SEGMENT_BODY, errors=(400, 413))
async def update_segment_endpoint(request: Request) -> Response:
    raw = await read_body(request)
    org = await open_org(request)
    segment = get_segment(org, request.path_params["segment_id"])
    body = UPDATE_SEGMENT_BODY.parse(raw)
    patched(body, non_null=("name", "color"))
    update_segment(org, segment, name=body.name, color=body.color)
    return FastJSONResponse(segment_json(segment))
