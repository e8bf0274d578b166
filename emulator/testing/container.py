"""The emulator's container image under Testcontainers (`pip install testcontainers`, optional):
`with InventEmulatorContainer() as emulator: emulator.url` starts the image, waits until its
health check reports healthy, and removes it afterwards.

    from emulator.testing.container import InventEmulatorContainer

    with InventEmulatorContainer(scenario="scenarios/shop.yaml") as emulator:
        httpx.get(f"{emulator.url}/_emulator/health")

Point the code under test at `emulator.url` (or set INVENT_EMULATOR_URL to it, and the pytest
plugin uses that server as the external emulator)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from testcontainers.core.container import DockerContainer
from testcontainers.core.wait_strategies import HealthcheckWaitStrategy

IMAGE = "ghcr.io/invent-emulator/invent-emulator:latest"
PORT = 4010  # the image's INVENT_EMULATOR_PORT (Dockerfile)
SCENARIOS = "/scenarios"  # the image's working directory, where scenario files are mounted
STARTUP_TIMEOUT = 60.0


class InventEmulatorContainer(DockerContainer):
    """One emulator container: `url` once started. `scenario` is a bundled scenario's name or a
    YAML file on this machine (its folder is mounted read-only, so its includes resolve);
    `admin_token` guards the control surface; other keywords go to `DockerContainer`."""

    def __init__(self, image: str = IMAGE, *, scenario: str | Path | None = None,
                 admin_token: str | None = None,
                 startup_timeout: float = STARTUP_TIMEOUT, **kwargs: Any) -> None:
        super().__init__(image, **kwargs)
        self.with_exposed_ports(PORT)
        if scenario is not None:
            self.with_env("INVENT_EMULATOR_SCENARIO", self._scenario(scenario))
        if admin_token is not None:
            self.with_env("INVENT_EMULATOR_ADMIN_TOKEN", admin_token)
        self.waiting_for(HealthcheckWaitStrategy().with_startup_timeout(int(startup_timeout)))

    @property
    def url(self) -> str:
        """`http://host:port` of the running container, as this machine reaches it."""
        host = self.get_container_host_ip()
        return f"http://{host}:{self.get_exposed_port(PORT)}"

    def _scenario(self, scenario: str | Path) -> str:
        path = Path(scenario)
        if isinstance(scenario, str) and path.suffix not in (".yaml", ".yml"):
            return scenario  # a bundled scenario's name, e.g. "default"
        path = path.resolve()
        if not path.is_file():
            raise FileNotFoundError(f"no scenario file {path}")
        self.with_volume_mapping(str(path.parent), SCENARIOS, "ro")
        return f"{SCENARIOS}/{path.name}"
