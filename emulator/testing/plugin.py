"""The pytest plugin (entry point `invent_emulator`).

`invent_emulator` (session): one emulator for the session — in a background thread on a free
port, in-process with no socket (`--invent-mode=inprocess`), or the external one named by
INVENT_EMULATOR_URL (a CI sidecar). `invent` (function): a fresh isolated org for each test,
empty unless the test is marked `@pytest.mark.invent_scenario("file.yaml", org="org_id")`.
`invent_intercept` (function, or the marker `@pytest.mark.invent_intercept`): for one test, the
code under test's own calls to the Invent API host reach that org instead.

pytest loads this module in every run of every project that has the package installed, so it
imports nothing but pytest at the top: the emulator and even httpx are imported by
the fixtures, when a test asks for them.
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from emulator.testing.facade import EmulatorHandle, InventOrg
    from emulator.testing.interception import Interception

URL_VARIABLE = "INVENT_EMULATOR_URL"
MODES = ("thread", "inprocess")
EXTERNAL_READY_TIMEOUT = 30.0
DEFAULT_INTERCEPT_HOST = "api.useinvent.com"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("invent-emulator")
    group.addoption("--invent-mode", choices=MODES, default=None,
                    help="run the session's emulator in a thread on a port (default) or "
                         "in-process with no socket; ignored when INVENT_EMULATOR_URL is set")
    group.addoption("--invent-scenario", default=None,
                    help="scenario the session's emulator loads (file or bundled name)")
    parser.addini("invent_emulator_mode", "thread or inprocess", default="thread")
    parser.addini("invent_emulator_scenario", "scenario of the session's emulator",
                  default="default")
    parser.addini("invent_intercept_host", "host name(s) invent_intercept routes to the test's "
                  "org (any scheme and port)", type="args", default=[DEFAULT_INTERCEPT_HOST])
    parser.addini("invent_intercept_block_others", "while invent_intercept is active, fail "
                  "requests to any other host that is not loopback", type="bool", default=False)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "invent_scenario(path, org=None): fill the test's isolated org from a scenario file "
        "(relative to the test file) or a bundled scenario name, using the org with that id",
    )
    config.addinivalue_line(
        "markers",
        "invent_intercept(host=None, block_others=None): route this test's httpx, requests and "
        "aiohttp calls to the Invent API host (ini invent_intercept_host) to its `invent` org",
    )


@pytest.fixture(scope="session")
def invent_emulator(pytestconfig: pytest.Config) -> Iterator[EmulatorHandle]:
    """The session's emulator: `.url`, `.client()`, `.new_org()`, `.reset()`, `.health()`."""
    from emulator.testing.facade import EmulatorHandle

    external = os.environ.get(URL_VARIABLE)
    if external:
        handle = EmulatorHandle(external.rstrip("/"), shared=True)
        _wait_until_healthy(handle)
        yield handle
        handle.close()
        return
    # The app costs a good part of a second to import: only sessions that use it pay.
    from emulator.testing.launch import running

    mode = pytestconfig.getoption("invent_mode") or pytestconfig.getini("invent_emulator_mode")
    if mode not in MODES:
        raise pytest.UsageError(f"invent_emulator_mode must be one of {', '.join(MODES)}")
    scenario = (pytestconfig.getoption("invent_scenario")
                or pytestconfig.getini("invent_emulator_scenario"))
    with running(scenario, mode) as handle:
        yield handle


@pytest.fixture
def invent(invent_emulator: EmulatorHandle, request: pytest.FixtureRequest) -> Iterator[InventOrg]:
    """A fresh, isolated org for this test (`c` with `.api_key`), on its own virtual clock."""
    marker = request.node.get_closest_marker("invent_scenario")
    org = (invent_emulator.new_org() if marker is None
           else _org_from_marker(invent_emulator, marker, request.path.parent))
    yield org
    org.close()
    org.delete()  # a long session on one server must not keep every test's data


