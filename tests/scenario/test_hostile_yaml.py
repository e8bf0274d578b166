"""Hostile YAML: refused with a ScenarioError that points at the problem, never executed, never
expanded, and never an unrelated exception (RecursionError, ValueError, YAMLError) leaking out."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.scenario_cases import billion_laughs

from emulator import create_app, load_scenario_file, load_scenario_text
from emulator.scenario.limits import MAX_FILE_BYTES
from emulator.scenario.problems import Problem, ScenarioError, format_path
from emulator.testing import VirtualClock

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def refused(text: str) -> Problem:
    """The one problem `text` is refused with."""
    with pytest.raises(ScenarioError) as raised:
        load_scenario_text(text, "hostile.yaml")
    [problem] = raised.value.problems
    assert problem.file == "hostile.yaml"
    assert str(problem) == str(raised.value)
    return problem


def test_python_object_apply_is_never_executed() -> None:
    marker = Path(tempfile.gettempdir()) / f"pwned-{secrets.token_hex(8)}"
    try:
        problem = refused(f'!!python/object/apply:os.system ["touch {marker}"]\n')
        assert not marker.exists()
        assert (problem.line, problem.column) == (1, 1)
        assert "python/object/apply:os.system" in problem.message
        assert "not allowed" in problem.message
    finally:
        marker.unlink(missing_ok=True)


def test_python_tag_inside_a_scenario_value_is_never_executed() -> None:
    marker = Path(tempfile.gettempdir()) / f"pwned-{secrets.token_hex(8)}"
    text = (
        "orgs:\n"
        "  - id: org_a\n"
        "    contacts:\n"
        "      - id: ct_a\n"
        f'        properties: {{x: !!python/object/apply:os.system ["touch {marker}"]}}\n'
    )
    try:
        problem = refused(text)
        assert not marker.exists()
        assert (problem.line, problem.column) == (5, 25)
        assert "not allowed" in problem.message
    finally:
        marker.unlink(missing_ok=True)


@pytest.mark.parametrize("value", [
    "!!python/object/new:os.system [echo]",
    "!!python/object:collections.OrderedDict {}",
    "!!python/name:os.system",
    "!!python/module:os",
    "!!python/tuple [1, 2]",
    "!!python/str hello",
    "!!python/bytes aGVsbG8=",
    "!!binary aGVsbG8=",
    "!!set {a, b}",
    "!!omap [a: 1]",
    "!custom 1",
])
def test_tags_beyond_plain_data_are_refused(value: str) -> None:
    problem = refused(f"seed: 1\norgs:\n  - id: org_a\n    name: {value}\n")
    assert (problem.line, problem.column) == (4, 11)
    assert format_path(problem.path) == "(document)"
    assert "is not allowed" in problem.message


def test_a_tagged_mapping_key_is_refused() -> None:
    problem = refused("seed: 1\n!!python/name:os.system : 1\n")
    assert (problem.line, problem.column) == (2, 1)
    assert "not allowed" in problem.message


BOMB_PROGRAM = """\
import json, sys, time
from emulator import load_scenario_text
from emulator.scenario.problems import ScenarioError
text = sys.stdin.read()
started = time.monotonic()
try:
    load_scenario_text(text, "hostile.yaml")
    problems = []
except ScenarioError as error:
    problems = [[p.line, p.column, p.message] for p in error.problems]
