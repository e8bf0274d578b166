"""The CI examples (GitHub Actions, docker compose, GitLab CI; in the README and
docs/sidecar.md) use the one image name, the Dockerfile's port and health command, only variables
the settings know, and point both the application (`INVENT_API_URL`) and the pytest plugin
(`INVENT_EMULATOR_URL`) at the sidecar, saying which is which; the settings table lists every
setting with its flag, variable and default."""

from __future__ import annotations

from typing import Any

import pytest
from support import dockerfile
from support.docpages import text
from support.sidecar_readme import image_name, settings_rows, snippet_blocks, snippets

from emulator.settings import OPTIONS, Option

KNOWN_VARIABLES = {option.variable for option in OPTIONS}
APP_URL = "INVENT_API_URL"
PLUGIN_URL = "INVENT_EMULATOR_URL"


def kind(snippet: dict[str, Any]) -> str:
    if "jobs" in snippet:
        return "github"
    return "compose" if "services" in snippet else "gitlab"


def by_kind(wanted: str) -> list[dict[str, Any]]:
    found = [snippet for snippet in snippets() if kind(snippet) == wanted]
    assert found, f"no {wanted} example"
    return found


def test_every_kind_is_shown() -> None:
    assert sorted(kind(s) for s in snippets()) == ["compose", "github", "github", "gitlab"]


def assert_both_urls(variables: dict[str, Any], url: str) -> None:
    """The application's base URL and the plugin's both lead to the sidecar."""
    assert variables[APP_URL] == url
    assert variables[PLUGIN_URL] == url


def test_each_example_says_which_url_is_which() -> None:
    for block in snippet_blocks():
        lines = block.body.splitlines()
        app = [line for line in lines if f"{APP_URL}:" in line]
        plugin = [line for line in lines if f"{PLUGIN_URL}:" in line]
        assert len(app) == len(plugin) == 1, block.where
        assert "your application" in app[0] and "pytest plugin" in plugin[0], block.where


def assert_image(reference: str) -> None:
    name, _, tag = reference.partition(":")
    assert name == image_name()
    assert tag


def assert_variables(variables: dict[str, Any]) -> None:
    ours = {name for name in variables if name.startswith("INVENT_EMULATOR_")}
    assert ours, "each snippet shows at least one setting"
    assert ours <= KNOWN_VARIABLES


def container_port(mapping: str) -> int:
    return int(str(mapping).rsplit(":", 1)[1])


def test_the_pages_name_the_image_once() -> None:
    image = image_name()
    prose = "".join(text(page).replace(f"{image}:latest", "")
                    for page in ("README.md", "docs/sidecar.md"))
    assert prose.count(image) == 1


@pytest.mark.parametrize("snippet", by_kind("github"), ids=["README", "sidecar.md"])
def test_github_actions_service(snippet: dict[str, Any]) -> None:
    service = snippet["jobs"]["test"]["services"]["invent"]
    assert_image(service["image"])
    assert [container_port(p) for p in service["ports"]] == [dockerfile.exposed_port()]
    assert_variables(service["env"])
    health = " ".join(dockerfile.healthcheck().command[:2])
    assert f'--health-cmd "{health}"' in service["options"]
    assert "--health-interval" in service["options"]
    host_port = int(str(service["ports"][0]).split(":")[0])
    (step,) = [s for s in snippet["jobs"]["test"]["steps"] if "env" in s]
    assert step["run"] == "pytest"
    assert_both_urls(step["env"], f"http://localhost:{host_port}")


def test_docker_compose_service() -> None:
    (snippet,) = by_kind("compose")
    compose = snippet["services"]
    service = compose["invent"]
    assert_image(service["image"])
    assert [container_port(p) for p in service["ports"]] == [dockerfile.exposed_port()]
    assert all(p.startswith("127.0.0.1:") for p in service["ports"])  # loopback on the host
    assert_variables(service["environment"])
    assert service["healthcheck"]["test"][1:3] == dockerfile.healthcheck().command[:2]
    mounted = service["volumes"][0].split(":")[1]
    assert mounted == dockerfile.instructions("WORKDIR")[-1]
    assert service["environment"]["INVENT_EMULATOR_SCENARIO"].startswith(mounted + "/")
    tests = compose["tests"]
    assert tests["depends_on"]["invent"]["condition"] == "service_healthy"
    assert_both_urls(tests["environment"], f"http://invent:{dockerfile.exposed_port()}")


def test_gitlab_ci_service() -> None:
    (snippet,) = by_kind("gitlab")
    job = snippet["test"]
    (service,) = job["services"]
    assert_image(service["name"])
    assert_variables(service["variables"])
    assert_both_urls(job["variables"], f"http://{service['alias']}:{dockerfile.exposed_port()}")


@pytest.mark.parametrize("option", OPTIONS, ids=lambda o: o.name)
def test_each_setting_has_its_row(option: Option) -> None:
    row = settings_rows().get(option.variable)
    assert row, f"no docs/sidecar.md row for {option.variable}"
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
