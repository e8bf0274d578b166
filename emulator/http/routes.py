"""The whole HTTP surface on one screen: the documented public API, then the control surface."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from emulator.domain.broadcasts import BroadcastAction
from emulator.http import contacts, control, events, inbox, inspection, public, ui
from emulator.http.control import Endpoint
from emulator.http.explorer import DOCS_ROUTES


def by_method(**endpoints: Endpoint) -> Endpoint:
    """One path served by several methods, so a 405 lists all of them in `Allow`."""

    async def endpoint(request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        return await endpoints[method](request)

    return endpoint


PUBLIC_ROUTES = [
    Route("/orgs/{org_id}/broadcasts", by_method(GET=public.list_broadcasts_endpoint,
                                                 POST=public.create_broadcast_endpoint),
          methods=["GET", "POST"]),
    Route("/orgs/{org_id}/broadcasts/{broadcast_id}/recipients",
          public.list_recipients_endpoint, methods=["GET"]),
    Route("/orgs/{org_id}/broadcasts/{broadcast_id}/send", public.send_endpoint,
          methods=["POST"]),
    Route("/orgs/{org_id}/contacts", by_method(GET=contacts.list_contacts_endpoint,
                                               POST=contacts.create_contact_endpoint),
          methods=["GET", "POST"]),
    Route("/orgs/{org_id}/contacts/{contact_id}", contacts.update_contact_endpoint,
          methods=["PATCH"]),
    Route("/orgs/{org_id}/contacts/{contact_id}/segments", contacts.contact_segments_endpoint,
          methods=["GET"]),
    Route("/orgs/{org_id}/contacts/{contact_id}/segments/{segment_id}",
          contacts.add_contact_to_segment_endpoint, methods=["POST"]),
    Route("/orgs/{org_id}/segments", contacts.list_segments_endpoint, methods=["GET"]),
    Route("/orgs/{org_id}/segments/{segment_id}", contacts.update_segment_endpoint,
          methods=["PATCH"]),
]

CONTROL_ROUTES = [
    Route("/_emulator/health", control.health, methods=["GET"]),
    Route("/_emulator/reset", control.reset, methods=["POST"]),
    Route("/_emulator/scenario", control.put_scenario, methods=["PUT"]),
    Route("/_emulator/snapshot", control.snapshot, methods=["POST"]),
    Route("/_emulator/clock", inspection.get_clock, methods=["GET"]),
    Route("/_emulator/clock/advance", control.advance_clock, methods=["POST"]),
    Route("/_emulator/magic", inspection.magic, methods=["GET"]),
    Route("/_emulator/suppressions", by_method(GET=inspection.list_suppressions,
                                               DELETE=inspection.clear_suppressions),
          methods=["GET", "DELETE"]),
    Route("/_emulator/webhooks", inspection.list_webhooks, methods=["GET"]),
    *(Route(f"/_emulator/orgs/{{org_id}}/broadcasts/{{broadcast_id}}/{action.value}",
            control.broadcast_action(action), methods=["POST"])
      for action in BroadcastAction),
    Route("/_emulator/orgs", by_method(GET=inbox.list_orgs, POST=control.create_org),
          methods=["GET", "POST"]),
    Route("/_emulator/orgs/{org_id}", control.delete_org, methods=["DELETE"]),
    Route("/_emulator/orgs/{org_id}/broadcasts/{broadcast_id}", inspection.get_broadcast,
          methods=["GET"]),
    Route("/_emulator/orgs/{org_id}/broadcasts/{broadcast_id}/recipients/{recipient_id}",
          inspection.get_recipient, methods=["GET"]),
    Route("/_emulator/messages", by_method(GET=inspection.list_messages,
                                           DELETE=inspection.clear_messages),
          methods=["GET", "DELETE"]),
    Route("/_emulator/events", events.stream_events, methods=["GET"]),
    Route("/_emulator/requests", by_method(GET=inspection.list_requests,
                                           DELETE=inspection.clear_requests),
          methods=["GET", "DELETE"]),
    Route("/_emulator/orgs/{org_id}/broadcasts/{broadcast_id}/cancel", control.cancel_endpoint,
          methods=["POST"]),
    Route("/_emulator/orgs/{org_id}/broadcasts/{broadcast_id}/templates",
          control.add_template_endpoint, methods=["POST"]),
]

# What the inbox UI reads (emulator/http/inbox.py) and the UI's own files.
INBOX_ROUTES = [
    Route("/_emulator/orgs/{org_id}/broadcasts", inbox.list_org_broadcasts, methods=["GET"]),
    Route("/_emulator/orgs/{org_id}/recipients", inbox.list_org_rows, methods=["GET"]),
    Route("/_emulator/orgs/{org_id}/messages/{recipient_id}",
          by_method(GET=inbox.get_org_message, DELETE=inspection.hide_message),
          methods=["GET", "DELETE"]),
    Route(ui.UI_PREFIX, ui.ui_index, methods=["GET"]),
    Route(ui.UI_PREFIX + "/{name}", ui.ui_asset, methods=["GET"]),
]

# /openapi.json and the explorer at /docs (http/explorer.py).
ROUTES = PUBLIC_ROUTES + CONTROL_ROUTES + INBOX_ROUTES + DOCS_ROUTES
