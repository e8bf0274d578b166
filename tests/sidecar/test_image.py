"""The image with a real engine (opt-in: INVENT_TEST_DOCKER=1; skipped with the reason when no
engine answers): it builds on the Python base image, adds at most 80 MB, turns healthy, answers
a send and exits 0 on `docker stop`; it carries the package's version as its label, and keeps a
state file on a named volume at /state across containers (docs/sidecar.md). Loopback only: host
networking, bound to 127.0.0.1.

The base image comes from INVENT_TEST_BASE_IMAGE, else from `../shared/tools/base-image.sh`
(relative to the repository) when that script exists, else the Dockerfile's default."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from support.dockerfile import ROOT

from emulator import __version__

pytestmark = pytest.mark.docker

BASE_IMAGE_SCRIPT = ROOT.parent / "shared" / "tools" / "base-image.sh"
MAX_ADDED_BYTES = 80 * 1000 * 1000
BUILD_WITHIN = 1800.0
HEALTHY_WITHIN = 60.0
STOP_WITHIN = 30.0


def docker(*args: str, timeout: float = 120.0) -> str:
    done = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout,
                          check=False, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, f"docker {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout.strip()


def engine_problem() -> str | None:
    if os.environ.get("INVENT_TEST_DOCKER") != "1":
        return "opt-in engine test: set INVENT_TEST_DOCKER=1 to build and run the image"
    if shutil.which("docker") is None:
        return "no `docker` command on PATH"
    done = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=60,
                          check=False)
    return None if done.returncode == 0 else f"no container engine reachable: {done.stderr}"


def base_image() -> str | None:
    if os.environ.get("INVENT_TEST_BASE_IMAGE"):
        return os.environ["INVENT_TEST_BASE_IMAGE"]
    if BASE_IMAGE_SCRIPT.exists():
        done = subprocess.run([str(BASE_IMAGE_SCRIPT)], capture_output=True, text=True,
                              timeout=BUILD_WITHIN, check=True)
        return done.stdout.strip()
    return None  # the Dockerfile's own default, from a registry


@pytest.fixture(scope="module")
def image() -> Iterator[tuple[str, str]]:
    """(tag, base image) of a freshly built image, removed afterwards."""
    problem = engine_problem()
    if problem:
        pytest.skip(problem)
    base = base_image()
    tag = f"invent-emulator-test:{uuid.uuid4().hex[:8]}"
    build_args = ["--build-arg", f"PYTHON_IMAGE={base}"] if base else []
    docker("build", "--network", "host", *build_args, "-t", tag, str(ROOT),
           timeout=BUILD_WITHIN)
    try:
        yield tag, base or "python:3.12-slim"
    finally:
        subprocess.run(["docker", "rmi", "-f", tag], capture_output=True, timeout=120,
                       check=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def health_status(container: str) -> str:
    return str(json.loads(docker("inspect", "--format", "{{json .State.Health.Status}}",
                                 container)))


def wait_healthy(container: str) -> None:
    deadline = time.monotonic() + HEALTHY_WITHIN
    while time.monotonic() < deadline:
        if health_status(container) == "healthy":
            return
        time.sleep(0.2)
    raise AssertionError(f"not healthy within {HEALTHY_WITHIN} s:\n{docker('logs', container)}")


def test_layers_on_top_of_the_base_add_at_most_80_mb(image: tuple[str, str]) -> None:
    tag, base = image
    size = int(docker("image", "inspect", "--format", "{{.Size}}", tag))
    base_size = int(docker("image", "inspect", "--format", "{{.Size}}", base))
    assert size - base_size <= MAX_ADDED_BYTES, f"adds {(size - base_size) / 1e6:.1f} MB"


def test_runs_as_a_numeric_non_root_user(image: tuple[str, str]) -> None:
    user = docker("image", "inspect", "--format", "{{.Config.User}}", image[0])
    assert user.split(":")[0].isdigit() and user.split(":")[0] != "0"


def test_turns_healthy_answers_a_send_and_stops_with_exit_0(image: tuple[str, str]) -> None:
    port = free_port()
    name = f"invent-emulator-test-{uuid.uuid4().hex[:8]}"
    docker("run", "-d", "--name", name, "--network", "host",
           "-e", "INVENT_EMULATOR_HOST=127.0.0.1", "-e", f"INVENT_EMULATOR_PORT={port}",
           image[0])
    try:
        wait_healthy(name)
        sent = httpx.post(f"http://127.0.0.1:{port}/orgs/c/broadcasts/bc_otp/send", timeout=10,
                          headers={"Authorization": "Bearer test_key_acme"},
                          json={"email": "ada@example.com", "variables": {"otp": "123456"}})
        assert sent.status_code == 200, sent.text
        docker("stop", name, timeout=STOP_WITHIN)
        assert docker("inspect", "--format", "{{.State.ExitCode}}", name) == "0"
        logs = subprocess.run(["docker", "logs", name], capture_output=True, text=True,
                              timeout=60, check=False)
        assert "Traceback" not in logs.stdout + logs.stderr
        assert "invent-emulator stopped" in logs.stderr
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True, timeout=60,
                       check=False)


def test_the_version_label_is_the_package_version(image: tuple[str, str]) -> None:
    labels = json.loads(docker("image", "inspect", "--format", "{{json .Config.Labels}}",
                               image[0]))
    assert labels["org.opencontainers.image.version"] == __version__


def test_a_state_file_on_a_named_volume_survives_a_new_container(
        image: tuple[str, str]) -> None:
    """docs/sidecar.md, "A state file in a container": `-v VOLUME:/state` needs no other step."""
    volume = f"invent-emulator-test-{uuid.uuid4().hex[:8]}"
    port = free_port()
    names: list[str] = []

    def start() -> str:
        name = f"{volume}-{len(names)}"
        names.append(name)
        docker("run", "-d", "--name", name, "--network", "host", "-v", f"{volume}:/state",
               "-e", "INVENT_EMULATOR_HOST=127.0.0.1", "-e", f"INVENT_EMULATOR_PORT={port}",
               "-e", "INVENT_EMULATOR_STATE_FILE=/state/state.json", image[0])
        wait_healthy(name)
        return name

    base = f"http://127.0.0.1:{port}"
    key = {"Authorization": "Bearer test_key_acme"}
    docker("volume", "create", volume)
    try:
        first = start()
        made = httpx.post(f"{base}/orgs/c/broadcasts", json={"name": "Kept"}, headers=key,
                          timeout=10)
        assert made.status_code == 200, made.text
        saved = httpx.post(f"{base}/_emulator/snapshot", timeout=30)
        assert saved.status_code == 200, saved.text + docker("logs", first)
        docker("stop", first, timeout=STOP_WITHIN)

        start()
        names_now = [b["name"] for b in httpx.get(f"{base}/orgs/c/broadcasts", headers=key,
                                                 timeout=10).json()]
        assert "Kept" in names_now
    finally:
        for name in names:
            subprocess.run(["docker", "rm", "-f", name], capture_output=True, timeout=60,
                           check=False)
        subprocess.run(["docker", "volume", "rm", "-f", volume], capture_output=True,
                       timeout=60, check=False)
