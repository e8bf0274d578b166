"""`invent-emulator serve` and `invent-emulator validate`."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from emulator.app import create_app, save_on_exit
from emulator.registry import OrgRegistry
from emulator.scenario.load import load_scenario_file, resolve_scenario_path
from emulator.scenario.problems import ScenarioError
from emulator.server import bind, make_server
from emulator.settings import DEFAULT_HOST, DEFAULT_PORT, Settings
from emulator.statefile import StateFileError
from emulator.support.version import __version__

log = logging.getLogger("emulator")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    if args.command == "validate":
        return _validate(args.files)
    parser.print_help()
    return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="invent-emulator",
                                     description="A local emulator of the Invent Broadcasts API.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command")
    serve = commands.add_parser("serve", help="run the emulator")
    serve.add_argument("--host", help=f"address to bind (default {DEFAULT_HOST})")
    serve.add_argument("--port", type=int,
                       help=f"port to bind, 0 picks a free one (default {DEFAULT_PORT})")
    serve.add_argument("--scenario", help="scenario file, or a bundled scenario's name "
                                          "(default: the bundled 'default')")
    serve.add_argument("--access-log", action="store_true", default=None,
                       help="log every request (slower)")
    serve.add_argument("--log-level", choices=["debug", "info", "warning", "error"])
    serve.add_argument("--state-file", help="load the state from this file at start (when it "
                       "exists) and save it there on shutdown and POST /_emulator/snapshot")
    serve.add_argument("--save-every", type=int, metavar="SECONDS",
                       help="also save the state file every SECONDS seconds")
    validate = commands.add_parser("validate", help="check scenario files, exit 0 if all are valid")
    validate.add_argument("files", nargs="+", type=Path)
    return parser


def _serve(args: argparse.Namespace) -> int:
    try:
        settings = Settings.from_env(host=args.host, port=args.port, scenario=args.scenario,
                                     access_log=args.access_log, log_level=args.log_level,
                                     state_file=args.state_file, save_every=args.save_every)
    except ValueError as error:
        print(f"invent-emulator: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s: %(message)s")
    settings = replace(settings, log_level=settings.log_level.lower())
    try:
        app = create_app(settings)
    except (ScenarioError, StateFileError) as error:
        print(error, file=sys.stderr)
        return 2
    try:
        sock = bind(settings.host, settings.port)
    except OSError as error:
        print(f"invent-emulator: cannot bind {settings.host}:{settings.port}: {error}",
              file=sys.stderr)
        return 2
    host, port = sock.getsockname()[:2]
    url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
    _announce(app.state.emulator.registry, url, settings.scenario)
    server = make_server(app, access_log=settings.access_log, log_level=settings.log_level)
    server.run(sockets=[sock])
    save_on_exit(app)
    log.info("invent-emulator stopped")
    return 0


def _announce(registry: OrgRegistry, url: str, scenario: str) -> None:
    log.info("invent-emulator %s listening on %s (scenario: %s)", __version__, url, scenario)
    for org in registry.orgs.values():
        keys = ", ".join(org.api_keys) or "(none: reached through its parent)"
        log.info("  org %s (%s): API key %s", org.id, org.name, keys)
    log.info("  control surface: %s/_emulator/health", url)


def _validate(files: Sequence[Path]) -> int:
    failed = False
    for file in files:
        try:
            load_scenario_file(resolve_scenario_path(str(file)))
        except ScenarioError as error:
            failed = True
            print(error, file=sys.stderr)
    return 1 if failed else 0
