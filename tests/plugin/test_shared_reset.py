"""Issue 12, items 9 and 10 for the plugin: against one shared `invent-emulator serve`, a full
`invent_emulator.reset()` from one xdist worker resets only the orgs that worker's session made
(another worker's org keeps its data mid-test), and the plugin sends the admin token when
INVENT_EMULATOR_ADMIN_TOKEN is set."""

from __future__ import annotations

import httpx
import pytest
from support.pytester import report, run

from emulator import create_app
from emulator.settings import Settings
from emulator.testing import plugin as invent_plugin
from emulator.testing.threaded import ThreadedServer

# Run with `--dist each`: every worker runs this one test, and plays a role by its worker id.
# gw0 fills its org and waits; gw1 resets everything it can while gw0 waits; gw0 then checks
# its org still holds its data. Every wait has a deadline.
INNER = """\
import os
import pathlib
import time

SIGNALS = pathlib.Path(os.environ["PROBE_SIGNALS"])


def wait_for(name):
    deadline = time.monotonic() + 30
    while not SIGNALS.joinpath(name).exists():
        assert time.monotonic() < deadline, f"no {{name}} signal"
        time.sleep(0.02)


def test_reset_from_another_worker(invent, invent_emulator):
    made = invent.client.post("/orgs/c/broadcasts", json={{"name": "mine"}})
    assert made.status_code == 200, made.text
    mine = [b["name"] for b in invent.client.get("/orgs/c/broadcasts").json()]
    if os.environ["PYTEST_XDIST_WORKER"] == "gw0":
        SIGNALS.joinpath("filled").touch()
        wait_for("reset")
        assert [b["name"] for b in invent.client.get("/orgs/c/broadcasts").json()] == mine
    else:
        wait_for("filled")
        invent_emulator.reset()
        SIGNALS.joinpath("reset").touch()
        assert [b["name"] for b in invent.client.get("/orgs/c/broadcasts").json()] == []
"""


def test_a_full_reset_on_a_shared_server_spares_other_sessions_orgs(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, external_url: str) -> None:
    monkeypatch.setenv(invent_plugin.URL_VARIABLE, external_url)
    monkeypatch.setenv("PROBE_SIGNALS", str(pytester.mkdir("signals")))
    pytester.makepyfile(test_shared=INNER.format())
    result = run(pytester, "-n", "2", "--dist", "each", xdist=True)
    assert result.ret == pytest.ExitCode.OK, report(result)
    result.assert_outcomes(passed=2)


def test_the_plugin_sends_the_admin_token(pytester: pytest.Pytester,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makepyfile(test_token="""
        def test_control(invent, invent_emulator):
            invent_emulator.reset()
            assert invent.now()
    """)
    # A served emulator with a token, in a thread here (the CLI's own token handling:
    # tests/reliability/test_guard_served.py, tests/sidecar/test_settings.py).
    server = ThreadedServer(create_app(Settings(admin_token="tok-123"))).start()
    try:
        assert httpx.get(f"{server.url}/_emulator/clock", timeout=10).status_code == 401
        monkeypatch.setenv(invent_plugin.URL_VARIABLE, server.url)
        refused = run(pytester)
        assert refused.ret != pytest.ExitCode.OK and "401" in "\n".join(refused.outlines)
        monkeypatch.setenv("INVENT_EMULATOR_ADMIN_TOKEN", "tok-123")
        accepted = run(pytester)
        assert accepted.ret == pytest.ExitCode.OK, report(accepted)
    finally:
        server.stop()
