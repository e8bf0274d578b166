"""The public API is what `emulator.__all__` and `emulator.testing.__all__` list: every name
there resolves, and docs/architecture.md lists exactly those names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import emulator
import emulator.testing

DOC = (Path(__file__).resolve().parents[2] / "docs" / "architecture.md").read_text()


@pytest.mark.parametrize("package", [emulator, emulator.testing])
def test_every_public_name_resolves(package: object) -> None:
    for name in package.__all__:  # type: ignore[attr-defined]
        assert getattr(package, name) is not None, name


def _documented(package: str) -> set[str]:
    section = DOC.split("## Public API", 1)[1].split("\n## ", 1)[0]
    found = re.search(rf"^- package {re.escape(package)}:(.*?)(?=^- |\n\n)", section,
                      re.MULTILINE | re.DOTALL)
    assert found, f"no line for {package}"
    return set(re.findall(r"`(\w+)`", found.group(1)))


def test_the_architecture_page_lists_the_public_names() -> None:
    assert _documented("emulator") == set(emulator.__all__)
    assert _documented("emulator.testing") == set(emulator.testing.__all__)
