"""Every benchmark module imports: the benchmark is not run by the suite in full, so a module
that drifted from the package it measures must fail here rather than on its next run."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.mark.parametrize("module", sorted(p.stem for p in BENCH.glob("*.py")))
def test_the_bench_module_imports(module: str) -> None:
    importlib.import_module(f"bench.{module}")
