"""The pytest examples of the README and docs/pytest.md (tests/examples/) run green as a user's
suite, in both modes of the plugin (the unittest one also under `python -m unittest`, with no
pytest; the typed one also under mypy --strict), and stay word for word what the pages show."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.docpages import ROOT, blocks, text
from support.pytester import (
    EXAMPLES,
    RUN_TIMEOUT,
    copy_examples,
    example_files,
    report,
    run,
    statuses,
)

# The pages whose Python and YAML blocks are all example files (docs/scenarios.md's YAML blocks
# are scenario fragments, checked by tests/test_doc_pages.py).
EXAMPLE_PAGES = ("README.md", "docs/pytest.md", "docs/inbox.md")


def test_there_are_examples() -> None:
    names = {p.name for p in example_files()}
    assert {"example_isolation.py", "example_otp_flow.py", "example_outcomes.py",
            "example_outcomes.yaml", "example_fastapi.py", "example_django_view.py",
            "example_unittest.py", "example_typed.py"} <= names


@pytest.mark.parametrize("mode_args", [[], ["--invent-mode=inprocess"]],
                         ids=["thread", "inprocess"])
def test_every_readme_example_passes(pytester: pytest.Pytester, mode_args: list[str]) -> None:
    expected = copy_examples(pytester)
    assert expected >= 9

    # As a user's run: every installed plugin, pytest-asyncio's loop scope set as its docs ask.
    result = run(pytester, *mode_args, "-o", "asyncio_default_fixture_loop_scope=function",
                 only_ours=False)

    assert result.ret == pytest.ExitCode.OK, report(result)
    result.assert_outcomes(passed=expected)
    assert all(s == {"PASSED"} for s in statuses(result).values()), report(result)


@pytest.mark.parametrize("example", example_files(), ids=lambda p: p.name)
def test_example_appears_verbatim_on_a_page(example: Path) -> None:
    body = example.read_text("utf-8").strip()
    assert body, f"{example.name} is empty"
    shown = [b.page for page in EXAMPLE_PAGES for b in blocks(page) if b.body.strip() == body]
    assert shown, (f"neither {' nor '.join(EXAMPLE_PAGES)} shows {example.name} word for word; "
                   "copy one onto the other")


@pytest.mark.parametrize("page", EXAMPLE_PAGES)
def test_every_example_on_the_page_is_a_tested_file(page: str) -> None:
    """The other direction: a Python or YAML block added to these pages has its file here."""
    files = {p.read_text("utf-8").strip() for p in example_files()}
    found = blocks(page, "python", "yaml")
    assert found, f"{page} shows no example"
    untested = [f"{b.where}: {b.body.splitlines()[0]}" for b in found
                if b.body.strip() not in files]
    assert untested == [], f"examples with no file in tests/examples/: {untested}"


def test_the_typed_example_passes_mypy_strict(tmp_path: Path) -> None:
    """docs/pytest.md: `def test_x(invent: InventOrg)` type-checks under mypy --strict, against
    this checkout's package (MYPYPATH), with a cache of its own. That cache starts as a copy of
    the checkout's, when `dev.py test`'s mypy run (just before pytest) left one: mypy checks
    each cached module against its source, so a copy only spares re-reading what did not change
    (the emulator, httpx, pydantic: seconds of CPU)."""
    shutil.copyfile(EXAMPLES / "example_typed.py", tmp_path / "example_typed.py")
    cache = tmp_path / "cache"
    if (ROOT / ".mypy_cache").is_dir():
        try:
            shutil.copytree(ROOT / ".mypy_cache", cache)
        except (OSError, shutil.Error):  # a mypy run writing it meanwhile: start afresh
            shutil.rmtree(cache, ignore_errors=True)
    env = {**os.environ, "MYPYPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--cache-dir",
         str(cache), "example_typed.py"], cwd=tmp_path, env=env,
        capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "invent: InventOrg" in text("docs/pytest.md")


def test_the_unittest_example_runs_without_pytest(tmp_path: Path) -> None:
    shutil.copyfile(EXAMPLES / "example_unittest.py", tmp_path / "example_unittest.py")
    result = subprocess.run(
        [sys.executable, "-m", "unittest", "-v", "example_unittest"], cwd=tmp_path,
        capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Ran 2 tests" in result.stderr and "OK" in result.stderr, result.stderr
