"""CHANGELOG.md keeps up with the version: the project's version has a section, and every
breaking change in it carries one line of migration advice."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _version() -> str:
    from emulator.support.version import __version__

    return __version__


def _section(text: str, version: str) -> str:
    match = re.search(rf"^## {re.escape(version)}\b.*?$(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"CHANGELOG.md has no section for {version}"
    return match.group(1)


def test_the_version_has_a_section_with_migration_advice_per_breaking_change() -> None:
    section = _section((ROOT / "CHANGELOG.md").read_text(), _version())
    breaking = re.search(r"^### Breaking changes$(.*?)(?=^### |\Z)", section, re.M | re.S)
    assert breaking, "the section lists its breaking changes"
    entries = re.split(r"^- ", breaking.group(1), flags=re.M)[1:]
    assert entries, "at least one breaking change is listed"
    for entry in entries:
        assert entry.count("*Migrate:*") == 1, entry


def test_the_version_is_0_2_0_or_later() -> None:
    assert tuple(int(part) for part in _version().split(".")[:2]) >= (0, 2)


def test_the_version_is_written_once() -> None:
    # pyproject.toml takes it from emulator/support/version.py (hatchling's dynamic version);
    # the image label gets it from the release workflow (tests/sidecar).
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in pyproject["project"]
    assert pyproject["project"]["dynamic"] == ["version"]
    assert pyproject["tool"]["hatch"]["version"]["path"] == "emulator/support/version.py"
