"""Asserting on an org's request journal (`InventOrg.assert_requested`): which entries match,
and a failure that lists what the org did receive, closest to what was expected first."""

from __future__ import annotations

import difflib
import json
from fnmatch import fnmatchcase
from typing import Any

# How many received requests a failure lists.
SHOWN = 15
# No body to compare (any body matches), or an entry without a JSON body.
ANY_BODY: Any = object()


def parsed_body(entry: dict[str, Any]) -> Any:
    """The entry's body as JSON, or a marker that it has none (or it is not JSON)."""
    try:
        return json.loads(entry["body"]) if entry["body"] else ANY_BODY
    except ValueError:
        return ANY_BODY


def matches(entry: dict[str, Any], method: str | None, path: str | None,
            body: Any = ANY_BODY, status: int | None = None) -> bool:
    return ((method is None or entry["method"] == method.upper())
            and (path is None or fnmatchcase(entry["path"], path))
            and (body is ANY_BODY or parsed_body(entry) == body)
            and (status is None or entry["status"] == status))


def check_requested(received: list[dict[str, Any]], method: str, path: str,
                    count: int | None, body: Any) -> list[dict[str, Any]]:
    """The matching entries; AssertionError with the received ones, closest first, otherwise."""
    found = [e for e in received if matches(e, method, path, body)]
    if (count is None and found) or (count is not None and len(found) == count):
        return found
    wanted = f"{method.upper()} {path}" + ("" if body is ANY_BODY
                                           else f" with JSON {json.dumps(body)}")
    expected = "at least once" if count is None else f"{count} time(s)"
    lines = [f"expected {wanted} {expected}, it was made {len(found)} time(s)."]
    if not received:
        lines.append("The org received no requests.")
    else:
        ranked = sorted(received, key=lambda e: _distance(e, method, path, body))
        lines.append(f"The org received {len(received)} request(s), closest first:")
        lines += [f"  {_describe(e)}" for e in ranked[:SHOWN]]
        if len(received) > SHOWN:
            lines.append(f"  … and {len(received) - SHOWN} more")
    raise AssertionError("\n".join(lines))


def _distance(entry: dict[str, Any], method: str, path: str, body: Any) -> tuple[int, float]:
    """Fewer mismatched parts first, then the most similar path."""
    misses = ((entry["method"] != method.upper()) + (not fnmatchcase(entry["path"], path))
              + (body is not ANY_BODY and parsed_body(entry) != body))
    similarity = difflib.SequenceMatcher(None, entry["path"], path).ratio()
    return misses, -similarity


def _describe(entry: dict[str, Any]) -> str:
    query = f"?{entry['query']}" if entry["query"] else ""
    body = entry["body"]
    if len(body) > 200:
        body = body[:200] + "…"
    return (f"{entry['method']} {entry['path']}{query} → {entry['status']}"
            + (f"  {body}" if body else ""))
