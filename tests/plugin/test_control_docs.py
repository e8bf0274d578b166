"""docs/test-control.md stays true: its Python examples (tests/examples/control/) run green as
a user's suite in both plugin modes and appear in the page word for word, and every `http`
block of the page is a request the emulator answers 200."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from support.apps import client_for
from support.pytester import ROOT, report, run, statuses
from support.wire import START

from emulator import create_app
from emulator.scenario.load import load_scenario_file
from emulator.support.clock import VirtualClock

PAGE = ROOT / "docs" / "test-control.md"
EXAMPLES = ROOT / "tests" / "examples" / "control"
CODE_BLOCK = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def _examples() -> list[Path]:
    return sorted(EXAMPLES.glob("example_*"))


def _blocks(language: str) -> list[str]:
    return [body.strip() for lang, body in CODE_BLOCK.findall(PAGE.read_text("utf-8"))
            if lang == language]


@pytest.mark.parametrize("mode", ["thread", "inprocess"])
def test_the_examples_pass(pytester: pytest.Pytester, mode: str) -> None:
    tests = 0
    for source in _examples():
        target = source.name.replace("example_", "test_", 1) if source.suffix == ".py" \
            else source.name
        shutil.copyfile(source, pytester.path / target)
        tests += source.read_text("utf-8").count("\ndef test_")

    result = run(pytester, f"--invent-mode={mode}")

    assert result.ret == pytest.ExitCode.OK, report(result)
    assert len(statuses(result)) == tests >= 4, report(result)


def test_the_page_shows_each_example_and_nothing_untested() -> None:
    files = {p.read_text("utf-8").strip() for p in _examples()}
    shown = set(_blocks("python")) | set(_blocks("yaml"))
    assert shown == files


@pytest.mark.anyio
async def test_every_http_block_is_answered() -> None:
    app = create_app(scenario=load_scenario_file(EXAMPLES / "example_shop.yaml"),
                     clock=VirtualClock(START))
    blocks = _blocks("http")
    assert len(blocks) >= 4
    async with client_for(app, None) as control:
        for block in blocks:
            line, _, body = block.partition("\n")
            method, target = line.split(" ", 1)
            response = await control.request(method, target,
                                             json=json.loads(body) if body else None)
            assert response.status_code == 200, (block, response.text)
