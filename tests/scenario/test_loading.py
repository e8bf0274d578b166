"""Loading scenarios through the public functions: every error names the file, the line, the
column and the path inside the document."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.scenario_cases import ERROR_CASES, PROBLEM_LINE, Case, Expected

from emulator.scenario.load import load_scenario_file, load_scenario_text, resolve_scenario_path
from emulator.scenario.problems import Problem, ScenarioError, format_path
from emulator.scenario.schema import ScenarioSpec

BUNDLED_DEFAULT = Path(__file__).resolve().parents[2] / "scenarios" / "default.yaml"


def assert_problems(problems: list[Problem], file: str, expected: tuple[Expected, ...]) -> None:
    got = [(p.file, p.line, p.column, format_path(p.path)) for p in problems]
    want = [(file, e.line, e.column, e.path) for e in expected]
    assert got == want, "\n".join(str(p) for p in problems)
    for problem, wanted in zip(problems, expected, strict=True):
        assert wanted.message in problem.message, str(problem)


@pytest.mark.parametrize("case", ERROR_CASES, ids=lambda case: case.name)
def test_error_from_text_names_line_column_and_path(case: Case) -> None:
    with pytest.raises(ScenarioError) as raised:
        load_scenario_text(case.text, "scenario.yaml")
    assert_problems(raised.value.problems, "scenario.yaml", case.problems)


@pytest.mark.parametrize("case", ERROR_CASES, ids=lambda case: case.name)
def test_error_from_file_names_the_file(case: Case, tmp_path: Path) -> None:
    path = tmp_path / f"{case.name}.yaml"
    path.write_text(case.text, encoding="utf-8")
    with pytest.raises(ScenarioError) as raised:
        load_scenario_file(path)
    assert_problems(raised.value.problems, str(path), case.problems)


@pytest.mark.parametrize("case", ERROR_CASES, ids=lambda case: case.name)
def test_error_text_is_one_line_per_problem(case: Case) -> None:
    with pytest.raises(ScenarioError) as raised:
        load_scenario_text(case.text, "scenario.yaml")
    lines = str(raised.value).splitlines()
    assert lines == [str(p) for p in raised.value.problems]
    for line, expected in zip(lines, case.problems, strict=True):
        match = PROBLEM_LINE.match(line)
        assert match is not None, line
        assert match["file"] == "scenario.yaml"
        assert (int(match["line"]), int(match["column"])) == (expected.line, expected.column)
        assert match["path"] == expected.path


def test_unknown_segment_message_is_exactly_as_documented() -> None:
    case = next(c for c in ERROR_CASES if c.name == "unknown_segment_reference")
    with pytest.raises(ScenarioError) as raised:
        load_scenario_text(case.text, "scenario.yaml")
    assert str(raised.value) == (
        "scenario.yaml:9:20: orgs[0].contacts[1].segments[0]: unknown segment 'seg_gold'"
    )


@pytest.mark.parametrize("value", ["true", "False", "1.10", "42", "~x"])
def test_typed_scalars_in_string_fields_say_quote_the_value(value: str) -> None:
    text = f"orgs:\n  - id: org_a\n    name: {value}\n"
    if value == "~x":  # a plain string: must load, the hint is only for mis-typed values
        assert load_scenario_text(text).orgs[0].name == "~x"
        return
    with pytest.raises(ScenarioError) as raised:
        load_scenario_text(text, "scenario.yaml")
    [problem] = raised.value.problems
    assert (problem.line, problem.column, format_path(problem.path)) == (3, 5, "orgs[0].name")
    assert "quote the value" in problem.message


def test_quoted_values_are_accepted() -> None:
    spec = load_scenario_text(
        'orgs:\n  - id: org_a\n    name: "no"\n    contacts:\n'
        '      - {id: ct_a, name: "1.10", phone: "+15550100001"}\n'
    )
    org = spec.orgs[0]
    assert org.name == "no"
    assert (org.contacts[0].name, org.contacts[0].phone) == ("1.10", "+15550100001")


def test_every_schema_problem_is_reported_not_just_the_first() -> None:
    text = "seed: 1\ncolour: blue\norgs:\n  - id: org_a\n    contacts:\n      - blocked: maybe\n"
    with pytest.raises(ScenarioError) as raised:
        load_scenario_text(text, "scenario.yaml")
    found = sorted((p.line, p.column, format_path(p.path)) for p in raised.value.problems)
    assert found == [(2, 1, "colour"), (6, 9, "orgs[0].contacts[0].blocked")]


def test_duplicate_ids_in_other_collections() -> None:
    text = """\
orgs:
  - id: org_a
    segments:
      - {id: seg_a, name: A}
      - {id: seg_a, name: B}
    broadcasts:
      - {id: bc_a, name: A}
      - {id: bc_a, name: B}
"""
    with pytest.raises(ScenarioError) as raised:
        load_scenario_text(text, "scenario.yaml")
    found = [(p.line, p.column, format_path(p.path), p.message) for p in raised.value.problems]
    assert found == [
        (5, 10, "orgs[0].segments[1].id", "duplicate id 'seg_a'"),
        (8, 10, "orgs[0].broadcasts[1].id", "duplicate id 'bc_a'"),
    ]


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"],
                         ids=["empty", "blank-lines", "comment"])
def test_an_empty_file_is_a_valid_scenario_with_no_orgs(text: str, tmp_path: Path) -> None:
    assert load_scenario_text(text).orgs == []
    path = tmp_path / "empty.yaml"
    path.write_text(text, encoding="utf-8")
    spec = load_scenario_file(path)
    assert isinstance(spec, ScenarioSpec)
    assert spec.orgs == []


@pytest.mark.parametrize("text", ["---\n", "---\n# nothing yet\n", "--- \n...\n"])
def test_an_explicit_empty_document_is_like_an_empty_file(text: str) -> None:
    assert load_scenario_text(text).orgs == []


def test_the_bundled_default_scenario_loads() -> None:
    spec = load_scenario_file(BUNDLED_DEFAULT)
    [org] = spec.orgs
    assert org.id == "org_acme"
    assert org.api_keys == ["test_key_acme"]
    assert {"bc_otp", "bc_spring"} <= {b.id for b in org.broadcasts}


def test_a_bundled_scenario_is_found_by_name() -> None:
    assert resolve_scenario_path("default").resolve() == BUNDLED_DEFAULT


def test_an_unknown_scenario_name_is_a_scenario_error() -> None:
    with pytest.raises(ScenarioError) as raised:
        resolve_scenario_path("otp-does-not-exist")
    [problem] = raised.value.problems
    assert problem.file == "otp-does-not-exist"
    assert "no such file" in problem.message
