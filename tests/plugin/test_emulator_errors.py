"""An exception inside the emulator fails the test during which it happened, not a later one.

Inner tests cause a genuine exception in the emulator by monkeypatching a function it calls
(the magic-address table of a control endpoint; a domain function behind a public endpoint)
and then calling that endpoint; the emulator answers 500 and records the exception."""

from __future__ import annotations

import pytest
from support.pytester import report, run, statuses

# Every inner session here makes the emulator answer 500 on purpose.
pytestmark = pytest.mark.usefixtures("emulator_broken_on_purpose")

BOOM = """\
import emulator.http.inspection as control
import emulator.http.broadcasts as public


def boom(*args, **kwargs):
    raise RuntimeError("emulator kaboom")
"""

ATTRIBUTED = BOOM + """

def call(client, path):
    try:
        return client.get(path)
    except RuntimeError:  # the in-process transport also hands it to the caller
        return None


def test_a_breaks_a_control_endpoint(invent, monkeypatch):
    monkeypatch.setattr(control, "magic_table", boom)
    call(invent.client, "/_emulator/magic")


def test_b_is_normal(invent):
    assert invent.client.post("/orgs/c/broadcasts", json={"name": "b"}).status_code == 200
    assert invent.messages() == []


def test_c_breaks_a_domain_function(invent, monkeypatch):
    monkeypatch.setattr(public, "list_broadcasts", boom)
    call(invent.client, "/orgs/c/broadcasts")


def test_d_is_normal(invent):
    assert invent.client.get("/orgs/c/broadcasts").json() == []


def test_e_breaks_it_without_invent(invent_emulator, monkeypatch):
    monkeypatch.setattr(control, "magic_table", boom)
    with invent_emulator.client() as http:  # its own connection: the shared one stays usable
        call(http, "/_emulator/magic")


def test_f_is_normal(invent):
    assert invent.client.get("/orgs/c/broadcasts").json() == []
"""

ANSWERS_500 = BOOM + """

def test_an_emulator_error_answers_500(invent, monkeypatch):
    monkeypatch.setattr(control, "magic_table", boom)
    response = invent.client.get("/_emulator/magic")
    assert response.status_code == 500
    assert response.json()["statusCode"] == 500
"""

KEEP_ALIVE = BOOM + """
import re
import socket
from urllib.parse import urlsplit


def read_head(sock):
    data = b""
    while b"\\r\\n\\r\\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\\r\\n\\r\\n")
    length = int(re.search(rb"(?i)content-length: *(\\d+)", head).group(1))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head


def test_the_connection_survives_an_emulator_error(invent, monkeypatch):
    monkeypatch.setattr(control, "magic_table", boom)
    url = urlsplit(invent.url)
    with socket.create_connection((url.hostname, url.port), timeout=5) as sock:
        sock.sendall(b"GET /_emulator/magic HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n")
        assert read_head(sock).startswith(b"HTTP/1.1 500")
        sock.sendall(b"GET /_emulator/health HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n")
        assert read_head(sock).startswith(b"HTTP/1.1 200")
"""

SESSION_ONLY = BOOM + """

def test_breaks_the_emulator_without_invent(invent_emulator, monkeypatch):
    monkeypatch.setattr(control, "magic_table", boom)
    with invent_emulator.client() as http:  # its own connection: the shared one stays usable
        assert http.get("/_emulator/magic").status_code == 500


def test_next_is_normal(invent):
    assert invent.client.get("/orgs/c/broadcasts").json() == []
"""


MODULE_FIXTURE = BOOM + """
import pytest


@pytest.fixture(scope="module")
def broken_setup(invent_emulator):
    original = control.magic_table
    control.magic_table = boom
    try:
        with invent_emulator.client() as http:
            assert http.get("/_emulator/magic").status_code == 500
    finally:
        control.magic_table = original


def test_uses_the_broken_fixture(broken_setup, invent):
    pass


def test_after_it_is_normal(invent):
    assert invent.client.get("/orgs/c/broadcasts").json() == []
"""


# One inner session per mode, one file per behaviour (files run in name order, so an error
# left over by one file would show in the next).
SUITES = {
    "thread": {"test_attributed": ATTRIBUTED, "test_module_fixture": MODULE_FIXTURE,
               "test_keep_alive": KEEP_ALIVE, "test_session_only": SESSION_ONLY},
    "inprocess": {"test_attributed": ATTRIBUTED, "test_module_fixture": MODULE_FIXTURE,
                  "test_answers_500": ANSWERS_500},
}


@pytest.mark.parametrize("mode", ["thread", "inprocess"])
def test_each_emulator_error_fails_the_test_it_happened_in(pytester: pytest.Pytester,
                                                           mode: str) -> None:
    pytester.makepyfile(**SUITES[mode])

    result = run(pytester, f"--invent-mode={mode}")

    found = statuses(result)
    failed = {"FAILED", "ERROR"}
    for broke in ("test_a_breaks_a_control_endpoint", "test_c_breaks_a_domain_function"):
        assert found.get(broke, set()) & failed, f"{broke} passed\n{report(result)}"
    # What test_e caused is not blamed on test_f.
    normal = ["test_b_is_normal", "test_d_is_normal", "test_f_is_normal"]
    assert [found.get(name) for name in normal] == [{"PASSED"}] * 3, (
        f"a test after one that broke the emulator was blamed\n{report(result)}")
    result.stdout.fnmatch_lines([
        "*ERROR at teardown of test_a_breaks_a_control_endpoint*",
        "the emulator raised while serving this test:",
        "*RuntimeError: emulator kaboom",
    ])
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_c_breaks_a_domain_function*"])
    assert result.stdout.str().count("the emulator raised while serving this test") >= 2

    # An error in a wider-scoped fixture fails the test it was set up for.
    assert found.get("test_uses_the_broken_fixture", set()) & failed, (
        f"the test a broken module fixture was set up for passed\n{report(result)}")
    assert found.get("test_after_it_is_normal") == {"PASSED"}, report(result)
    result.stdout.fnmatch_lines([
        "the emulator raised while setting up this test's wider-scoped fixtures:"])

    if mode == "inprocess":
        # The call sees the 500, like over a socket; the teardown then fails the test.
        assert found.get("test_an_emulator_error_answers_500") == {"PASSED", "ERROR"}, (
            f"in-process, an emulator error did not answer 500\n{report(result)}")
        return
    # A keep-alive connection survives an emulator error (the teardown fails the test).
    assert found.get("test_the_connection_survives_an_emulator_error") == {"PASSED", "ERROR"}, (
        f"the keep-alive connection did not survive the emulator error\n{report(result)}")
    # A test that uses only the session fixture is failed too.
    assert found.get("test_breaks_the_emulator_without_invent", set()) & failed, (
        f"a test using only invent_emulator broke it and passed\n{report(result)}")
    assert found.get("test_next_is_normal") == {"PASSED"}, report(result)
