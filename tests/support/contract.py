"""The self-contract: every answer the emulator gives during the test suite is checked against
its own OpenAPI document (status documented, headers present, body valid under JSON Schema
2020-12). Installed by tests/conftest.py around the app class, so it sees every in-process,
threaded or served-in-thread emulator whatever client the test uses; a mismatch fails the test.

Exempt (docs/decisions.md, "API description"): answers injected by the scenario's `faults:`
and by run-time faults, starlette's own CORS preflight answers, and the pages and assets of the
explorer. uvicorn's plain-text protocol errors never reach the app, so they are never seen
here."""

from __future__ import annotations

import json
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import jsonschema_rs
import pytest
import yaml
from jsonschema import Draft202012Validator
from starlette.applications import Starlette
from starlette.routing import Match
from starlette.types import Message, Receive, Scope, Send

from emulator.http.openapi import openapi_document
from emulator.http.routes import OPERATIONS, ROUTES

Json = dict[str, Any]
# The first argument is the app itself (the emulator's Starlette subclass).
AppCall = Callable[[Any, Scope, Receive, Send], Awaitable[None]]
# Answered by the router before any operation: no route (404), wrong method (405), a body over
# the cap (413), a trailing slash (307 redirect, no body).
UNROUTED_STATUSES = {404, 405, 413}

# Where the session keeps the contract, and the app's own call while it is wrapped.
CONTRACT: pytest.StashKey[Contract] = pytest.StashKey()
ORIGINAL_CALL: pytest.StashKey[Any] = pytest.StashKey()


def fault_rules(app: Starlette) -> list[Any]:
    """The adapter to the emulator's state: the loaded scenario's fault rules and every org's
    run-time faults (each a FaultRule with `matches(method, path)`)."""
    emulator = app.state.emulator
    return [*(state.rule for state in emulator.faults.faults),
            *(fault.rule for org in emulator.registry.orgs.values()
              for fault in org.faults.rules)]


@dataclass
class Contract:
    document: Json
    problems: list[str] = field(default_factory=list)
    checked: int = 0
    _validators: dict[tuple[str, str, str], _Compiled] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def build(cls) -> Contract:
        return cls(openapi_document(ROUTES))

    def take_problems(self) -> list[str]:
        with self._lock:
            found, self.problems = self.problems, []
        return found

    def _record(self, problem: str) -> None:
        with self._lock:
            self.problems.append(problem)

    def wrap(self, original: AppCall) -> AppCall:
        """The app's __call__, checking each answer before its last byte reaches the client."""

        async def checked_call(app: Starlette, scope: Scope, receive: Receive,
                               send: Send) -> None:
            if scope["type"] != "http" or _exempt(app, scope):
                await original(app, scope, receive, send)
                return
            start: Message | None = None
            chunks: list[bytes] = []

            async def checking_send(message: Message) -> None:
                nonlocal start
                if message["type"] == "http.response.start":
                    start = message
                elif message["type"] == "http.response.body":
                    chunks.append(message.get("body", b""))
                    if not message.get("more_body", False) and start is not None:
                        self.check(app, scope, start, b"".join(chunks))
                await send(message)

            await original(app, scope, receive, checking_send)

        return checked_call

    def check(self, app: Starlette, scope: Scope, start: Message, body: bytes) -> None:
        method, path, status = scope["method"], scope["path"], start["status"]
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in start.get("headers", [])}
        where = f"{method} {path} answered {status}"
        try:
            problem = self._problem(app, scope, status, headers, body)
        except Exception as error:  # a broken check must show, not pass silently
            problem = f"the contract check itself failed: {error!r}"
        self.checked += 1
        if problem:
            self._record(f"{where}: {problem}\n  body: {body[:500]!r}")

    def _problem(self, app: Starlette, scope: Scope, status: int, headers: dict[str, str],
                 body: bytes) -> str | None:
        template = None if _encoded_slash(scope) else _route_of(app, scope)
        if template is None or OPERATIONS.get((_method(scope), template)) is None:
            if 300 <= status < 400:
                return None
            if status not in UNROUTED_STATUSES:
                return f"no operation here, and {status} is not one the router answers"
            return self._body_problem(("#error", "", str(status)), _error_schema(), headers,
                                      body, scope)
        if OPERATIONS[(_method(scope), template)].hidden:
            return None
        operation = self.document["paths"][template][_method(scope).lower()]
        answer = operation["responses"].get(str(status))
        if answer is None:
            documented = ", ".join(operation["responses"])
            return f"status {status} is not documented (documented: {documented})"
        header_problem = _header_problem(answer, headers)
        if header_problem:
            return header_problem
        if "application/yaml" in answer["content"]:  # a scenario file (an org's export)
            return _yaml_problem(headers, body)
        return self._content_problem((template, _method(scope), str(status)), answer["content"],
                                     headers, body, scope)

    def _content_problem(self, key: tuple[str, str, str], content: Json,
                         headers: dict[str, str], body: bytes, scope: Scope) -> str | None:
        if "application/json" not in content:  # a stream (text/event-stream): its type only
            [media_type] = content
            given = headers.get("content-type", "")
            return None if given.startswith(media_type) else (
                f"content-type {given!r}, documented {media_type}")
        return self._body_problem(key, content["application/json"]["schema"], headers, body,
                                  scope)

    def _body_problem(self, key: tuple[str, str, str], schema: Json, headers: dict[str, str],
                      body: bytes, scope: Scope) -> str | None:
        if scope["method"] == "HEAD":
            return None
        if not headers.get("content-type", "").startswith("application/json"):
            return f"content-type {headers.get('content-type')!r}, documented application/json"
        validator = self._validators.get(key)
        if validator is None:
            validator = self._validators[key] = self._compile(schema)
        instance = json.loads(body)
        if validator.fast.is_valid(instance):
            return None
        # Only an answer the compiled check refuses is walked by the Python validator, whose
        # word is final (and whose messages the report shows).
        errors = sorted(validator.full.iter_errors(instance), key=lambda e: list(e.path))
        if errors:
            return "; ".join(f"at {'/'.join(map(str, e.path)) or '(root)'}: {e.message}"
                             for e in errors[:5])
        return None

    def _compile(self, schema: Json) -> _Compiled:
        """The answer's schema with the document's components as its own $defs."""
        local = {**schema, "$defs": self.document["components"]["schemas"]}
        self_contained = json.loads(json.dumps(local).replace("#/components/schemas/",
                                                              "#/$defs/"))
        return _Compiled(jsonschema_rs.Draft202012Validator(self_contained,
                                                            validate_formats=False),
                         Draft202012Validator(self_contained))


