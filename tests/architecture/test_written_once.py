"""Things that must agree everywhere are written once: every route template in
emulator/paths.py (the client code in emulator/testing/ aside), the error envelope's
`statusCode` key in emulator/http/errors.py, and no route template in the inbox UI's scripts
(they import them from the generated wire.js)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "emulator"
ROUTE = re.compile(r"^/(orgs/|_emulator|docs\b|openapi\.json)")


def _string_constants(path: Path) -> Iterator[tuple[int, str]]:
    """Every string literal but docstrings, with its line."""
    tree = ast.parse(path.read_text())
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef
                                | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                and id(node) not in docstrings):
            yield node.lineno, node.value


def _modules(*skip: str) -> Iterator[Path]:
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if not any(relative == s or relative.startswith(s) for s in skip):
            yield path


def test_every_route_template_is_written_in_paths_py() -> None:
    found = [f"{path.relative_to(PACKAGE)}:{line}: {text!r}"
             for path in _modules("paths.py", "testing/")
             for line, text in _string_constants(path) if ROUTE.match(text)]
    assert found == []


def test_the_ui_scripts_take_their_paths_from_the_server() -> None:
    found = [f"{path.name}: {match}" for path in sorted((PACKAGE / "ui").glob("*"))
             if path.suffix in (".js", ".html")
             for match in re.findall(r"[\"'`]/(?:orgs/|_emulator)[^\"'`]*", path.read_text())]
    assert found == []


def test_the_envelope_key_is_written_in_one_module() -> None:
    found = [path.relative_to(PACKAGE).as_posix() for path in _modules()
             if "statusCode" in path.read_text()]
    assert found == ["http/errors.py"]