print(json.dumps({"seconds": time.monotonic() - started, "problems": problems}))
"""


@pytest.mark.slow  # a subprocess: left out by `dev.py test --fast`
def test_billion_laughs_is_refused_fast() -> None:
    # In a child process with a deadline: an expanding loader would never return.
    try:
        done = subprocess.run([sys.executable, "-c", BOMB_PROGRAM], input=billion_laughs(),
                              capture_output=True, text=True, timeout=30, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail("the alias bomb was not refused within 30 s")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["seconds"] < 2.0
    [[line, column, message]] = result["problems"]
    assert (line, column) == (1, 7)
    assert "anchors and aliases" in message


@pytest.mark.parametrize(("text", "position"), [
    ("seed: &s 1\n", (1, 7)),
    ("orgs:\n  - &org {id: org_a}\n", (2, 5)),
    ("seed: *undefined\n", (1, 7)),
    ("base: &base {name: A}\norgs:\n  - {<<: *base, id: org_a}\n", (1, 7)),
], ids=["anchor", "anchor-on-mapping", "alias-without-anchor", "merge-key"])
def test_any_anchor_or_alias_is_refused(text: str, position: tuple[int, int]) -> None:
    problem = refused(text)
    assert (problem.line, problem.column) == position
    assert "anchors and aliases" in problem.message


@pytest.mark.parametrize(("text", "position", "key"), [
    ("seed: 1\nseed: 2\n", (2, 1), "seed"),
    ("orgs:\n  - id: org_a\n    name: A\n    name: B\n", (4, 5), "name"),
    ("orgs:\n  - {id: org_a, id: org_b}\n", (2, 17), "id"),
], ids=["top-level", "nested", "flow-mapping"])
def test_duplicate_keys_are_refused(text: str, position: tuple[int, int], key: str) -> None:
    problem = refused(text)
    assert (problem.line, problem.column) == position
    assert problem.message == f"duplicate key '{key}'"


@pytest.mark.parametrize("text", [
    "[" * 10_000 + "]" * 10_000 + "\n",
    "seed: 1\norgs: " + "[" * 10_000 + "]" * 10_000 + "\n",
    "a: " + "{b: " * 10_000 + "1" + "}" * 10_000 + "\n",
    "- " * 10_000 + "1\n",
], ids=["flow-sequences", "inside-a-key", "flow-mappings", "block-sequences"])
def test_ten_thousand_deep_nesting_is_refused_without_recursion_error(text: str) -> None:
    problem = refused(text)
    assert "nesting deeper than" in problem.message


def test_reasonable_nesting_in_properties_is_allowed() -> None:
    nested = "[" * 30 + "1" + "]" * 30
    spec = load_scenario_text("orgs:\n  - id: org_a\n    contacts:\n      - id: ct_a\n"
                              f"        properties: {{x: {nested}}}\n")
    assert spec.orgs[0].contacts[0].properties["x"] is not None


@pytest.mark.parametrize("where", ["seed: {}", "seed: -{}",
                                   "orgs:\n  - id: org_a\n    contacts:\n"
                                   "      - {{id: ct_a, properties: {{n: {}}}}}"])
def test_a_five_thousand_digit_integer_is_refused(where: str) -> None:
    problem = refused(where.format("9" * 5000) + "\n")
    assert "unreadable value" in problem.message


@pytest.mark.parametrize("seed", ["0x" + "f" * 5000, "0b" + "1" * 20_000])
def test_a_huge_seed_is_refused_or_works(seed: str) -> None:
    try:
        spec = load_scenario_text(f"seed: {seed}\norgs:\n  - {{id: org_a, api_keys: [k]}}\n")
    except ScenarioError as error:
        assert [format_path(p.path) for p in error.problems] == ["seed"]
        return
    create_app(scenario=spec, clock=VirtualClock(START))  # must not raise


def test_text_over_the_size_limit_is_refused_before_parsing() -> None:
    text = "seed: 1\n#" + "x" * MAX_FILE_BYTES + "\n"
    started = time.monotonic()
    problem = refused(text)
    assert time.monotonic() - started < 2.0
    assert str(MAX_FILE_BYTES) in problem.message


def test_a_file_over_five_mib_is_refused_before_reading(tmp_path: Path) -> None:
    assert MAX_FILE_BYTES == 5 * 1024 * 1024
    path = tmp_path / "big.yaml"
    with path.open("wb") as out:
        out.write(b"seed: 1\n#")
        out.write(b"x" * MAX_FILE_BYTES)
    started = time.monotonic()
    with pytest.raises(ScenarioError) as raised:
        load_scenario_file(path)
    assert time.monotonic() - started < 2.0
    [problem] = raised.value.problems
    assert problem.file == str(path)
    assert str(MAX_FILE_BYTES) in problem.message


@pytest.mark.parametrize("data", [b"seed: \xff\xfe\n", "name: caf\u00e9\n".encode("latin-1"),
                                  "seed: 1\n".encode("utf-16")],
                         ids=["invalid-bytes", "latin-1", "utf-16"])
def test_non_utf8_bytes_are_refused(data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "binary.yaml"
    path.write_bytes(data)
    with pytest.raises(ScenarioError) as raised:
        load_scenario_file(path)
    [problem] = raised.value.problems
    assert problem.file == str(path)
    assert "utf-8" in problem.message.lower()


def test_a_missing_file_is_a_scenario_error(tmp_path: Path) -> None:
    path = tmp_path / "missing.yaml"
    with pytest.raises(ScenarioError) as raised:
        load_scenario_file(path)
    [problem] = raised.value.problems
    assert (problem.file, problem.line, problem.column) == (str(path), 1, 1)
    assert "cannot read" in problem.message


def test_a_directory_is_a_scenario_error(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError):
        load_scenario_file(tmp_path)


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\ufffe"])
def test_control_characters_are_a_scenario_error(char: str) -> None:
    problem = refused(f"seed: 1\norgs: []{char}\n")
    assert problem.line == 2
