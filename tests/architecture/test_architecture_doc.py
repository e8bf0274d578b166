"""docs/architecture.md names only modules, classes and functions that exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "architecture.md").read_text()
PATHS = sorted(set(re.findall(r"`((?:emulator|tests)/[\w/]+(?:\.py)?/?)`", DOC)))
# Names the page uses that belong to the frameworks, not to this package.
FRAMEWORK_NAMES = {"Route", "Host", "json.dumps", "C901", "PLR0912", "PLR0915"}
FILE_SUFFIXES = (".py", ".js", ".toml")
NAMES = sorted(set(re.findall(r"`([A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)?)`", DOC)))


def defined_names() -> set[str]:
    """Every top-level class and function, every method as `Class.method`, and every
    module-level assignment (constants, tables) in the package."""
    names: set[str] = set()
    for path in (ROOT / "emulator").rglob("*.py"):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ClassDef):
                names.add(node.name)
                names.update(f"{node.name}.{item.name}" for item in node.body
                             if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef))
                names.update(f"{node.name}.{item.target.id}" for item in node.body
                             if isinstance(item, ast.AnnAssign)
                             and isinstance(item.target, ast.Name))
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                names.add(node.name)
            elif isinstance(node, ast.Assign):
                names.update(t.id for t in node.targets if isinstance(t, ast.Name))
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names.add(node.target.id)
    return names


def test_every_path_named_exists() -> None:
    assert PATHS, "the page names no path"
    missing = [p for p in PATHS if not (ROOT / p).exists()]
    assert missing == []


def test_every_code_name_exists() -> None:
    known = defined_names()
    # Backticked words that are not code: routes, flags, YAML keys and the like.
    candidates = [n for n in NAMES if (n[0].isupper() or "_" in n or "." in n)
                  and not n.endswith(FILE_SUFFIXES) and n not in FRAMEWORK_NAMES]
    missing = [n for n in candidates if n not in known and not _is_attribute(n, known)]
    assert missing == []


def _is_attribute(name: str, known: set[str]) -> bool:
    """`Org.policy` and the like: an attribute set on an instance of a known class."""
    owner, _, attribute = name.partition(".")
    if not attribute or owner not in known:
        return False
    return any(f"self.{attribute} =" in p.read_text() or f"    {attribute}:" in p.read_text()
               for p in (ROOT / "emulator").rglob("*.py"))
