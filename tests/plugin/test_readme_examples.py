"""The README's pytest examples (tests/examples/) run green as a user's suite, in both modes of
the plugin, and stay word for word what README.md shows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support.pytester import README, copy_examples, example_files, report, run, statuses

SECTION = re.compile(r"^## In a pytest suite$(.*?)^## ", re.MULTILINE | re.DOTALL)
CODE_BLOCK = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def test_there_are_examples() -> None:
    names = {p.name for p in example_files()}
    assert {"example_isolation.py", "example_otp_flow.py", "example_outcomes.py",
            "example_outcomes.yaml"} <= names


@pytest.mark.parametrize("mode_args", [[], ["--invent-mode=inprocess"]],
                         ids=["thread", "inprocess"])
def test_every_readme_example_passes(pytester: pytest.Pytester, mode_args: list[str]) -> None:
    expected = copy_examples(pytester)
    assert expected >= 4

    result = run(pytester, *mode_args, only_ours=False)  # as a user's run

    assert result.ret == pytest.ExitCode.OK, report(result)
    result.assert_outcomes(passed=expected)
    assert all(s == {"PASSED"} for s in statuses(result).values()), report(result)


@pytest.mark.parametrize("example", example_files(), ids=lambda p: p.name)
def test_example_appears_verbatim_in_the_readme(example: Path) -> None:
    text = example.read_text("utf-8").strip()
    assert text, f"{example.name} is empty"
    assert text in README.read_text("utf-8"), (
        f"README.md no longer shows {example.name} word for word; copy one onto the other")


def test_every_example_in_the_readme_section_is_a_tested_file() -> None:
    """The other direction: a code block added to "In a pytest suite" has its file here."""
    section = SECTION.search(README.read_text("utf-8"))
    assert section is not None, "README.md has no '## In a pytest suite' section"
    files = {p.read_text("utf-8").strip() for p in example_files()}
    blocks = [(lang, body.strip()) for lang, body in CODE_BLOCK.findall(section.group(1))]
    assert [lang for lang, _ in blocks].count("python") >= 3
    untested = [body.splitlines()[0] for lang, body in blocks
                if lang in ("python", "yaml") and body not in files]
    assert untested == [], f"README examples with no file in tests/examples/: {untested}"
