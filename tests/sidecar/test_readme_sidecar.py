"""The README's CI snippets (GitHub Actions, docker compose, GitLab CI) use the one image name,
the Dockerfile's port and health command, and only variables the settings know; the settings
table lists every setting with its flag, variable and default."""

from __future__ import annotations

from typing import Any

import pytest
from support import dockerfile
from support.sidecar_readme import README, readme_image, settings_rows, snippets

from emulator.settings import OPTIONS, Option

KNOWN_VARIABLES = {option.variable for option in OPTIONS}


def by_kind() -> dict[str, dict[str, Any]]:
    kinds: dict[str, dict[str, Any]] = {}
    for snippet in snippets():
        if "jobs" in snippet:
            kinds["github"] = snippet
        elif "services" in snippet:
            kinds["compose"] = snippet
        else:
            kinds["gitlab"] = snippet
    assert set(kinds) == {"github", "compose", "gitlab"}
    return kinds


def assert_image(reference: str) -> None:
    name, _, tag = reference.partition(":")
    assert name == readme_image()
    assert tag


def assert_variables(variables: dict[str, Any]) -> None:
    ours = {name for name in variables if name.startswith("INVENT_EMULATOR_")}
    assert ours, "each snippet shows at least one setting"
    assert ours <= KNOWN_VARIABLES


def container_port(mapping: str) -> int:
    return int(str(mapping).rsplit(":", 1)[1])


def test_the_readme_names_the_image_once() -> None:
    image = readme_image()
    prose = README.replace(f"{image}:latest", "")
    assert prose.count(image) == 1


def test_github_actions_service() -> None:
    service = by_kind()["github"]["jobs"]["test"]["services"]["invent"]
    assert_image(service["image"])
    assert [container_port(p) for p in service["ports"]] == [dockerfile.exposed_port()]
    assert_variables(service["env"])
    health = " ".join(dockerfile.healthcheck().command[:2])
    assert f'--health-cmd "{health}"' in service["options"]
    assert "--health-interval" in service["options"]


def test_docker_compose_service() -> None:
    compose = by_kind()["compose"]["services"]
    service = compose["invent"]
    assert_image(service["image"])
    assert [container_port(p) for p in service["ports"]] == [dockerfile.exposed_port()]
    assert all(p.startswith("127.0.0.1:") for p in service["ports"])  # loopback on the host
    assert_variables(service["environment"])
    assert service["healthcheck"]["test"][1:3] == dockerfile.healthcheck().command[:2]
    mounted = service["volumes"][0].split(":")[1]
    assert mounted == dockerfile.instructions("WORKDIR")[-1]
    assert service["environment"]["INVENT_EMULATOR_SCENARIO"].startswith(mounted + "/")
    assert compose["app"]["depends_on"]["invent"]["condition"] == "service_healthy"
    assert compose["app"]["environment"]["INVENT_API_URL"].endswith(
        f":{dockerfile.exposed_port()}")


def test_gitlab_ci_service() -> None:
    job = by_kind()["gitlab"]["test"]
    (service,) = job["services"]
    assert_image(service["name"])
    assert_variables(service["variables"])
    assert job["variables"]["INVENT_API_URL"] == \
        f"http://{service['alias']}:{dockerfile.exposed_port()}"


@pytest.mark.parametrize("option", OPTIONS, ids=lambda o: o.name)
def test_each_setting_has_its_row(option: Option) -> None:
    row = settings_rows().get(option.variable)
    assert row, f"no README row for {option.variable}"
    assert row[0].strip("`").split()[0] == option.flag
    expected = shown(option.default)
    assert row[2] == (expected if expected == "none" else f"`{expected}`")


def test_the_table_lists_nothing_else() -> None:
    assert set(settings_rows()) == KNOWN_VARIABLES


def shown(default: object) -> str:
    if default is None or default == ():
        return "none"
    if isinstance(default, tuple):
        return ",".join(default)
    if isinstance(default, bool):
        return "on" if default else "off"
    if isinstance(default, float):
        return f"{default:g}"
    return str(default)
