"""`invent-emulator serve` once its settings are read: load the scenario (so the server is
healthy only once it is loaded), bind, announce the URL and the keys, serve until a stop
signal, exit 0."""

from __future__ import annotations

import logging
from typing import Any

from starlette.applications import Starlette

from emulator import paths
from emulator.app import create_app, save_on_exit
from emulator.logformat import FIELDS
from emulator.scenario.problems import ScenarioError
from emulator.server import bind, ensure_descriptors, make_server
from emulator.settings import Settings
from emulator.statefile import StateFileError
from emulator.support.hosts import is_loopback
from emulator.support.version import __version__

log = logging.getLogger("emulator")


def serve(settings: Settings) -> int:
    log.info("loading the scenario %s", settings.scenario,
             extra={FIELDS: {"event": "loading", "scenario": settings.scenario}})
    try:
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
    server.run(sockets=[sock])
    save_on_exit(app)  # when a forced stop cut the lifespan's own final save short
    log.info("invent-emulator stopped", extra={FIELDS: {"event": "stopped"}})
    return 0


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
