"""Fills `{{variable}}` placeholders in a template's config, as the send resolved them."""

from __future__ import annotations

import re
from typing import Any

from emulator.domain.entities import JsonScalar

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_.\-]+)\s*\}\}")


def placeholders(config: Any) -> list[str]:
    """Every variable name a config refers to, in order of first appearance."""
    names: dict[str, None] = {}
    for text in _strings(config):
        for match in _PLACEHOLDER.finditer(text):
            names.setdefault(match.group(1), None)
    return list(names)


def render_config(config: dict[str, Any], variables: dict[str, JsonScalar]) -> dict[str, Any]:
    rendered = _render(config, variables)
    assert isinstance(rendered, dict)
    return rendered


def missing_variables(config: dict[str, Any], variables: dict[str, JsonScalar]) -> list[str]:
    return [name for name in placeholders(config) if name not in variables]


def _render(value: Any, variables: dict[str, JsonScalar]) -> Any:
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda m: _text(variables.get(m.group(1))), value)
    if isinstance(value, dict):
        return {key: _render(item, variables) for key, item in value.items()}
    if isinstance(value, list):
        return [_render(item, variables) for item in value]
    return value


def _text(value: JsonScalar) -> str:
    """A missing placeholder renders empty; booleans as JSON writes them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []
