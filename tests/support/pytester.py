"""Running an inner pytest session through pytester (in-process, or in a fresh interpreter where
that is the point), and reading its report."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "tests" / "examples"

# An inner session in a subprocess (and the unittest example) is killed when this passes, never
# waited for. It guards against hangs only, so it sits far above the slowest healthy run: the
# README examples' session, when it was a fresh interpreter with every installed plugin, took
# 26 s at a load of 5.5 on 2 cores (10 s of CPU); a slow shared CI runner is no faster.
# (In-process sessions rely on the plugin's own deadlines.)
RUN_TIMEOUT = 240.0
STATUS_LINE = re.compile(r"^(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS) (\S+)")
PROBE_LINE = re.compile(r"^PROBE (\{.*\})$", re.MULTILINE)


# Other installed plugins an inner session does not need (in a fresh interpreter they cost
# ~0.7 s of start-up each; anyio and asyncio would also claim coroutine tests).
OTHER_PLUGINS = ("faker", "pytest_httpserver", "anyio", "asyncio", "schemathesis",
                 "hypothesispytest")
XDIST_PLUGINS = ("xdist", "xdist.looponfail")


def run(pytester: pytest.Pytester, *args: str, subprocess: bool = False, xdist: bool = False,
        only_ours: bool = True, plugins: tuple[str, ...] = (),
        timeout: float = RUN_TIMEOUT) -> pytest.RunResult:
    """The inner session, in this interpreter unless `subprocess` asks for a fresh one (with
    `xdist`, the workers are fresh interpreters either way). pytest loads the plugin from its
    entry point, as in a user's suite; in-process, modules first imported during the run are
    dropped after it (tests/plugin/conftest.py imports the heavy ones first) and the
    self-contract of tests/conftest.py checks the inner emulators' answers too. `-rA` lists
    every test's outcome in the short summary. Unless `only_ours` is off, the other autoloaded
    plugins are blocked (xdist only if `xdist`), except those named in `plugins`."""
    blocked = (*OTHER_PLUGINS, *(() if xdist else XDIST_PLUGINS)) if only_ours else ()
    blocked = tuple(name for name in blocked if name not in plugins)
    options = ["-p", "no:cacheprovider", "-rA",
               *(part for name in blocked for part in ("-p", f"no:{name}")), *args]
    if subprocess:
        return pytester.runpytest_subprocess(*options, timeout=timeout)
    return pytester.runpytest_inprocess(*options)


def statuses(result: pytest.RunResult) -> dict[str, set[str]]:
    """Test name (the node id after the file) → what the short summary says of it: a test that
    passes its call but errors in teardown is {"PASSED", "ERROR"}."""
    found: dict[str, set[str]] = {}
    in_summary = False
    for line in result.outlines:
        if "short test summary info" in line:
            in_summary = True
            continue
        match = STATUS_LINE.match(line) if in_summary else None
        if match:
            name = match.group(2).split("::", 1)[-1]
            found.setdefault(name, set()).add(match.group(1))
    return found


def report(result: pytest.RunResult) -> str:
    """The inner session's whole output, for an assertion message."""
    return "\n".join(["--- inner stdout ---", *result.outlines,
                      "--- inner stderr ---", *result.errlines])


def probes(result: pytest.RunResult) -> list[dict[str, Any]]:
    """What inner tests printed as `PROBE {json}` (the inner run needs `-s`)."""
    return [json.loads(m.group(1)) for m in PROBE_LINE.finditer("\n".join(result.outlines))]


def example_files() -> list[Path]:
    """The pytest examples of the documentation pages: Python files and the data files beside
    them."""
    return sorted(p for p in EXAMPLES.iterdir() if p.name.startswith("example_"))


def copy_examples(pytester: pytest.Pytester) -> int:
    """Each tests/examples/example_X.py as test_X.py (data files keep their names); answers how
    many tests the examples define."""
    tests = 0
    for source in example_files():
        if source.suffix == ".py":
            target = pytester.path / source.name.replace("example_", "test_", 1)
            tests += len(re.findall(r"^\s*(?:async )?def test_", source.read_text("utf-8"),
                                    re.MULTILINE))
        else:
            target = pytester.path / source.name
        shutil.copyfile(source, target)
    return tests