@dataclass(frozen=True)
class _Compiled:
    """One answer schema, compiled twice: `fast` (jsonschema_rs, compiled to native code) checks
    every answer in microseconds, `full` (jsonschema) explains the few it refuses. Validating
    every answer with jsonschema alone cost about a minute of the suite."""

    fast: Any
    full: Draft202012Validator


def _header_problem(answer: Json, headers: dict[str, str]) -> str | None:
    for name, spec in answer.get("headers", {}).items():
        value = headers.get(name.lower())
        if value is None:
            if spec.get("required"):
                return f"the documented header {name} is missing"
        elif spec["schema"].get("type") == "integer" and not value.isdigit():
            return f"header {name}: {value!r} is not an integer"
    return None


def _yaml_problem(headers: dict[str, str], body: bytes) -> str | None:
    if not headers.get("content-type", "").startswith("application/yaml"):
        return f"content-type {headers.get('content-type')!r}, documented application/yaml"
    try:
        yaml.safe_load(body)
    except yaml.YAMLError as error:
        return f"the YAML answer does not parse: {error}"
    return None


def _error_schema() -> Json:
    return {"$ref": "#/components/schemas/Error"}


def _method(scope: Scope) -> str:
    return "GET" if scope["method"] == "HEAD" else str(scope["method"])


def _route_of(app: Starlette, scope: Scope) -> str | None:
    """The path template of the route that serves this request, as starlette picks it."""
    for route in app.routes:
        match, _ = route.matches({**scope, "method": _method(scope)})
        if match is Match.FULL:
            return str(getattr(route, "path", None))
    return None


def _exempt(app: Starlette, scope: Scope) -> bool:
    headers = dict(scope.get("headers", []))
    if scope["method"] == "OPTIONS" and b"access-control-request-method" in headers:
        return True  # a CORS preflight, answered by starlette's CORSMiddleware
    path = scope["path"]
    if path.startswith("/_emulator"):
        return False  # faults never apply to the control surface
    return any(rule.matches(scope["method"], path) for rule in fault_rules(app))


def _encoded_slash(scope: Scope) -> bool:
    """An encoded slash matches no route (the path guard answers 404) though the decoded path
    names one."""
    return b"%2f" in scope.get("raw_path", b"").lower()
