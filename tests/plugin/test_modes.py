"""Where the session's emulator runs: a thread on a loopback port (default), in-process with no
socket (option or ini), or an external server named by INVENT_EMULATOR_URL; and which scenario
it loads. One probe test reports what its fixtures saw; the outer test judges."""

from __future__ import annotations

import gc
import re
import socket
import time
import warnings
from typing import Any

import httpx
import pytest
from support.pytester import probes, report, run, statuses

from emulator.testing import plugin as invent_plugin

PROBE = """\
import json
import threading


def test_probe(invent, invent_emulator):
    made = invent.client.post("/orgs/c/broadcasts", json={"name": f"probe {invent.org_id}"})
    assert made.status_code == 200, made.text
    clock = invent_emulator.control.get("/_emulator/clock").json()
    info = {
        "url": invent.url,
        "session_url": invent_emulator.url,
        "transport": type(invent.transport).__name__,
        "threads": sorted(t.name for t in threading.enumerate()),
        "orgs": sorted(o["org_id"] for o in clock["orgs"]),
        "org_id": invent.org_id,
        "api_key": invent.api_key,
    }
    if "org_acme" in info["orgs"]:  # the default scenario: send one message from a copy
        acme = invent_emulator.new_org(copy_of="org_acme")
        sent = acme.client.post("/orgs/c/broadcasts/bc_otp/send",
                                json={"email": f"probe-{invent.org_id}@x.test"})
        assert sent.status_code == 200, sent.text
        info["sender"] = acme.org_id
        acme.close()
    print("PROBE " + json.dumps(info))
"""

LOOPBACK_URL = re.compile(r"http://127\.0\.0\.1:\d+")
SERVER_THREAD = "invent-emulator"  # emulator.testing.threaded names its thread so
IN_PROCESS_THREAD = "invent-emulator-inprocess"


def probe(pytester: pytest.Pytester, *args: str, subprocess: bool = False) -> dict[str, Any]:
    pytester.makepyfile(test_probe=PROBE)
    result = run(pytester, *args, subprocess=subprocess)
    assert statuses(result) == {"test_probe": {"PASSED"}}, report(result)
    [info] = probes(result)
    assert info["url"] == info["session_url"]
    return info


def assert_threaded(info: dict[str, Any]) -> None:
    assert LOOPBACK_URL.fullmatch(info["url"]), info
    assert info["transport"] == "NoneType", info
    assert SERVER_THREAD in info["threads"] and IN_PROCESS_THREAD not in info["threads"], info


def assert_in_process(info: dict[str, Any]) -> None:
    assert not info["url"].startswith("http://127.0.0.1"), info
    assert info["transport"] == "InProcessTransport", info
    assert SERVER_THREAD not in info["threads"] and IN_PROCESS_THREAD in info["threads"], info


def test_a_thread_on_a_loopback_port_by_default(pytester: pytest.Pytester) -> None:
    """The suite's one inner session in a fresh interpreter, as a user's plain run: pytest finds
    the plugin by its entry point, and nothing of this session is imported yet."""
    info = probe(pytester, subprocess=True)
    assert_threaded(info)
    assert "org_acme" in info["orgs"], "the default scenario is the bundled `default`"


def test_in_process_and_the_scenario_by_option(pytester: pytest.Pytester) -> None:
    info = probe(pytester, "--invent-mode=inprocess", "--invent-scenario", "otp")
    assert_in_process(info)
    assert "org_otp" in info["orgs"] and "org_acme" not in info["orgs"], info


def test_mode_and_scenario_from_the_ini_file(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ninvent_emulator_mode = inprocess\n"
                     "invent_emulator_scenario = otp\n")
    info = probe(pytester)
    assert_in_process(info)
    assert "org_otp" in info["orgs"] and "org_acme" not in info["orgs"], info


def test_the_options_override_the_ini_file(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ninvent_emulator_mode = inprocess\n"
                     "invent_emulator_scenario = otp\n")
    info = probe(pytester, "--invent-mode=thread", "--invent-scenario", "default")
    assert_threaded(info)
    assert "org_acme" in info["orgs"] and "org_otp" not in info["orgs"], info


