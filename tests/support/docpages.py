"""The documentation pages (README.md and docs/*.md) read as data: their fenced blocks, sections
and links, so that every example in them is run or checked by a test wherever it lives."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The pages whose every example this suite accounts for (tests/test_doc_pages.py).
PAGES = ("README.md", "docs/pytest.md", "docs/sidecar.md", "docs/frontend.md",
         "docs/scenarios.md", "docs/control-surface.md", "docs/api.md")
# Pages the README links to that other parts of the project write; a link to one may come
# before the page does.
OTHER_PAGES = ("docs/test-control.md", "docs/inbox.md", "docs/performance.md",
               "docs/reliability.md")

_FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
_LINK = re.compile(r"\]\(([^)\s]+)\)")


@dataclass(frozen=True)
class Block:
    """One fenced block: the page, the language after the fence ('' when none), its text."""

    page: str
    lang: str
    body: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"


@cache
def text(page: str) -> str:
    return (ROOT / page).read_text(encoding="utf-8")


def blocks(page: str, *langs: str) -> list[Block]:
    """The page's fenced blocks in order, only those in `langs` when given."""
    found = []
    source = text(page)
    for match in _FENCE.finditer(source):
        if langs and match.group(1) not in langs:
            continue
        line = source.count("\n", 0, match.start()) + 1
        found.append(Block(page, match.group(1), match.group(2), line))
    return found


def section(page: str, title: str) -> str:
    """From the heading `## title` up to the next heading of that level or higher."""
    source = text(page)
    heading = re.search(rf"^## {re.escape(title)}$", source, re.MULTILINE)
    assert heading is not None, f"{page} has no '## {title}' section"
    end = re.compile(r"^#{1,2} ", re.MULTILINE).search(source, heading.end())
    return source[heading.start():end.start() if end else None]


def section_blocks(page: str, title: str, *langs: str) -> list[Block]:
    part = section(page, title)
    start = text(page).index(part)
    return [b for b in blocks(page, *langs)
            if start <= _offset(page, b.line) < start + len(part)]


def _offset(page: str, line: int) -> int:
    lines = text(page).split("\n")
    return sum(len(row) + 1 for row in lines[:line - 1])


def links(page: str) -> list[str]:
    """Every Markdown link target of the page, outside fenced blocks."""
    outside = _FENCE.sub("", text(page))
    return _LINK.findall(outside)


def anchors(page: str) -> set[str]:
    """GitHub's anchors of the page's headings: lower case, punctuation dropped, spaces to -."""
    found = set()
    for heading in re.findall(r"^#{1,6} (.+)$", _FENCE.sub("", text(page)), re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        found.add(slug)
    return found
