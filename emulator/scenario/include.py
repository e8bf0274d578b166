"""`include:` — data files merged into the scenario that names them, paths relative to the
including file. Included files may hold `orgs`, `outcomes`, `faults`, `webhooks` and `include`;
an org whose id the including file already has is merged into it, the included segments,
contacts and broadcasts coming first (as if pasted in at the top) while the including file's
outcome, fault and webhook rules come first (so they take precedence). Every merged value
remembers its file and position, so errors still name the right file, line and column."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path as FilePath
from typing import Any

from emulator.scenario.limits import MAX_FILE_BYTES, ScenarioLimits, include_bytes_problem
from emulator.scenario.problems import Path, Problem, ScenarioError
from emulator.scenario.yamlload import LoadedDocument, load_yaml_text

INCLUDABLE_KEYS = ("orgs", "outcomes", "faults", "webhooks", "include")
_ORG_LISTS = ("segments", "contacts", "broadcasts")
MAX_INCLUDES = 64


@dataclass
class Composed:
    """The merged document, and where each part of it came from."""

    data: dict[str, Any]
    main: LoadedDocument
    origins: dict[Path, tuple[LoadedDocument, Path]] = field(default_factory=dict)
    # Items merged into an org's lists, by (org index, list key), placed at the end.
    merged_items: dict[tuple[int, str], list[tuple[LoadedDocument, Path, Any]]] = field(
        default_factory=dict)
    # Ambiguous plain scalars of every file read (warnings, not errors).
    warnings: list[Problem] = field(default_factory=list)
    limits: ScenarioLimits = field(default_factory=ScenarioLimits)
    bytes_read: int = 0

    def problem(self, path: Path, message: str) -> Problem:
        for end in range(len(path), 0, -1):
            origin = self.origins.get(path[:end])
            if origin is not None:
                document, original = origin
                return document.problem((*original, *path[end:]), message)
        return self.main.problem(path, message)


def read_document(path: FilePath) -> LoadedDocument:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ScenarioError([Problem(str(path), 1, 1, (),
                                         f"larger than {MAX_FILE_BYTES} bytes")])
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError([Problem(str(path), 1, 1, (), f"cannot read: {error}")]) from None
    return load_yaml_text(text, str(path))


def compose(main: LoadedDocument, base_dir: FilePath | None,
            main_path: FilePath | None = None, limits: ScenarioLimits | None = None) -> Composed:
    """Merge the files `main` includes; with no `base_dir`, including is refused."""
    if main.data is None:  # an empty document, e.g. a file holding only `---`
        main.data = {}
    if not isinstance(main.data, dict):
        raise ScenarioError([main.problem((), "a scenario must be a mapping of keys")])
    data = {key: value for key, value in main.data.items() if key != "include"}
    composed = Composed(data, main, warnings=list(main.warnings),
                        limits=limits or ScenarioLimits(), bytes_read=main.size)
    too_big = include_bytes_problem(main.size, composed.limits)
    if too_big:
        raise ScenarioError([main.problem((), too_big)])
    chain = [main_path.resolve()] if main_path is not None else []
    _include_all(composed, main, base_dir, chain, counter=[0])
    _place_merged_items(composed)
    return composed


def _place_merged_items(composed: Composed) -> None:
    """Order an org's items as the files were read, includes before includers (so the main
    file's own items come last), and remember where each one came from."""
    orgs = composed.data.get("orgs")
    for (org_index, key), included in composed.merged_items.items():
        assert isinstance(orgs, list)
        org = orgs[org_index]
        own = org.get(key) or []
        if not isinstance(own, list):
            continue  # the schema reports the including file's own mistake
        owner, owner_path = composed.origins.get(("orgs", org_index),
                                                 (composed.main, ("orgs", org_index)))
        parts = [(owner, (*owner_path, key, position), item) for position, item in enumerate(own)]
        # The org's defining file was read before every file that merges into it, except the
        # main file, whose own items follow everything it includes.
        ordered = [*included, *parts] if owner is composed.main else [*parts, *included]
        for position, (document, original, _) in enumerate(ordered):
            composed.origins[("orgs", org_index, key, position)] = (document, original)
        org[key] = [item for _, _, item in ordered]


