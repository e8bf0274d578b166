"""The GitHub Actions example of the README and docs/sidecar.md, run as written: a served
emulator in a process of its own, started with the service's variables, and a pytest run with
the step's variables. The plugin must use that server (its orgs, and the application's requests,
land there) and start no emulator of its own."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.cli import Spawner, clean_env
from support.pytester import probes, report, run
from support.sidecar_readme import snippets

INNER = '''
import json
import os

import httpx


def test_the_app_and_the_plugin_use_the_sidecar(invent, invent_emulator):
    # The application under test reads its own setting, with the test's org key.
    with httpx.Client(base_url=os.environ["INVENT_API_URL"],
                      headers={"Authorization": f"Bearer {invent.api_key}"}) as app:
        made = app.post("/orgs/c/broadcasts", json={"name": "wired through the sidecar"})
    assert made.status_code == 200, made.text
    assert [b["name"] for b in invent.client.get("/orgs/c/broadcasts").json()] == [
        "wired through the sidecar"]
    print("\\nPROBE " + json.dumps({
        "url": invent.url, "org_id": invent.org_id, "shared": invent_emulator.shared,
        "own_emulator": invent_emulator.bridge is not None
                        or invent_emulator.transport is not None}))
'''


def github_example() -> tuple[dict[str, Any], dict[str, str]]:
    """(the service's env, the pytest step's env) of the GitHub example on docs/sidecar.md."""
    github = [s for s in snippets() if "jobs" in s][-1]["jobs"]["test"]
    service = github["services"]["invent"]
    (step,) = [s for s in github["steps"] if "env" in s]
    return service["env"], step["env"]


def on_port(url: str, port: int) -> str:
    """The documented URL with the port this test's server got (4010 may be taken)."""
    parsed = httpx.URL(url)
    assert parsed.port == 4010, url
    return str(parsed.copy_with(port=port))


def test_the_github_example_makes_the_plugin_use_the_sidecar(
        pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    service_env, step_env = github_example()
    assert set(step_env) == {"INVENT_API_URL", "INVENT_EMULATOR_URL"}
    with Spawner(tmp_path) as spawn:
        server = spawn("--port", "0", env=clean_env(**{k: str(v) for k, v in service_env.items()}))
        url, _ = server.wait_healthy(timeout=20.0)
        port = httpx.URL(url).port
        assert port is not None
        for name, value in step_env.items():
            monkeypatch.setenv(name, on_port(value, port))
        pytester.makepyfile(test_wired=INNER)

        result = run(pytester, "-s")

        assert result.ret == pytest.ExitCode.OK, report(result)
        [probe] = probes(result)
        assert probe["url"] == os.environ["INVENT_EMULATOR_URL"]
        assert probe["shared"] is True and probe["own_emulator"] is False
        with httpx.Client(base_url=url, timeout=10) as control:
            journal = control.get("/_emulator/requests",
                                  params={"org_id": probe["org_id"]}).json()
            orgs = [org["id"] for org in control.get("/_emulator/orgs").json()]
        # Both the application's request and the plugin's read reached this server, in the
        # test's org (which the plugin deleted after the test).
        assert [(e["method"], e["path"]) for e in reversed(journal)] == [
            ("POST", "/orgs/c/broadcasts"), ("GET", "/orgs/c/broadcasts")], json.dumps(journal)
        assert probe["org_id"] not in orgs
        # The service's scenario, as the example sets it.
        assert "org_otp" in orgs
