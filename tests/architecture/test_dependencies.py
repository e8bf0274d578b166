"""No private internals of a dependency: no module of `emulator/` imports uvicorn's protocol
implementations or a private name of uvicorn or starlette, or subclasses a uvicorn class. The
one recorded reliance beyond uvicorn's documented settings (emulator/connections.py wraps the
protocol class uvicorn resolves) is pinned to the tested uvicorn range, checked here."""

from __future__ import annotations

import ast
import re
import tomllib
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "emulator"
GUARDED = ("uvicorn", "starlette")
# The uvicorn versions the connection guard was tested with: [lowest, first untested).
TESTED_UVICORN = ((0, 36), (0, 56))


def _private(dotted: str) -> bool:
    return any(part.startswith("_") for part in dotted.split("."))


def _offences(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.ClassDef):
            found += [f"subclasses {ast.unparse(b)}" for b in node.bases
                      if ast.unparse(b).split(".")[0] == "uvicorn"]
            continue
        else:
            continue
        for module in modules:
            if module.split(".")[0] not in GUARDED:
                continue
            if module.startswith("uvicorn.protocols") or _private(module):
                found.append(f"imports {module}")
                break  # one offence per import statement
    return found


def test_no_module_relies_on_private_internals_of_uvicorn_or_starlette() -> None:
    offences = {str(p.relative_to(ROOT)): o for p in sorted(PACKAGE.rglob("*.py"))
                if (o := _offences(p))}
    assert offences == {}


def test_the_scan_finds_what_it_forbids(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import uvicorn\nfrom uvicorn.protocols.http.httptools_impl import H\n"
                      "from uvicorn._compat import asyncio_run\nfrom starlette._utils import x\n"
                      "class S(uvicorn.Server): pass\n")
    assert len(_offences(sample)) == 4


def _release(text: str) -> tuple[int, int]:
    major, minor = re.match(r"(\d+)\.(\d+)", text).groups()  # type: ignore[union-attr]
    return int(major), int(minor)


def test_uvicorn_is_pinned_to_the_tested_range() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    [pin] = [d for d in project["project"]["dependencies"] if d.startswith("uvicorn")]
    low, high = TESTED_UVICORN
    assert pin == f"uvicorn>={low[0]}.{low[1]},<{high[0]}.{high[1]}"


def test_the_installed_uvicorn_is_a_tested_one() -> None:
    # Fails on an untested uvicorn: test the connection guard and the stop with it (the
    # sidecar tests), then widen TESTED_UVICORN and the pin in pyproject.toml together.
    low, high = TESTED_UVICORN
    assert low <= _release(version("uvicorn")) < high, version("uvicorn")
