"""emulator.testing.container.InventEmulatorContainer (issue 21 item 8): its configuration
without an engine, and (opt-in: INVENT_TEST_DOCKER=1, like test_image.py) the image started,
waited for until healthy, and answering at `url`."""

from __future__ import annotations

import contextlib
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support.dockerfile import ROOT
from testcontainers.core.config import testcontainers_config

from emulator.testing.container import IMAGE, PORT, InventEmulatorContainer
from sidecar.test_image import BUILD_WITHIN, base_image, docker, engine_problem


class _NoEngine:
    """Stands in for testcontainers' DockerClient, which connects to the engine as soon as a
    container object is made: the configuration tests must run (and leak no socket) without one."""

    def __init__(self, **_: object) -> None:
        pass


@pytest.fixture
def no_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("testcontainers.core.container.DockerClient", _NoEngine)


@pytest.mark.usefixtures("no_engine")
def test_the_defaults_expose_the_port_and_wait_for_the_health_check() -> None:
    container = InventEmulatorContainer()
    assert container.image == IMAGE
    assert container.ports == {str(PORT): None}
    assert container.env == {}
    assert type(container._wait_strategy).__name__ == "HealthcheckWaitStrategy"


@pytest.mark.usefixtures("no_engine")
def test_a_bundled_scenario_and_an_admin_token_are_variables() -> None:
    container = InventEmulatorContainer("my/image:1", scenario="default", admin_token="t0ken")
    assert container.image == "my/image:1"
    assert container.env == {"INVENT_EMULATOR_SCENARIO": "default",
                             "INVENT_EMULATOR_ADMIN_TOKEN": "t0ken"}
    assert container.volumes == {}


@pytest.mark.usefixtures("no_engine")
def test_a_scenario_file_is_mounted_read_only_with_its_folder(tmp_path: Path) -> None:
    scenario = tmp_path / "shop.yaml"
    scenario.write_text("orgs: []\n", encoding="utf-8")
    container = InventEmulatorContainer(scenario=scenario)
    assert container.env == {"INVENT_EMULATOR_SCENARIO": "/scenarios/shop.yaml"}
    assert container.volumes == {str(tmp_path): {"bind": "/scenarios", "mode": "ro"}}
    with pytest.raises(FileNotFoundError, match=r"missing\.yaml"):
        InventEmulatorContainer(scenario=tmp_path / "missing.yaml")


@pytest.mark.usefixtures("no_engine")
def test_url_is_the_mapped_port_on_the_host(monkeypatch: pytest.MonkeyPatch) -> None:
    container = InventEmulatorContainer()
    monkeypatch.setattr(container, "get_container_host_ip", lambda: "127.0.0.1")
    monkeypatch.setattr(container, "get_exposed_port", lambda port: {PORT: 49153}[port])
    assert container.url == "http://127.0.0.1:49153"


@pytest.fixture(scope="module")
def image() -> Iterator[str]:
    """INVENT_TEST_IMAGE, or an image built from this checkout (removed afterwards)."""
    problem = engine_problem()
    if problem:
        pytest.skip(problem)
    if os.environ.get("INVENT_TEST_IMAGE"):
        yield os.environ["INVENT_TEST_IMAGE"]
        return
    base = base_image()
    tag = f"invent-emulator-test:{uuid.uuid4().hex[:8]}"
    build_args = ["--build-arg", f"PYTHON_IMAGE={base}"] if base else []
    docker("build", "--network", "host", *build_args, "-t", tag, str(ROOT),
           timeout=BUILD_WITHIN)
    try:
        yield tag
    finally:  # best effort: a busy engine may take minutes to remove an image
        with contextlib.suppress(subprocess.TimeoutExpired):
            subprocess.run(["docker", "rmi", "-f", tag], capture_output=True, timeout=120,
                           check=False)


@pytest.mark.docker
def test_the_container_turns_healthy_and_answers_at_url(image: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # Ryuk (the reaper for crashed sessions) is an image of its own an offline engine cannot
    # pull; the `with` block removes the container anyway.
    monkeypatch.setattr(testcontainers_config, "ryuk_disabled", True)
    with InventEmulatorContainer(image, scenario="default") as emulator:
        assert httpx.get(f"{emulator.url}/_emulator/health", timeout=10).json() == {
            "status": "ok"}
        sent = httpx.post(f"{emulator.url}/orgs/c/broadcasts/bc_otp/send", timeout=10,
                          headers={"Authorization": "Bearer test_key_acme"},
                          json={"email": "ada@example.com"})
        assert sent.status_code == 200, sent.text
