#!/usr/bin/env python3
"""Bootstrap with nothing but Python 3.11+: `python3 dev.py serve [flags]`, `python3 dev.py test`
or `python3 dev.py bench [--quick] [--only GROUP]` (see bench/README.md).

Creates .venv on first use, (re)installs the project when pyproject.toml changes, then runs the
emulator, the whole check suite (ruff, mypy --strict, pytest) or the benchmark.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".dev-stamp"


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 -- dev.py may be run by any python3
        print("invent-emulator needs Python 3.11 or newer", file=sys.stderr)
        return 2
    if not argv or argv[0] not in ("serve", "test", "validate", "bench"):
        print(__doc__, file=sys.stderr)
        return 2
    ensure_environment()
    command, rest = argv[0], argv[1:]
    if command == "test":
        return run_checks(rest)
    if command == "bench":
        return run([str(BIN / "python"), "-m", "bench", *rest])
    return run([str(BIN / "invent-emulator"), command, *rest])


def ensure_environment() -> None:
    if not (BIN / "python").exists():
        run_or_die([sys.executable, "-m", "venv", str(VENV)])
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    run_or_die([str(BIN / "python"), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    run_or_die([str(BIN / "python"), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[test]"])
    STAMP.write_text(wanted)


def run_checks(pytest_args: list[str]) -> int:
    for step in (
        [str(BIN / "ruff"), "check", "emulator", "tests", "bench", "dev.py"],
        [str(BIN / "mypy"), "--strict", "emulator"],
    ):
        code = run(step)
        if code:
            return code
    code = run([str(BIN / "python"), "-m", "pytest", *pytest_args])
    # Exit 5 means a selection matched no test, which is not a failure of the suite.
    return 0 if code == 5 else code


def run(command: list[str]) -> int:
    print("+", " ".join(command), flush=True)
    try:
        return subprocess.call(command, cwd=ROOT)
    except KeyboardInterrupt:
        return 130


def run_or_die(command: list[str]) -> None:
    code = run(command)
    if code:
        sys.exit(code)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