@pytest.fixture
def invent_intercept(invent: InventOrg, request: pytest.FixtureRequest) -> Iterator[Interception]:
    """For this test, httpx, `requests` and aiohttp calls to the Invent API host — clients made
    before it included — reach `invent`'s org, whatever org id and key they carry; restored
    after."""
    marker = request.node.get_closest_marker("invent_intercept")
    args, kwargs = (marker.args, marker.kwargs) if marker is not None else ((), {})
    if args or set(kwargs) - {"host", "block_others"}:
        raise pytest.UsageError("invent_intercept takes only the keywords host= and "
                                f"block_others=, got {args} {sorted(kwargs)}")
    host = kwargs.get("host") or request.config.getini("invent_intercept_host")
    hosts = [host] if isinstance(host, str) else list(host)
    block_others = kwargs.get("block_others")
    if block_others is None:
        block_others = request.config.getini("invent_intercept_block_others")
    with invent.intercept(hosts, block_others=bool(block_others)) as interception:
        yield interception
    if interception.blocked:  # even when the code under test swallowed the exception
        pytest.fail("invent_intercept blocked requests to hosts that are not intercepted:\n  "
                    + "\n  ".join(interception.blocked), pytrace=False)


@pytest.fixture(autouse=True)
def _invent_intercept_marker(request: pytest.FixtureRequest) -> None:
    """`@pytest.mark.invent_intercept` alone turns interception on, before the test's other
    fixtures (autouse fixtures are set up first), so an app they build is covered too."""
    if request.node.get_closest_marker("invent_intercept") is not None:
        request.getfixturevalue("invent_intercept")


@pytest.fixture(autouse=True)
def _invent_emulator_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fails the test during which the emulator raised, whichever of its fixtures it used.
    Errors already there when the test starts came from its wider-scoped fixtures (set up just
    before it): they fail it at setup rather than vanish."""
    uses_it = ("invent_emulator" in request.fixturenames
               or request.node.get_closest_marker("invent_intercept") is not None)
    if not uses_it:
        yield
        return
    handle: EmulatorHandle = request.getfixturevalue("invent_emulator")
    _fail_on(handle.take_errors(), "while setting up this test's wider-scoped fixtures")
    yield
    _fail_on(handle.take_errors(), "while serving this test")


def _fail_on(errors: list[BaseException], when: str) -> None:
    if errors:
        details = "\n".join("".join(traceback.format_exception(e)) for e in errors)
        pytest.fail(f"the emulator raised {when}:\n{details}", pytrace=False)


def _org_from_marker(emulator: EmulatorHandle, marker: pytest.Mark, test_dir: Path) -> InventOrg:
    from emulator.scenario.load import load_scenario_file
    from emulator.scenario.problems import ScenarioError

    if not marker.args:
        raise pytest.UsageError("invent_scenario needs a scenario path or bundled name")
    name = str(marker.args[0])
    try:
        spec = load_scenario_file(_scenario_path(name, test_dir))
    except ScenarioError as error:
        raise pytest.UsageError(f"invent_scenario: {error}") from None
    try:
        return emulator.new_org(scenario=spec, org=marker.kwargs.get("org"))
    except AssertionError as error:
        raise pytest.UsageError(f"invent_scenario({name!r}, org="
                                f"{marker.kwargs.get('org')!r}): {error}") from None


def _scenario_path(name: str, test_dir: Path) -> Path:
    """A file relative to the test file (never the working directory), or a bundled name."""
    from emulator.scenario.prebuilt import bundled_scenario

    beside_test = test_dir / name
    if beside_test.is_file():
        return beside_test
    bundled = bundled_scenario(name)
    if bundled is not None:
        return bundled
    raise pytest.UsageError(f"invent_scenario: no file '{name}' beside {test_dir} and no "
                            "bundled scenario of that name")


def _wait_until_healthy(handle: EmulatorHandle) -> None:
    deadline = time.monotonic() + EXTERNAL_READY_TIMEOUT
    while not handle.health():
        if time.monotonic() > deadline:
            raise pytest.UsageError(f"{URL_VARIABLE}={handle.url} did not answer "
                                    f"/_emulator/health within {EXTERNAL_READY_TIMEOUT:g} s")
        time.sleep(0.1)
