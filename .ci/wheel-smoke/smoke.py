"""The installed wheel, from a clean virtual environment (run by its own interpreter, from
`.ci/run`): the CLI's `--version`, `serve` until healthy, and the pytest plugin running
test_installed_plugin.py. Standard library only; every process is stopped by its own id."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
URL_LINE = re.compile(rb"listening on (http://127\.0\.0\.1:\d+)")


def check_version(expected: str) -> None:
    done = subprocess.run([str(BIN / "invent-emulator"), "--version"], capture_output=True,
                          text=True, timeout=60, check=True)
    assert done.stdout.strip() == f"invent-emulator {expected}", done.stdout
    print(f"smoke: {done.stdout.strip()}", flush=True)


def check_serve(workdir: Path) -> None:
    log = workdir / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen([str(BIN / "invent-emulator"), "serve", "--host", "127.0.0.1",
                                   "--port", "0"], cwd=workdir, stdin=subprocess.DEVNULL,
                                  stdout=output, stderr=subprocess.STDOUT)
        try:
            url = _healthy(server, log, deadline=time.monotonic() + 30)
            print(f"smoke: serve healthy at {url}", flush=True)
            server.send_signal(signal.SIGTERM)
            assert server.wait(timeout=15) == 0, log.read_text()
        finally:
            if server.poll() is None:
                server.kill()
                server.wait(timeout=10)


def _healthy(server: subprocess.Popen[bytes], log: Path, deadline: float) -> str:
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()
        match = URL_LINE.search(log.read_bytes())
        if match:
            url = match.group(1).decode()
            try:
                with urllib.request.urlopen(f"{url}/_emulator/health", timeout=2) as answer:
                    if answer.status == 200:
                        return url
            except OSError:
                pass
        time.sleep(0.05)
    raise AssertionError(f"not healthy in time:\n{log.read_text()}")


def check_plugin(workdir: Path) -> None:
    # A directory of its own: the project's pyproject.toml (and its pytest settings) stay out.
    target = workdir / "test_installed_plugin.py"
    target.write_bytes((HERE / target.name).read_bytes())
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("INVENT_EMULATOR_") and k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           target.name], cwd=workdir, env=env, timeout=120, check=False)
    assert done.returncode == 0, f"the plugin's test run exited {done.returncode}"


def main() -> None:
    import importlib.metadata

    import emulator

    expected = importlib.metadata.version("invent-emulator")  # the wheel's own metadata

    location = Path(emulator.__file__).resolve()
    assert "site-packages" in location.parts, f"not the installed wheel: {location}"
    with tempfile.TemporaryDirectory(prefix="wheel-smoke-") as name:
        workdir = Path(name)
        check_version(expected)
        check_serve(workdir)
        check_plugin(workdir)
    print("smoke: the installed wheel works", flush=True)


if __name__ == "__main__":
    main()
