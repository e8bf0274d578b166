"""Which org a request may act on, from its API key: the documented 401 and 404 rules."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from emulator.domain.errors import unauthorized
from emulator.domain.org import Org

# `c` in a path means "the org of the key".
ORG_ALIAS = "c"


def authorize(api_key: str | None, org_id: str, keys: Mapping[str, str],
              lookup: Callable[[str], Org], orgs: Mapping[str, Org]) -> Org:
    """`c` is the key's own org; any other id must be the key's org or one of its descendants.
    `lookup` finds an org or raises the documented 404."""
    if not api_key:
        raise unauthorized("Missing API key: send 'Authorization: Bearer <api key>'")
    own_id = keys.get(api_key)
    if own_id is None:
        raise unauthorized("Invalid API key")
    if org_id == ORG_ALIAS:
        return lookup(own_id)
    target = lookup(org_id)
    if not reaches(own_id, target, orgs):
        raise unauthorized(f"This API key cannot access org '{org_id}'")
    return target


def reaches(own_id: str, target: Org, orgs: Mapping[str, Org]) -> bool:
    """True if `target` is the org `own_id` or one of its descendants."""
    current: Org | None = target
    seen: set[str] = set()
    while current is not None and current.id not in seen:
        if current.id == own_id:
            return True
        seen.add(current.id)
        current = orgs.get(current.parent_id) if current.parent_id else None
    return False


def parse_bearer(header: str | None) -> str | None:
    """The key of an `Authorization: Bearer <key>` header (scheme in any case); None if absent."""
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized("Malformed Authorization header: expected 'Bearer <api key>'")
    return token.strip()
