"""`invent-emulator validate FILE...`: silent and 0 when every file is valid; otherwise 1, with
one `file:line:col: path: message` line on stderr per problem, and never a traceback."""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path

import pytest
from support.cli import run_cli
from support.scenario_cases import ERROR_CASES, PROBLEM_LINE, Case, Expected, billion_laughs

VALID = """\
seed: 1
orgs:
  - id: org_a
    name: A
    api_keys: [key_a]
    contacts:
      - {id: ct_a, email: a@example.com, phone: "+15550100001"}
    broadcasts:
      - id: bc_a
        name: A
        type: TRANSACTIONAL
        status: ACTIVE
        templates:
          - {id: tpl_a, integration_id: gmail, config: {subject: Hi, body: "{{otp}}"}}
"""


def write(directory: Path, name: str, text: str) -> str:
    (directory / name).write_text(text, encoding="utf-8")
    return name


def parsed(stderr: str) -> list[tuple[str, int, int, str, str]]:
    rows = []
    for line in stderr.splitlines():
        match = PROBLEM_LINE.match(line)
        assert match is not None, f"not a `file:line:col: path: message` line: {line!r}"
        rows.append((match["file"], int(match["line"]), int(match["column"]), match["path"],
                     match["message"]))
    return rows


def assert_lines(rows: list[tuple[str, int, int, str, str]], file: str,
                 expected: tuple[Expected, ...]) -> None:
    mine = [row for row in rows if row[0] == file]
    assert [row[1:4] for row in mine] == [(e.line, e.column, e.path) for e in expected], mine
    for row, wanted in zip(mine, expected, strict=True):
        assert wanted.message in row[4], row


def test_a_valid_file_exits_0_silently(tmp_path: Path) -> None:
    done = run_cli("validate", write(tmp_path, "valid.yaml", VALID), cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_several_valid_files_and_an_empty_one_exit_0_silently(tmp_path: Path) -> None:
    files = [write(tmp_path, "valid.yaml", VALID), write(tmp_path, "empty.yaml", ""),
             write(tmp_path, "comment.yaml", "# nothing here yet\n")]
    done = run_cli("validate", *files, cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_a_bundled_scenario_validates_by_name(tmp_path: Path) -> None:
    done = run_cli("validate", "default", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (0, "")


@pytest.mark.parametrize("case", [c for c in ERROR_CASES if c.name in (
    "unknown_deep_key", "unquoted_phone", "unknown_segment_reference", "yaml_syntax_error")],
    ids=lambda case: case.name)
def test_an_invalid_file_exits_1_with_its_problems_on_stderr(case: Case, tmp_path: Path) -> None:
    done = run_cli("validate", write(tmp_path, "bad.yaml", case.text), cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    rows = parsed(done.stderr)
    assert {row[0] for row in rows} == {"bad.yaml"}
    assert_lines(rows, "bad.yaml", case.problems)


def test_the_unknown_segment_line_is_exactly_as_documented(tmp_path: Path) -> None:
    case = next(c for c in ERROR_CASES if c.name == "unknown_segment_reference")
    done = run_cli("validate", write(tmp_path, "scenario.yaml", case.text), cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr == (
        "scenario.yaml:9:20: orgs[0].contacts[1].segments[0]: unknown segment 'seg_gold'\n"
    )


def test_every_error_case_in_one_run(tmp_path: Path) -> None:
    """All the cases at once: each file's lines are exactly its own problems, in order."""
    files = [write(tmp_path, f"{case.name}.yaml", case.text) for case in ERROR_CASES]
    done = run_cli("validate", *files, cwd=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    rows = parsed(done.stderr)
    assert [row[0] for row in rows] == [
        f"{case.name}.yaml" for case in ERROR_CASES for _ in case.problems
    ]
    for case in ERROR_CASES:
        assert_lines(rows, f"{case.name}.yaml", case.problems)


def test_several_files_one_bad_names_only_the_bad_one(tmp_path: Path) -> None:
    case = next(c for c in ERROR_CASES if c.name == "unknown_deep_key")
    files = [write(tmp_path, "first.yaml", VALID), write(tmp_path, "bad.yaml", case.text),
             write(tmp_path, "last.yaml", VALID)]
    done = run_cli("validate", *files, cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == "bad.yaml:12:9: orgs[0].contacts[1].nickname: unknown key\n"


def test_a_missing_file_exits_1_and_names_it(tmp_path: Path) -> None:
    done = run_cli("validate", write(tmp_path, "valid.yaml", VALID), "missing.yaml",
                   cwd=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    [row] = parsed(done.stderr)
    assert row[:4] == ("missing.yaml", 1, 1, "(document)")


def test_no_files_is_a_usage_error(tmp_path: Path) -> None:
    done = run_cli("validate", cwd=tmp_path)
    assert done.returncode == 2
    assert "usage:" in done.stderr
    assert "Traceback" not in done.stderr


def test_hostile_files_are_refused_without_a_traceback(tmp_path: Path) -> None:
    marker = Path(tempfile.gettempdir()) / f"pwned-{secrets.token_hex(8)}"
    texts = {
        "python.yaml": f'!!python/object/apply:os.system ["touch {marker}"]\n',
        "python_name.yaml": "seed: !!python/name:os.system\n",
        "laughs.yaml": billion_laughs(),
        "anchor.yaml": "orgs:\n  - &org {id: org_a}\n",
        "duplicate.yaml": "seed: 1\nseed: 2\n",
        "deep.yaml": "[" * 10_000 + "]" * 10_000 + "\n",
        "digits.yaml": "seed: " + "9" * 5000 + "\n",
    }
    files = [write(tmp_path, name, text) for name, text in texts.items()]
    (tmp_path / "big.yaml").write_bytes(b"seed: 1\n#" + b"x" * (5 * 1024 * 1024) + b"\n")
    (tmp_path / "latin1.yaml").write_bytes("name: caf\u00e9\n".encode("latin-1"))
    files += ["big.yaml", "latin1.yaml", "missing.yaml"]
    try:
        done = run_cli("validate", *files, cwd=tmp_path, timeout=30)
        assert not marker.exists()
    finally:
        marker.unlink(missing_ok=True)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    rows = parsed(done.stderr)
    assert [row[0] for row in rows] == files  # one problem per file, in order
    by_file = {row[0]: row for row in rows}
    assert "not allowed" in by_file["python.yaml"][4]
    assert "anchors and aliases" in by_file["laughs.yaml"][4]
    assert "anchors and aliases" in by_file["anchor.yaml"][4]
    assert "duplicate key 'seed'" in by_file["duplicate.yaml"][4]
    assert by_file["duplicate.yaml"][1:3] == (2, 1)
    assert "nesting deeper than" in by_file["deep.yaml"][4]
    assert "bytes" in by_file["big.yaml"][4]


def test_a_control_character_is_a_problem_line_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "nul.yaml").write_bytes(b"seed: 1\norgs: []\x00\n")
    done = run_cli("validate", "nul.yaml", cwd=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    [row] = parsed(done.stderr)
    assert row[0] == "nul.yaml"
