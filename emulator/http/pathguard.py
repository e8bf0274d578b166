"""Paths are routed as the client wrote them: an encoded slash (`%2F`) is part of a name, never a
separator, so `/orgs/c/broadcasts/bc_x%2Fsend` cannot reach the send route. No id contains a
slash, so such a path matches no route: 404 in the envelope, before the router decodes it."""

from __future__ import annotations

from starlette.types import Scope


def has_encoded_slash(scope: Scope) -> bool:
    raw = scope.get("raw_path")
    return isinstance(raw, bytes) and b"%2f" in raw.lower()
