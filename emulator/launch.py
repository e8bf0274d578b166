"""`invent-emulator serve` once its settings are read: load the scenario (so the server is
healthy only once it is loaded), bind, announce the URL and the keys, serve until a stop
signal (SIGTERM, SIGINT or SIGHUP), save the state file, exit 0 (1 when that save failed).

A stop fits the container engine's stop timeout: at the first signal the grace for requests in
flight shrinks to what the budget leaves after the expected final save (docs/reliability.md,
"Stopping"). Signals after the first never change the exit code."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette

from emulator import paths
from emulator.app import create_app, save_on_exit
from emulator.logformat import FIELDS
from emulator.scenario.problems import ScenarioError
from emulator.server import (
    FORCE_SECONDS,
    STOP_SIGNALS,
    EmulatorServer,
    bind,
    ensure_descriptors,
    make_server,
)
from emulator.settings import Settings
from emulator.statefile import StateFileError
from emulator.support.gcpause import SettledHeap, collector_paused
from emulator.support.hosts import is_loopback
from emulator.support.version import __version__

if TYPE_CHECKING:
    from emulator.statefile.saver import Saver

log = logging.getLogger("emulator")

# What a stop needs after the final save: closing the loop and the process (measured well under).
EXIT_MARGIN_SECONDS = 1.0
# The expected save is a measurement or an estimate: keep this much room on top of it.
SAVE_SAFETY = 1.25


def serve(settings: Settings) -> int:
    log.info("loading the scenario %s", settings.scenario,
             extra={FIELDS: {"event": "loading", "scenario": settings.scenario}})
    try:
        with collector_paused():  # building orgs makes many objects and no garbage
            app = create_app(settings)
    except ScenarioError as error:
        log.error("the scenario cannot be loaded:\n%s", error, extra={FIELDS: {
            "event": "scenario_error", "problems": [str(p) for p in error.problems]}})
        return 2
    except StateFileError as error:
        log.error("%s", error, extra={FIELDS: {"event": "state_file_error"}})
        return 2
    ensure_descriptors(settings.max_connections)
    try:
        sock = bind(settings.host, settings.port)
    except OSError as error:
        log.error("invent-emulator: cannot bind %s:%s: %s", settings.host, settings.port, error,
                  extra={FIELDS: {"event": "bind_error"}})
        return 2
    host, port = sock.getsockname()[:2]
    url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
    _announce(url, settings.scenario, announced_orgs(app))
    if not is_loopback(host):
        log.warning("bound to %s, beyond loopback: other machines can reach the emulator and "
                    "its control surface%s", host, "" if settings.admin_token else
                    " (set INVENT_EMULATOR_ADMIN_TOKEN to require a token)",
                    extra={FIELDS: {"event": "beyond_loopback"}})
    server = make_server(app, access_log=settings.access_log, log_level=settings.log_level,
                         settings=settings)
    stop = StopSignals(server, app.state.saver, settings)
    app.state.emulator.heap = SettledHeap(enabled=True)  # this process is the emulator's
    app.state.emulator.heap.settle()
    server.run(sockets=[sock])
    stop.stopped = True
    save_on_exit(app)  # when a forced stop cut the lifespan's own final save short
    if app.state.final_save_error is not None:
        _report_lost(app.state.saver, app.state.final_save_error)
        return 1
    log.info("invent-emulator stopped", extra={FIELDS: {"event": "stopped"}})
    return 0


def _report_lost(saver: Saver, failure: StateFileError) -> None:
    since = f"the last save ({saver.last_saved_at})" if saver.last_saved_at else "start-up"
    log.error("%s; every change since %s is lost", failure, since,
              extra={FIELDS: {"event": "final_save_failed", "file": str(saver.path)}})


def stop_grace(settings: Settings, expected_save: float) -> float:
    """The grace for requests in flight that leaves room, inside the stop timeout, for the
    forced close, the final save and the process's exit."""
    room = (settings.stop_timeout - EXIT_MARGIN_SECONDS - FORCE_SECONDS
            - expected_save * SAVE_SAFETY)
    return max(0.0, min(settings.shutdown_grace, room))


class StopSignals:
    """SIGTERM, SIGINT and SIGHUP from now until the process exits. While the server runs it
    takes them itself (the first stops it, later ones cut the grace short); here the grace is
    fitted to the stop budget at the first stop, on the loop, and a signal once the server has
    stopped is ignored, so the final save is never interrupted and the exit code stays 0."""

    def __init__(self, server: EmulatorServer, saver: Saver | None, settings: Settings) -> None:
        self.server, self.saver, self.settings = server, saver, settings
        self.stopped = False
        server.before_drain = self._fit_grace
        # The server puts back what was installed before it ran: these handlers.
        if threading.current_thread() is threading.main_thread():
            for sig in STOP_SIGNALS:
                signal.signal(sig, self.on_signal)

    def on_signal(self, sig: int, frame: FrameType | None) -> None:
        if self.stopped:
            log.info("already stopping (signal %d ignored)", sig,
                     extra={FIELDS: {"event": "signal_ignored"}})
            return
        self.server.request_stop()  # a signal before the server took over its signals

    def _fit_grace(self) -> None:
        expected = self.saver.expected_seconds() if self.saver is not None else 0.0
        grace = stop_grace(self.settings, expected)
        if grace < self.settings.shutdown_grace:
            log.info("stopping within --stop-timeout %g s: %g s of grace (the final save is "
                     "expected to take %.1f s)", self.settings.stop_timeout, grace, expected,
                     extra={FIELDS: {"event": "grace_fitted", "grace": grace}})
        if expected * SAVE_SAFETY + FORCE_SECONDS + EXIT_MARGIN_SECONDS > \
                self.settings.stop_timeout:
            log.warning("the final save is expected to take %.1f s, more than --stop-timeout "
                        "%g s leaves: give the container a longer stop timeout "
                        "(docker stop -t, stop_grace_period) and set --stop-timeout to match",
                        expected, self.settings.stop_timeout,
                        extra={FIELDS: {"event": "stop_budget_exceeded"}})
        self.server.grace = grace


def announced_orgs(app: Starlette) -> list[dict[str, Any]]:
    """Each org's id, name and keys, for the start-up lines: the one read of emulator state
    here (users need the keys of the orgs the scenario made)."""
    return [{"id": org.id, "name": org.name, "api_keys": list(org.api_keys)}
            for org in app.state.emulator.registry.orgs.values()]


def _announce(url: str, scenario: str, orgs: list[dict[str, Any]]) -> None:
    log.info("invent-emulator %s listening on %s (scenario: %s)", __version__, url, scenario,
             extra={FIELDS: {"event": "started", "version": __version__, "url": url,
                             "scenario": scenario, "orgs": orgs}})
    for org in orgs:
        keys = ", ".join(org["api_keys"]) or "(none: reached through its parent)"
        log.info("  org %s (%s): API key %s", org["id"], org["name"], keys,
                 extra={FIELDS: {"event": "org", "org_id": org["id"]}})
    log.info("  control surface: %s%s", url, paths.HEALTH)
    log.info("  inbox: %s%s", url, paths.UI)
    log.info("  API explorer: %s%s (description: %s%s)", url, paths.DOCS, url, paths.OPENAPI)
