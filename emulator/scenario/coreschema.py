"""YAML 1.2 core-schema typing for scenario data: only `true`/`false` (three casings), null,
plain decimal, octal (`0o`) and hex (`0x`) integers and floats are typed; everything else plain
is a string. PyYAML follows YAML 1.1, where `NO`, `off`, `y` are booleans, `0123` is 83 and
`1:20` is 80: here they stay the strings they look like. `yaml11_reading` says when a plain
scalar would have been typed differently by a YAML 1.1 tool, so `validate` can warn about it."""

from __future__ import annotations

import re

import yaml

_TAG = "tag:yaml.org,2002:"
NULL, BOOL, INT, FLOAT, STR = (f"{_TAG}{kind}" for kind in ("null", "bool", "int", "float", "str"))

_DIGITS = "0123456789"
# Decimal integers have no leading zero: `0123` is a string (a zip code, an id), never 83 or 123.
_CORE_RESOLVERS: tuple[tuple[str, str, str], ...] = (
    (NULL, r"^(?:~|null|Null|NULL|)$", "~nN"),
    (BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    (INT, r"^(?:[-+]?(?:0|[1-9][0-9]*)|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+" + _DIGITS),
    (FLOAT, r"^(?:[-+]?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
            r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", "-+." + _DIGITS),
)
# Booleans of the YAML 1.1 spec that PyYAML itself leaves as strings.
_YAML11_SHORT_BOOLEANS = frozenset({"y", "Y", "n", "N"})
_KINDS = {NULL: "null", BOOL: "boolean", INT: "number", FLOAT: "number", STR: "string"}


def install_core_schema(loader: type[yaml.SafeLoader]) -> None:
    """Replace the loader class's YAML 1.1 implicit resolvers by the YAML 1.2 core schema's."""
    loader.yaml_implicit_resolvers = {}
    for tag, pattern, first in _CORE_RESOLVERS:
        # The empty string is null: it has no first character, so it is filed under "".
        firsts = [*first, ""] if tag == NULL else list(first)
        loader.add_implicit_resolver(tag, re.compile(pattern), firsts)


def yaml11_reading(value: str, core_tag: str) -> str | None:
    """What a YAML 1.1 tool would make of this plain scalar, when it differs from `core_tag`."""
    tag = _yaml11_tag(value)
    if tag not in _KINDS or _KINDS[tag] == _KINDS.get(core_tag):
        return None
    return _KINDS[tag]


def kind_of(tag: str) -> str:
    return _KINDS.get(tag, "value")


def _yaml11_tag(value: str) -> str:
    if value in _YAML11_SHORT_BOOLEANS:
        return BOOL
    resolvers = yaml.SafeLoader.yaml_implicit_resolvers
    for tag, regexp in [*resolvers.get(value[:1], []), *resolvers.get(None, [])]:
        if regexp.match(value):
            return str(tag)
    return STR
