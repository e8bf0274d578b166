"""The CI examples and the settings table, read as data from the pages that show them: the
README's "As a sidecar in CI" and docs/sidecar.md's "In CI" (fenced `yml`; tests/test_doc_pages.py
reads every `yaml` block as a scenario), and docs/sidecar.md's settings table."""

from __future__ import annotations

import re
from typing import Any

import yaml

from support.docpages import Block, section, section_blocks

SIDECAR = "docs/sidecar.md"
CI_SECTIONS = (("README.md", "As a sidecar in CI"), (SIDECAR, "In CI"))


def snippet_blocks() -> list[Block]:
    return [block for page, title in CI_SECTIONS for block in section_blocks(page, title, "yml")]


def snippets() -> list[dict[str, Any]]:
    loaded = [yaml.safe_load(block.body) for block in snippet_blocks()]
    assert all(isinstance(snippet, dict) for snippet in loaded)
    return loaded


def image_name() -> str:
    """The one place the pages name the image (in prose)."""
    (image,) = re.findall(r"The image is `([^`]+)`", section(SIDECAR, "The image"))
    return str(image)


def settings_rows() -> dict[str, list[str]]:
    """Each settings-table row by its variable: [flag cell, variable, default, what]."""
    rows = {}
    for line in section(SIDECAR, "Command line").splitlines():
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        if len(cells) == 4 and cells[1].startswith("`INVENT_EMULATOR_"):
            rows[cells[1].strip("`")] = cells
    return rows