def _include_all(composed: Composed, document: LoadedDocument, base_dir: FilePath | None,
                 chain: list[FilePath], counter: list[int]) -> None:
    assert isinstance(document.data, dict)
    includes = document.data.get("include", [])
    if includes and base_dir is None:
        raise ScenarioError([document.problem(
            ("include",), "a scenario sent in a request cannot include files; send it whole "
                          "(the pytest marker and `invent-emulator serve` read files)")])
    if not isinstance(includes, list) or not all(isinstance(i, str) for i in includes):
        raise ScenarioError([document.problem(("include",), "include must be a list of paths")])
    for index, name in enumerate(includes):
        counter[0] += 1
        if counter[0] > MAX_INCLUDES:
            raise ScenarioError([document.problem(("include", index),
                                                  f"more than {MAX_INCLUDES} included files")])
        path = (base_dir / name).resolve()
        if path in chain:
            raise ScenarioError([document.problem(("include", index),
                                                  f"'{name}' includes itself (a cycle)")])
        if not path.is_file():
            raise ScenarioError([document.problem(("include", index),
                                                  f"included file '{name}' not found")])
        included = read_document(path)
        _account(composed, included, document.problem(("include", index), ""))
        if included.data is None or included.data == {}:
            continue
        _check_includable(included)
        # A file's own includes first: what it includes comes before what it holds itself.
        _include_all(composed, included, path.parent, [*chain, path], counter)
        _merge(composed, included)


def _check_includable(included: LoadedDocument) -> None:
    """An included file is a mapping of the keys an included file may hold."""
    if not isinstance(included.data, dict):
        raise ScenarioError([included.problem((), "an included file must be a mapping")])
    for key in included.data:
        if key not in INCLUDABLE_KEYS:
            raise ScenarioError([included.problem(
                (key,), f"'{key}' may appear only in the main scenario file; an included "
                        f"file holds {', '.join(INCLUDABLE_KEYS)}")])


def _account(composed: Composed, included: LoadedDocument, where: Problem) -> None:
    """Keep an included file's warnings, and refuse it if the files read so far are too big."""
    composed.warnings += included.warnings
    composed.bytes_read += included.size
    too_big = include_bytes_problem(composed.bytes_read, composed.limits)
    if too_big:
        raise ScenarioError([replace(where, message=too_big)])


def _merge(composed: Composed, included: LoadedDocument) -> None:
    assert isinstance(included.data, dict)
    for key in ("outcomes", "faults", "webhooks"):
        items = included.data.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            raise ScenarioError([included.problem((key,), f"{key} must be a list")])
        target = composed.data.setdefault(key, [])
        if not isinstance(target, list):
            return  # the schema reports the main file's own mistake
        for index, item in enumerate(items):
            composed.origins[(key, len(target))] = (included, (key, index))
            target.append(item)
    orgs = included.data.get("orgs")
    if orgs is None:
        return
    if not isinstance(orgs, list):
        raise ScenarioError([included.problem(("orgs",), "orgs must be a list")])
    target_orgs = composed.data.setdefault("orgs", [])
    if not isinstance(target_orgs, list):
        return
    for index, org in enumerate(orgs):
        _merge_org(composed, included, target_orgs, org, index)


def _merge_org(composed: Composed, included: LoadedDocument, target_orgs: list[Any], org: Any,
               index: int) -> None:
    existing = next((i for i, o in enumerate(target_orgs)
                     if isinstance(o, dict) and isinstance(org, dict)
                     and org.get("id") is not None and o.get("id") == org.get("id")), None)
    if existing is None:
        composed.origins[("orgs", len(target_orgs))] = (included, ("orgs", index))
        target_orgs.append(org)
        return
    into = target_orgs[existing]
    for key, value in org.items():
        here = ("orgs", existing, key)
        if key in _ORG_LISTS and isinstance(value, list):
            parts = composed.merged_items.setdefault((existing, key), [])
            parts.extend((included, ("orgs", index, key, item_index), item)
                         for item_index, item in enumerate(value))
        elif key == "id":
            continue
        elif key in into:
            raise ScenarioError([included.problem(
                ("orgs", index, key), f"'{key}' of org '{org['id']}' is already set by the "
                                      "including file")])
        else:
            into[key] = value
            composed.origins[here] = (included, ("orgs", index, key))
