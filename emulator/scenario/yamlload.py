"""YAML loading that cannot be abused: no tags beyond plain data, no anchors or aliases (no alias
bombs), no duplicate keys, bounded size and depth; plain scalars typed by the YAML 1.2 core schema
(`NO` stays a string). Remembers where every value stood, so later errors can name the line and
column, and which plain scalars a YAML 1.1 tool would read differently (warnings)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from emulator.scenario.coreschema import install_core_schema, kind_of, yaml11_reading
from emulator.scenario.limits import MAX_FILE_BYTES
from emulator.scenario.problems import Path, Problem, ScenarioError
from emulator.support.jsonvalues import check_text

MAX_DEPTH = 64

_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
)


@dataclass
class LoadedDocument:
    """A parsed document with the position of every value, by its path."""

    file: str
    data: Any
    marks: dict[Path, tuple[int, int]] = field(default_factory=dict)
    # Plain scalars a YAML 1.1 tool would type differently (`no`, `0123`, `1:20`).
    warnings: list[Problem] = field(default_factory=list)
    # Bytes of the text it was read from (0 for data that came parsed, as a JSON body).
    size: int = 0

    def problem(self, path: Path, message: str) -> Problem:
        line, column = self.position(path)
        return Problem(self.file, line, column, path, message)

    def position(self, path: Path) -> tuple[int, int]:
        # An error may point below the last value we know (a missing key): use the nearest parent.
        for end in range(len(path), -1, -1):
            if path[:end] in self.marks:
                return self.marks[path[:end]]
        return (1, 1)


class _HardenedLoader(yaml.SafeLoader):
    """Refuses anchors and aliases while composing, before anything could be expanded."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.MarkedYAMLError(
                problem="anchors and aliases (&, *) are not allowed in scenario files",
                problem_mark=event.start_mark,
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.MarkedYAMLError(
                    problem=f"nesting deeper than {MAX_DEPTH} levels", problem_mark=event.start_mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


install_core_schema(_HardenedLoader)


def load_yaml_text(text: str, file: str) -> LoadedDocument:
    size = len(text.encode("utf-8", errors="replace"))
    if size > MAX_FILE_BYTES:
        raise ScenarioError([Problem(file, 1, 1, (), f"larger than {MAX_FILE_BYTES} bytes")])
    document = LoadedDocument(file, None, size=size)
    loader: _HardenedLoader | None = None
    try:
        # The reader refuses control characters already while being built: inside the `try`.
        loader = _HardenedLoader(text)
        root = loader.get_single_node()
        document.data = {} if root is None else _construct(loader, root, (), document)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = error.problem or error.context or "invalid YAML"
        raise ScenarioError([Problem(file, line, column, (), problem)]) from None
    except yaml.reader.ReaderError as error:
        before = text[:error.position]
        line, column = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        problem = f"character {error.character!r} is not allowed in YAML"
        raise ScenarioError([Problem(file, line, column, (), problem)]) from None
    except yaml.YAMLError as error:
        raise ScenarioError([Problem(file, 1, 1, (), f"invalid YAML: {error}")]) from None
    except (ValueError, RecursionError, OverflowError) as error:
        raise ScenarioError([Problem(file, 1, 1, (), f"unreadable value: {error}")]) from None
    finally:
        if loader is not None:
            loader.dispose()
    return document


def _construct(loader: _HardenedLoader, node: yaml.Node, path: Path,
               document: LoadedDocument) -> Any:
    if node.tag not in _PLAIN_TAGS:
        raise yaml.MarkedYAMLError(
            problem=f"the tag '{node.tag}' is not allowed: scenario files hold plain data only",
            problem_mark=node.start_mark,
        )
    document.marks.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(loader, key_node)
            if not isinstance(key, str | int) or isinstance(key, bool):
                raise yaml.MarkedYAMLError(
                    problem="mapping keys must be plain strings (quote the key)",
                    problem_mark=key_node.start_mark,
                )
            if key in result:
                raise yaml.MarkedYAMLError(
                    problem=f"duplicate key '{key}'", problem_mark=key_node.start_mark
                )
            child = (*path, key)
            document.marks[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            _note_ambiguity(key_node, child, document)
            result[key] = _construct(loader, value_node, child, document)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _construct(loader, item, (*path, index), document)
            for index, item in enumerate(node.value)
        ]
    _note_ambiguity(node, path, document)
    return _scalar(loader, node)


def _note_ambiguity(node: yaml.Node, path: Path, document: LoadedDocument) -> None:
    if not isinstance(node, yaml.ScalarNode) or node.style is not None:
        return  # quoted scalars are strings under every YAML version
    other = yaml11_reading(node.value, node.tag)
    if other is None:
        return
    document.warnings.append(Problem(
        document.file, node.start_mark.line + 1, node.start_mark.column + 1, path,
        f"warning: {node.value!r} is a {kind_of(node.tag)} here (YAML 1.2) but a {other} to "
        "YAML 1.1 tools; quote it to say which you mean"))


def _scalar(loader: _HardenedLoader, node: yaml.Node) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        raise yaml.MarkedYAMLError(
            problem="mapping keys must be plain strings", problem_mark=node.start_mark
        )
    if node.tag not in _PLAIN_TAGS:
        raise yaml.MarkedYAMLError(
            problem=f"the tag '{node.tag}' is not allowed: scenario files hold plain data only",
            problem_mark=node.start_mark,
        )
    try:
        value = loader.construct_object(node, deep=True)
        if isinstance(value, str):
            check_text(value, "text")
        return value
    except ValueError as error:
        raise yaml.MarkedYAMLError(
            problem=f"unreadable value: {error}", problem_mark=node.start_mark
        ) from None
