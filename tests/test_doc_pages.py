"""Every example on the documentation pages (README.md and docs/*.md) is run or checked by the
suite, wherever it lives, and none can be dropped or added unnoticed:

- `python` blocks are the files of tests/examples/, run as a user's suite
  (tests/plugin/test_readme_examples.py), one typed file also under mypy --strict;
- `yaml` blocks are valid scenarios (here);
- `yml` blocks are the CI files, checked against the Dockerfile and the settings
  (tests/sidecar/test_readme_sidecar.py), the GitHub one also run (tests/plugin/test_ci_wiring.py);
- `sh` and plain blocks: each `curl` is sent to an emulator with the default scenario (here),
  each `invent-emulator` command uses only commands and flags that exist (here);
- `js` blocks call only paths of the API description (here; tests/browser makes the same calls
  from a page on another origin).

The relative links of these pages lead to pages and headings that exist."""

from __future__ import annotations

import json
import re
import shlex
from collections import Counter

import httpx
import pytest
from starlette.applications import Starlette
from support.docpages import OTHER_PAGES, PAGES, ROOT, Block, anchors, blocks, links, text
from support.wire import START

from emulator import create_app, load_scenario_text
from emulator.settings import OPTIONS
from emulator.testing import VirtualClock

pytestmark = pytest.mark.anyio

# How many blocks of each language each page shows. Moving an example moves its count; a new
# example needs its line here and, if it is of a new kind, a test that runs it.
EXPECTED: dict[str, dict[str, int]] = {
    "README.md": {"sh": 7, "python": 1, "yml": 1, "js": 1},
    "docs/pytest.md": {"python": 7, "yaml": 1},
    "docs/sidecar.md": {"": 2, "sh": 2, "yml": 3},
    "docs/frontend.md": {"sh": 1, "js": 1},
    "docs/scenarios.md": {"yaml": 7},
    "docs/control-surface.md": {},
    "docs/api.md": {},
}
CHECKED_LANGS = {"python", "yaml", "yml", "sh", "", "js"}
ALL_BLOCKS = [block for page in PAGES for block in blocks(page)]
COMMANDS = {"serve", "validate", "health", "openapi"}
FLAGS = {option.flag for option in OPTIONS} | {"--timeout", "--version", "--help"}


def _ids(found: list[Block]) -> list[str]:
    return [block.where for block in found]


def test_every_page_shows_the_examples_it_should() -> None:
    shown = {page: dict(Counter(block.lang for block in blocks(page))) for page in PAGES}
    assert shown == EXPECTED


def test_every_block_is_of_a_kind_a_test_checks() -> None:
    assert {block.lang for block in ALL_BLOCKS} <= CHECKED_LANGS


YAML = [block for block in ALL_BLOCKS if block.lang == "yaml"]


@pytest.mark.parametrize("block", YAML, ids=_ids(YAML))
def test_each_yaml_example_is_a_valid_scenario(block: Block) -> None:
    # Include paths in the examples are written as from scenarios/.
    load_scenario_text(block.body, block.page, base_dir=ROOT / "scenarios")


def _commands(block: Block) -> list[list[str]]:
    """Each command of a shell block as words: continuations joined, comments dropped."""
    joined = block.body.replace("\\\n", " ")
    return [shlex.split(line, comments=True) for line in joined.splitlines()
            if shlex.split(line, comments=True)]


SHELL = [block for block in ALL_BLOCKS if block.lang in ("sh", "")]
CURLS = [(block, words) for block in SHELL for words in _commands(block) if words[0] == "curl"]


@pytest.mark.parametrize("block", SHELL, ids=_ids(SHELL))
def test_each_command_exists(block: Block) -> None:
    for words in _commands(block):
        assert words[0] in {"pip", "python3", "docker", "invent-emulator", "curl"}, words
        if words[0] == "invent-emulator":
            assert words[1] in COMMANDS | {"--version"}, words
            flags = {word.split("=")[0] for word in words[2:] if word.startswith("--")}
            # The synopsis writes optional flags in brackets.
            flags |= {word.strip("[").split("]")[0] for word in words if word.startswith("[--")}
            assert flags <= FLAGS, words
        if words[:2] == ["python3", "dev.py"]:
            assert words[2] in {"serve", "test", "build", "bench"}, words


def test_the_pages_show_a_curl() -> None:
    assert CURLS


@pytest.mark.parametrize(("block", "words"), CURLS, ids=[b.where for b, _ in CURLS])
async def test_each_curl_is_answered_200_by_the_default_scenario(block: Block,
                                                                 words: list[str]) -> None:
    method, headers, data, url = "GET", {}, None, ""
    rest = iter(words[1:])
    for word in rest:
        if word == "-X":
            method = next(rest)
        elif word == "-H":
            name, _, value = next(rest).partition(":")
            headers[name.strip()] = value.strip()
        elif word == "-d":
            data = next(rest)
        elif not word.startswith("-"):
            url = word
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_default_app())) as http:
        answer = await http.request(method, url, headers=headers, content=data)
    assert answer.status_code == 200, f"{block.where}: {answer.text}"
    if data is not None:
        json.loads(data)


def _default_app() -> Starlette:
    scenario = load_scenario_text((ROOT / "scenarios" / "default.yaml").read_text("utf-8"),
                                  base_dir=ROOT / "scenarios")
    return create_app(scenario=scenario, clock=VirtualClock(START))


JS = [block for block in ALL_BLOCKS if block.lang == "js"]


@pytest.mark.parametrize("block", JS, ids=_ids(JS))
async def test_each_browser_call_is_an_operation_of_the_api(block: Block) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_default_app()),
                                 base_url="http://127.0.0.1") as http:
        paths = set((await http.get("/openapi.json")).json()["paths"])
    patterns = [re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(p)) + "$")
                for p in paths]
    called = re.findall(r"\$\{api\}([^`?]+)", block.body)
    assert called
    for path in called:
        assert any(p.match(path) for p in patterns), path


def _link_cases() -> list[tuple[str, str]]:
    return [(page, target) for page in PAGES for target in links(page)
            if not re.match(r"^[a-z]+:", target)]


@pytest.mark.parametrize(("page", "target"), _link_cases())
def test_each_relative_link_leads_somewhere(page: str, target: str) -> None:
    path, _, anchor = target.partition("#")
    linked = (ROOT / page).parent / path if path else ROOT / page
    relative = linked.resolve().relative_to(ROOT).as_posix()
    if relative in OTHER_PAGES and not linked.exists():
        pytest.skip(f"{relative} is written elsewhere and not here yet")
    assert linked.exists(), f"{page} links to {target}, which does not exist"
    if anchor and linked.suffix == ".md":
        assert anchor in anchors(relative), f"{page}: no heading '#{anchor}' in {relative}"


def test_the_readme_is_a_front_door() -> None:
    readme = text("README.md")
    assert len(readme.splitlines()) <= 300
    assert "## Contents" in readme
    for page in (*PAGES[1:], *OTHER_PAGES):
        assert f"]({page})" in readme, f"the README does not link {page}"
    for stale in ("keeps nothing on disk", "and nothing else", "| ratio |"):
        assert stale not in readme


def test_pages_name_no_machine_path() -> None:
    for page in PAGES:
        assert "/work/" not in text(page) and "/home/" not in text(page), page


def test_no_page_is_left_out() -> None:
    """A docs page of this project is either accounted for here or written elsewhere."""
    written = {p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").glob("*.md")}
    assert written <= set(PAGES) | set(OTHER_PAGES) | {"docs/decisions.md",
                                                         "docs/architecture.md"}
