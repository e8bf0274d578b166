"""Fills `{{variable}}` placeholders in a template's config, as the send resolved them.

Variables are any JSON (seed 000: "variables object"); a placeholder reaches into objects and
arrays with dots (`{{order.id}}`, `{{items.0.name}}`). A name that is itself a key (a variable
called `order.id`) wins over the path. A path that leads nowhere, or to null, is missing: it
renders empty and is listed by `missing_variables`."""

from __future__ import annotations

import json
import re
from typing import Any

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_.\-]+)\s*\}\}")
_INDEX = re.compile(r"0|[1-9][0-9]*")


def placeholders(config: Any) -> list[str]:
    """Every variable name a config refers to, in order of first appearance."""
    names: dict[str, None] = {}
    for text in _strings(config):
        for match in _PLACEHOLDER.finditer(text):
            names.setdefault(match.group(1), None)
    return list(names)


def lookup(variables: dict[str, Any], name: str) -> Any:
    """The value a placeholder names: the key itself, else the dotted path; None if missing."""
    if name in variables:
        return variables[name]
    value: Any = variables
    for part in name.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and _INDEX.fullmatch(part) and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def render_config(config: dict[str, Any], variables: dict[str, Any]) -> dict[str, Any]:
    rendered = _render(config, variables)
    assert isinstance(rendered, dict)
    return rendered


def missing_variables(config: dict[str, Any], variables: dict[str, Any]) -> list[str]:
    return [name for name in placeholders(config) if lookup(variables, name) is None]


def _render(value: Any, variables: dict[str, Any]) -> Any:
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda m: _text(lookup(variables, m.group(1))), value)
    if isinstance(value, dict):
        return {key: _render(item, variables) for key, item in value.items()}
    if isinstance(value, list):
        return [_render(item, variables) for item in value]
    return value


def _text(value: Any) -> str:
    """A missing placeholder renders empty; booleans, objects and arrays as JSON writes them."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | dict | list):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []
