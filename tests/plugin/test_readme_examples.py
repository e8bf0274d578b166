"""The README's examples (tests/examples/) run green as a user's suite, in both modes of the
plugin (the unittest one also under `python -m unittest`, with no pytest), and stay word for
word what README.md shows."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.pytester import (
    EXAMPLES,
    README,
    RUN_TIMEOUT,
    copy_examples,
    example_files,
    report,
    run,
    statuses,
)

SECTIONS = ("In a pytest suite", "Outside pytest")
CODE_BLOCK = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def test_there_are_examples() -> None:
    names = {p.name for p in example_files()}
    assert {"example_isolation.py", "example_otp_flow.py", "example_outcomes.py",
            "example_outcomes.yaml", "example_fastapi.py", "example_django_view.py",
            "example_unittest.py"} <= names


@pytest.mark.parametrize("mode_args", [[], ["--invent-mode=inprocess"]],
                         ids=["thread", "inprocess"])
def test_every_readme_example_passes(pytester: pytest.Pytester, mode_args: list[str]) -> None:
    expected = copy_examples(pytester)
    assert expected >= 9

    result = run(pytester, *mode_args, only_ours=False)  # as a user's run

    assert result.ret == pytest.ExitCode.OK, report(result)
    result.assert_outcomes(passed=expected)
    assert all(s == {"PASSED"} for s in statuses(result).values()), report(result)


@pytest.mark.parametrize("example", example_files(), ids=lambda p: p.name)
def test_example_appears_verbatim_in_the_readme(example: Path) -> None:
    """In README.md, or in a docs page it links (docs/*.md)."""
    text = example.read_text("utf-8").strip()
    assert text, f"{example.name} is empty"
    pages = [README, *sorted((README.parent / "docs").glob("*.md"))]
    assert any(text in page.read_text("utf-8") for page in pages), (
        f"README.md (or docs/) no longer shows {example.name} word for word; copy one onto "
        "the other")


@pytest.mark.parametrize("title", SECTIONS)
def test_every_example_in_the_readme_sections_is_a_tested_file(title: str) -> None:
    """The other direction: a code block added to these sections has its file here."""
    pattern = re.compile(rf"^## {re.escape(title)}$(.*?)^## ", re.MULTILINE | re.DOTALL)
    section = pattern.search(README.read_text("utf-8"))
    assert section is not None, f"README.md has no '## {title}' section"
    files = {p.read_text("utf-8").strip() for p in example_files()}
    blocks = [(lang, body.strip()) for lang, body in CODE_BLOCK.findall(section.group(1))]
    assert [lang for lang, _ in blocks].count("python") >= 1
    untested = [body.splitlines()[0] for lang, body in blocks
                if lang in ("python", "yaml") and body not in files]
    assert untested == [], f"README examples with no file in tests/examples/: {untested}"


def test_the_unittest_example_runs_without_pytest(tmp_path: Path) -> None:
    shutil.copyfile(EXAMPLES / "example_unittest.py", tmp_path / "example_unittest.py")
    result = subprocess.run(
        [sys.executable, "-m", "unittest", "-v", "example_unittest"], cwd=tmp_path,
        capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Ran 2 tests" in result.stderr and "OK" in result.stderr, result.stderr