def test_an_unknown_ini_mode_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ninvent_emulator_mode = sideways\n")
    pytester.makepyfile(test_probe=PROBE)
    result = run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*invent_emulator_mode must be one of thread, inprocess*"])


def test_an_external_emulator_from_the_environment(pytester: pytest.Pytester,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   external_url: str) -> None:
    monkeypatch.setenv(invent_plugin.URL_VARIABLE, external_url)
    info = probe(pytester, "--invent-mode=inprocess")  # ignored: the URL wins

    assert info["url"] == external_url and info["transport"] == "NoneType", info
    assert SERVER_THREAD not in info["threads"] and IN_PROCESS_THREAD not in info["threads"]
    with httpx.Client(base_url=external_url, timeout=10) as http:
        # The copy the probe made with new_org() is still there, with what it sent.
        sent = http.get("/_emulator/messages", params={"to": f"probe-{info['org_id']}@x.test"})
        assert [m["org_id"] for m in sent.json()] == [info["sender"]]
        # The `invent` org served the probe's request, then was removed when the test ended.
        journal = http.get("/_emulator/requests", params={
            "method": "POST", "path": "/orgs/c/broadcasts", "limit": "1000"}).json()
        assert [e["status"] for e in journal if info["org_id"] in e["body"]] == [200]
        orgs = {o["org_id"] for o in http.get("/_emulator/clock").json()["orgs"]}
        assert info["sender"] in orgs and info["org_id"] not in orgs
        gone = http.get("/orgs/c/broadcasts",
                        headers={"Authorization": f"Bearer {info['api_key']}"})
        assert gone.status_code == 401


def test_the_journal_names_the_org_a_c_request_reached(external_url: str) -> None:
    with httpx.Client(base_url=external_url, timeout=10) as http:
        made = http.post("/_emulator/orgs", json={}).json()
        try:
            own = {"Authorization": f"Bearer {made['api_key']}"}
            assert http.get("/orgs/c/broadcasts", headers=own).status_code == 200
            journal = http.get("/_emulator/requests", params={"org_id": made["id"]}).json()
            assert [(e["path"], e["org_id"]) for e in journal] == [
                ("/orgs/c/broadcasts", made["id"])]
        finally:
            http.delete(f"/_emulator/orgs/{made['id']}")


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        port: int = holder.getsockname()[1]
    return port


def test_an_unreachable_external_emulator_fails_clearly(pytester: pytest.Pytester,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # The plugin waits EXTERNAL_READY_TIMEOUT (30 s) for health and offers no option to shorten
    # it; the inner session runs in this interpreter, so the constant can be lowered for it.
    monkeypatch.setattr(invent_plugin, "EXTERNAL_READY_TIMEOUT", 0.5)
    url = f"http://127.0.0.1:{closed_port()}"
    monkeypatch.setenv(invent_plugin.URL_VARIABLE, url)
    pytester.makepyfile(test_probe=PROBE)

    started = time.monotonic()
    result = run(pytester)

    assert 0.5 <= time.monotonic() - started < 10
    assert statuses(result) == {"test_probe": {"ERROR"}}, report(result)
    result.stdout.fnmatch_lines([
        f"E * INVENT_EMULATOR_URL={url} did not answer /_emulator/health within 0.5 s"])
    # The in-process run left httpx whole for the tests after it in this worker (tests/conftest.py
    # imports httpcore for that): a refused connection is still httpx's error.
    with pytest.raises(httpx.ConnectError):
        httpx.get(url, timeout=5)


def test_in_process_mode_leaves_nothing_unclosed(pytester: pytest.Pytester) -> None:
    """The inner session runs in this interpreter: whatever its emulator leaves open (its event
    loop, a socket) is garbage here once the run ends, and warns when collected."""
    pytester.makepyfile(test_probe=PROBE)
    gc.collect()  # what earlier tests left is not this run's

    result = run(pytester, "--invent-mode=inprocess", "-W", "error")

    assert statuses(result) == {"test_probe": {"PASSED"}}, report(result)
    assert result.ret == pytest.ExitCode.OK, report(result)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gc.collect()
    left_open = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert left_open == [], left_open
