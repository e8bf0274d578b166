"""The pytest plugin (entry point `invent_emulator`).

`invent_emulator` (session): one emulator for the session — in a background thread on a free
port, in-process with no socket (`--invent-mode=inprocess`), or the external one named by
INVENT_EMULATOR_URL (a CI sidecar). `invent` (function): a fresh isolated org for each test,
empty unless the test is marked `@pytest.mark.invent_scenario("file.yaml", org="org_id")`.
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.testing.facade import EmulatorHandle, InventOrg

URL_VARIABLE = "INVENT_EMULATOR_URL"
MODES = ("thread", "inprocess")
IN_PROCESS_URL = "http://invent-emulator.inprocess"
EXTERNAL_READY_TIMEOUT = 30.0


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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "invent_scenario(path, org=None): fill the test's isolated org from a scenario file "
        "(relative to the test file) or a bundled scenario name, using the org with that id",
    )


@pytest.fixture(scope="session")
def invent_emulator(pytestconfig: pytest.Config) -> Iterator[EmulatorHandle]:
    """The session's emulator: `.url`, `.client()`, `.new_org()`, `.reset()`, `.health()`."""
    external = os.environ.get(URL_VARIABLE)
    if external:
        handle = EmulatorHandle(external.rstrip("/"), shared=True)
        _wait_until_healthy(handle)
        yield handle
        handle.close()
        return
    # Imported here, not at the top: pytest loads this plugin in every run of every project that
    # has the package installed, and the app (with Faker) costs most of a second to import.
    from emulator.app import create_app
    from emulator.settings import Settings
    from emulator.testing.inprocess import InProcessTransport
    from emulator.testing.threaded import ThreadedServer

    mode = pytestconfig.getoption("invent_mode") or pytestconfig.getini("invent_emulator_mode")
    if mode not in MODES:
        raise pytest.UsageError(f"invent_emulator_mode must be one of {', '.join(MODES)}")
    scenario = (pytestconfig.getoption("invent_scenario")
                or pytestconfig.getini("invent_emulator_scenario"))
    app = create_app(Settings(scenario=scenario))
    if mode == "inprocess":
        transport = InProcessTransport(app)
        handle = EmulatorHandle(IN_PROCESS_URL, transport, app.state.errors)
        yield handle
        handle.close()
        transport.shutdown()
        return
    server = ThreadedServer(app).start()
    handle = EmulatorHandle(server.url, errors=app.state.errors)
    yield handle
    handle.close()
    server.stop()


@pytest.fixture
def invent(invent_emulator: EmulatorHandle, request: pytest.FixtureRequest) -> Iterator[InventOrg]:
    """A fresh, isolated org for this test (`c` with `.api_key`), on its own virtual clock."""
    marker = request.node.get_closest_marker("invent_scenario")
    org = (invent_emulator.new_org() if marker is None
           else _org_from_marker(invent_emulator, marker, request.path.parent))
    yield org
    org.close()
    org.delete()  # a long session on one server must not keep every test's data


@pytest.fixture(autouse=True)
def _invent_emulator_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fails the test during which the emulator raised, whichever of its fixtures it used.
    Errors already there when the test starts came from its wider-scoped fixtures (set up just
    before it): they fail it at setup rather than vanish."""
    if "invent_emulator" not in request.fixturenames:
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
    from emulator.scenario.load import bundled_scenario

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
