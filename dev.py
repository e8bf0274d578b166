#!/usr/bin/env python3
"""Bootstrap with nothing but Python 3.11+:

  python3 dev.py serve [flags]         the emulator (installs the runtime dependencies only)
  python3 dev.py test [--fast] [args]  ruff, mypy --strict (emulator and tests), pytest
                                       (--fast: the in-process tests only; args go to pytest)
  python3 dev.py build                 the wheel and the sdist, into dist/
  python3 dev.py validate FILE         check a scenario file
  python3 dev.py bench [--quick] [--only GROUP]   the benchmark (see bench/README.md)

Creates .venv on first use and (re)installs the project when pyproject.toml changes: `serve`
and `validate` need the package alone; `test`, `build` and `bench` add pyproject's `test`
dependency group. INVENT_DEV_VENV names an existing environment to use instead of .venv (dev.py
installs nothing into it).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent
COMMANDS = ("serve", "test", "build", "validate", "bench")
# What `serve` forwards to the server before exiting with the server's own code.
FORWARDED = (signal.SIGINT, signal.SIGTERM, *((signal.SIGHUP,) if hasattr(signal, "SIGHUP")
                                             else ()))
# Where `test` keeps bytecode when the environment asks Python not to write it (see
# bytecode_cached); `__pycache__/` is git-ignored.
PYCACHE = ROOT / "__pycache__" / "prefix"
# pip learned `--group` (PEP 735 dependency groups) in 25.1.
PIP_WITH_GROUPS = "pip>=25.1"
# The pytest part of `test --fast`: the in-process tests (no subprocess, no served process, no
# browser). tests/conftest.py marks tests `slow` by folder; tests/README.md has the scheme.
FAST_SELECTION = "not slow and not browser and not docker"


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 -- dev.py may be run by any python3
        print("invent-emulator needs Python 3.11 or newer", file=sys.stderr)
        return 2
    if not argv or argv[0] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        return 2
    command, rest = argv[0], argv[1:]
    environment = Environment.chosen()
    if command in ("serve", "validate"):
        environment.ensure(groups=())
        return serve([str(environment.bin / "invent-emulator"), command, *rest])
    environment.ensure(groups=("test",))
    if command == "test":
        return run_checks(environment, rest)
    if command == "build":
        return run([str(environment.bin / "python"), "-m", "hatchling", "build", "-d",
                    str(ROOT / "dist")])
    return run([str(environment.bin / "python"), "-m", "bench", *rest])


class Environment:
    """The virtual environment the commands run in, and what has been installed into it."""

    def __init__(self, root: Path, managed: bool) -> None:
        self.root = root
        self.bin = root / ("Scripts" if os.name == "nt" else "bin")
        self.managed = managed
        self.stamp = root / ".dev-stamp"

    @classmethod
    def chosen(cls) -> Environment:
        given = os.environ.get("INVENT_DEV_VENV")
        return cls(Path(given), managed=False) if given else cls(ROOT / ".venv", managed=True)

    def ensure(self, groups: tuple[str, ...]) -> None:
        """The project installed (editable) with these dependency groups, once per version of
        pyproject.toml; an environment that already has more groups is left alone."""
        if not self.managed:
            return
        if not (self.bin / "python").exists():
            run_or_die([sys.executable, "-m", "venv", str(self.root)])
        project = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
        installed = self.stamp.read_text().split() if self.stamp.exists() else []
        if installed[:1] == [project] and set(groups) <= set(installed[1:]):
            return
        python = str(self.bin / "python")
        quiet = ["--quiet", "--disable-pip-version-check"]
        group_options = [part for group in groups for part in ("--group", group)]
        if groups:
            run_or_die([python, "-m", "pip", "install", *quiet, "--upgrade", PIP_WITH_GROUPS])
        run_or_die([python, "-m", "pip", "install", *quiet, "-e", str(ROOT), *group_options])
        self.stamp.write_text(" ".join([project, *groups]))


def run_checks(environment: Environment, args: list[str]) -> int:
    fast = "--fast" in args
    pytest_args = [arg for arg in args if arg != "--fast"]
    for step in (
        [str(environment.bin / "ruff"), "check", "emulator", "tests", "bench", "dev.py"],
        [str(environment.bin / "mypy"), "--strict", "emulator", "tests"],
    ):
        code = run(step)
        if code:
            return code
    if not fast:
        ensure_axe()
    selection = ["-m", FAST_SELECTION, "-n", "2"] if fast else ["-n", "2", "--dist", "loadgroup"]
    code = run([str(environment.bin / "python"), "-m", "pytest", *selection, *pytest_args],
               env=bytecode_cached(os.environ))
    # Exit 5 means a selection matched no test, which is not a failure of the suite.
    return 0 if code == 5 else code


def ensure_axe() -> None:
    """axe-core (pinned and locked in tests/browser), which the browser tests inject for their
    accessibility check: installed with npm when it is missing. Without npm it stays missing, and
    the browser tests say so."""
    axe = ROOT / "tests/browser/node_modules/axe-core/axe.min.js"
    if axe.exists() or not shutil.which("npm"):
        return
    run_or_die(["npm", "ci", "--prefix", str(ROOT / "tests/browser"), "--no-audit", "--no-fund",
                "--ignore-scripts"])


def serve(command: list[str]) -> int:
    """The server as a child in its own process group: SIGINT, SIGTERM and SIGHUP sent to
    dev.py reach it exactly once (a terminal's Ctrl-C too), and dev.py exits with its code."""
    print("+", " ".join(command), flush=True)
    # Bytecode cached as for `test`: a checkout's modules are not compiled again at each start.
    child = subprocess.Popen(command, cwd=ROOT, process_group=0, env=bytecode_cached(os.environ))

    def forward(signum: int, frame: FrameType | None) -> None:
        if child.poll() is None:
            child.send_signal(signum)

    for sig in FORWARDED:
        signal.signal(sig, forward)
    code = child.wait()
    # A child ended by a signal exits the way a shell reports it.
    return 128 - code if code < 0 else code


def bytecode_cached(env: Mapping[str, str]) -> dict[str, str]:
    """`env` with bytecode cached (for `test`, and for `serve`, whose start it shortens the
    same way). Where PYTHONDONTWRITEBYTECODE is set (some containers set it), every pytest
    process compiled and assertion-rewrote about 1,200 modules again (its
    plugins' whole packages: schemathesis, hypothesis, faker...), about 2.5 s of CPU per
    process, and so did every server and inner session a test starts. The bytecode goes to
    PYCACHE instead (git-ignored), never beside the sources."""
    if not env.get("PYTHONDONTWRITEBYTECODE") or env.get("PYTHONPYCACHEPREFIX"):
        return dict(env)
    kept = {name: value for name, value in env.items() if name != "PYTHONDONTWRITEBYTECODE"}
    return {**kept, "PYTHONPYCACHEPREFIX": str(PYCACHE)}


def run(command: list[str], env: dict[str, str] | None = None) -> int:
    print("+", " ".join(command), flush=True)
    try:
        return subprocess.call(command, cwd=ROOT, env=env)
    except KeyboardInterrupt:
        return 130


def run_or_die(command: list[str]) -> None:
    code = run(command)
    if code:
        sys.exit(code)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
