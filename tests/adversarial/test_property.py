"""Properties over the public API and the control surface: whatever the method, path, ids,
query, credentials and body, the emulator answers a 2xx with JSON or a 4xx in the documented
envelope — never a 5xx, never a traceback. (Schema validation of the 2xx bodies waits for the
OpenAPI document.)"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.hostile import KEY, assert_envelope
from support.wire import START

from emulator import create_app
from emulator.testing import VirtualClock
from emulator.testing.inprocess import InProcessTransport

# (method, path template) of every public route, as in emulator/http/routes.py.
ROUTES = [
    ("GET", "/orgs/{org}/broadcasts"), ("POST", "/orgs/{org}/broadcasts"),
    ("GET", "/orgs/{org}/broadcasts/{broadcast}/recipients"),
    ("POST", "/orgs/{org}/broadcasts/{broadcast}/send"),
    ("GET", "/orgs/{org}/contacts"), ("POST", "/orgs/{org}/contacts"),
    ("PATCH", "/orgs/{org}/contacts/{contact}"),
    ("GET", "/orgs/{org}/contacts/{contact}/segments"),
    ("POST", "/orgs/{org}/contacts/{contact}/segments/{segment}"),
    ("GET", "/orgs/{org}/segments"), ("PATCH", "/orgs/{org}/segments/{segment}"),
]
KNOWN_IDS = {
    "org": ["c", "org_acme"], "broadcast": ["bc_otp", "bc_spring"],
    "contact": ["ct_ada", "ct_bob", "ct_mallory"], "segment": ["seg_vip", "seg_customers"],
}
CONTROL_ROUTES = [
    ("POST", "/_emulator/reset"), ("PUT", "/_emulator/scenario"),
    ("POST", "/_emulator/clock/advance"), ("GET", "/_emulator/clock"),
    ("GET", "/_emulator/magic"), ("GET", "/_emulator/suppressions"),
    ("DELETE", "/_emulator/suppressions"), ("GET", "/_emulator/webhooks"),
    ("POST", "/_emulator/orgs/{org}/broadcasts/{broadcast}/activate"),
    ("POST", "/_emulator/orgs/{org}/broadcasts/{broadcast}/pause"), ("POST", "/_emulator/orgs"),
    ("DELETE", "/_emulator/orgs/{org}"), ("GET", "/_emulator/orgs/{org}/broadcasts/{broadcast}"),
    ("GET", "/_emulator/messages"), ("GET", "/_emulator/requests"),
    ("POST", "/_emulator/orgs/{org}/broadcasts/{broadcast}/cancel"),
    ("POST", "/_emulator/orgs/{org}/broadcasts/{broadcast}/templates"),
]
QUERY_KEYS = ["page", "take", "status", "name", "email", "phone", "segment_id", "is_sent",
              "is_delivered", "contact_id", "search", "x", "org_id", "limit", "to", "method",
              "path", "broadcast_id"]
BODY_KEYS = ["email", "phone", "contact_id", "contact_channel_id", "variables", "template_ids",
             "background", "name", "type", "segment_ids", "send_to_all", "scheduled_at",
             "properties", "blocked", "color", "channels"]

text = st.text(max_size=40)
scalars = st.none() | st.booleans() | st.integers() | st.floats() | text
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(text, inner, max_size=4), max_leaves=12)
bodies = (st.none()
          | st.dictionaries(st.sampled_from(BODY_KEYS) | text, json_values, max_size=5)
          | json_values | st.binary(max_size=64))


def _segment(name: str) -> st.SearchStrategy[str]:
    raw = st.sampled_from(KNOWN_IDS[name]) | st.text(min_size=1, max_size=30)
    return raw.map(lambda value: quote(value, safe=""))


Request = tuple[str, str, dict[str, str], dict[bytes, bytes], Any]


@st.composite
def requests(draw: st.DrawFn, routes: list[tuple[str, str]] = ROUTES) -> Request:
    method, template = draw(st.sampled_from(routes))
    if draw(st.integers(0, 9)) == 0:
        method = draw(st.sampled_from(["GET", "POST", "PATCH", "PUT", "DELETE", "OPTIONS"]))
    names = [part[1:-1] for part in template.split("/") if part.startswith("{")]
    path = template.format(**{name: draw(_segment(name)) for name in names})
    query = draw(st.dictionaries(st.sampled_from(QUERY_KEYS), text, max_size=3))
    key = draw(st.sampled_from([KEY, KEY, KEY, "", "wrong"]) | text)
    headers = {b"Authorization": f"Bearer {key}".encode()} if key.isprintable() else {}
    return method, path, query, headers, draw(bodies)


@pytest.fixture(scope="module")
def emulator() -> Iterator[tuple[httpx.Client, Any]]:
    app = create_app(clock=VirtualClock(START))
    transport = InProcessTransport(app)
    with httpx.Client(transport=transport, base_url="http://emulator.test") as client:
        yield client, app
    transport.shutdown()


def _checks(examples: int) -> settings:
    return settings(max_examples=examples, derandomize=True, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@pytest.mark.slow  # a heavy case: left out by `dev.py test --fast`
@_checks(300)
@given(request=requests())
def test_any_public_request_is_a_2xx_or_a_4xx_envelope(
        emulator: tuple[httpx.Client, Any], caplog: pytest.LogCaptureFixture,
        request: Request) -> None:
    _check(emulator, caplog, request)


@pytest.mark.slow  # a heavy case: left out by `dev.py test --fast`
@_checks(150)
@given(request=requests(CONTROL_ROUTES))
def test_any_control_request_is_a_2xx_or_a_4xx_envelope(
        emulator: tuple[httpx.Client, Any], caplog: pytest.LogCaptureFixture,
        request: Request) -> None:
    _check(emulator, caplog, request)


def _check(emulator: tuple[httpx.Client, Any], caplog: pytest.LogCaptureFixture,
           request: Request) -> None:
    client, app = emulator
    method, path, query, headers, body = request
    content = body if isinstance(body, bytes) else (
        None if body is None else json.dumps(body).encode())
    with caplog.at_level(logging.WARNING, logger="emulator"):
        response = client.request(method, path, params=query, headers=headers, content=content)
    if response.status_code < 300:
        assert response.status_code >= 200, response.status_code
        json.loads(response.content)
    else:
        assert_envelope(response)
    assert not app.state.errors, app.state.errors
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
