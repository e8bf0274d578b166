"""Every YAML example in the README is a valid scenario, so the documented language cannot rot.
(The Python examples are run by tests/plugin.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from emulator import load_scenario_text

ROOT = Path(__file__).resolve().parents[1]
BLOCKS = re.findall(r"```yaml\n(.*?)```", (ROOT / "README.md").read_text(), re.DOTALL)


def test_the_readme_has_yaml_examples() -> None:
    assert len(BLOCKS) >= 8


@pytest.mark.parametrize("block", BLOCKS, ids=[f"yaml-{i}" for i in range(len(BLOCKS))])
def test_each_yaml_example_is_a_valid_scenario(block: str) -> None:
    # Include paths in the examples are written as from scenarios/.
    load_scenario_text(block, "README.md", base_dir=ROOT / "scenarios")
