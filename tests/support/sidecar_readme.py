"""The README's sidecar section and settings table, read as data. The CI snippets are fenced
`yml` (tests/test_readme.py reads every `yaml` block as a scenario)."""

from __future__ import annotations

import re
from typing import Any

import yaml

from support.dockerfile import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start:end if end > 0 else None]


def snippets() -> list[dict[str, Any]]:
    blocks = re.findall(r"```yml\n(.*?)```", section("As a CI sidecar"), re.DOTALL)
    loaded = [yaml.safe_load(block) for block in blocks]
    assert all(isinstance(snippet, dict) for snippet in loaded)
    return loaded


def readme_image() -> str:
    """The one place the README names the image (in prose)."""
    (image,) = re.findall(r"The image is `([^`]+)`", section("As a CI sidecar"))
    return str(image)


def settings_rows() -> dict[str, list[str]]:
    """Each settings-table row by its variable: [flag cell, variable, default, what]."""
    rows = {}
    for line in section("Command line").splitlines():
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        if len(cells) == 4 and cells[1].startswith("`INVENT_EMULATOR_"):
            rows[cells[1].strip("`")] = cells
    return rows
