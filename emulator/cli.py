"""`invent-emulator serve`, `validate`, `health` and `openapi`.

Only cheap modules load at the top: `health` runs every second inside a container and a bad
setting should be refused at once, so the app (about half a second of imports) loads only when
`serve` or `validate` needs it."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

import emulator
from emulator import health, logformat
from emulator.settings import OPTION_BY_NAME, OPTIONS, Option, Settings
from emulator.support.gcpause import collector_paused

log = logging.getLogger("emulator")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "serve":
        code = _serve(args)
        if argv is None:  # the process's entry point (console script, `python -m emulator`)
            _leave(code)
        return code
    if args.command == "validate":
        return _validate(args.files)
    if args.command == "health":
        return _health(args)
    if args.command == "openapi":
        return _openapi()
    parser.print_help()
    return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="invent-emulator",
                                     description="A local emulator of the Invent Broadcasts API.")
    parser.add_argument("--version", action=_Version, nargs=0, help="print the version and exit")
    commands = parser.add_subparsers(dest="command")
    serve = commands.add_parser("serve", help="run the emulator")
    for option in OPTIONS:
        _add_flag(serve, option)
    validate = commands.add_parser("validate", help="check scenario files, exit 0 if all are valid")
    validate.add_argument("files", nargs="+", type=Path)
    probe = commands.add_parser("health", help="exit 0 when the emulator answers "
                                               f"{health.HEALTH_PATH} with 200 in time")
    for name in ("host", "port"):
        _add_flag(probe, OPTION_BY_NAME[name])
    probe.add_argument("--timeout", type=float, default=health.DEFAULT_TIMEOUT,
                       help=f"seconds to wait for the answer (default {health.DEFAULT_TIMEOUT:g})")
    commands.add_parser("openapi", help="print the API's OpenAPI 3.1 document (JSON)")
    return parser


class _Version(argparse.Action):
    """argparse's own version action needs the text up front; the package metadata is read
    only when asked (see the module docstring)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        print(f"{parser.prog} {emulator.__version__}")
        parser.exit()


def _add_flag(parser: argparse.ArgumentParser, option: Option) -> None:
    """Flags arrive as raw strings: settings.py parses them, as it does the variables."""
    described = f"{option.help} (env {option.variable}, default {option.default})"
    if option.is_boolean:
        parser.add_argument(option.flag, action=argparse.BooleanOptionalAction, default=None,
                            help=described)
    else:
        metavar = option.metavar or option.name.split("_")[-1].upper()
        parser.add_argument(option.flag, metavar=metavar, help=described)


def _settings(args: argparse.Namespace, names: Sequence[str]) -> Settings:
    return Settings.from_env(**{name: getattr(args, name) for name in names})


def _serve(args: argparse.Namespace) -> int:
    try:
        settings = _settings(args, [option.name for option in OPTIONS])
    except ValueError as error:
        logformat.configure("info", _wanted_format(args))
        log.error("invent-emulator: %s", error)
        return 2
    logformat.configure(settings.log_level, settings.log_format)
    # A stop signal while the scenario loads ends start-up quietly, like one while serving.
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _interrupt)
    try:
        # Loaded here, not at the top: see the module docstring. Importing creates hundreds
        # of thousands of objects, none of them garbage: the cyclic collector would scan them
        # again and again (about a tenth of start-up's CPU).
        with collector_paused():
            from emulator.launch import serve

        return serve(settings)
    except KeyboardInterrupt:
        log.info("invent-emulator stopped while starting")
        return 0
    finally:
        # Python gives its own signal handlers back to the system as it exits: a stop signal
        # then would end the process with 143 after a clean stop. The work is done; ignore them.
        for name in ("SIGINT", "SIGTERM", "SIGHUP"):
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), signal.SIG_IGN)


def _leave(code: int) -> None:
    """End the serving process at once: the state is saved, and freeing a big one object by
    object on the way out takes seconds of a container's stop timeout. Output is flushed
    first."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def _interrupt(sig: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _wanted_format(args: argparse.Namespace) -> str:
    """The log format asked for, even when some other setting is wrong."""
    raw = args.log_format or os.environ.get(OPTION_BY_NAME["log_format"].variable, "")
    return "json" if raw.strip().lower() == "json" else "text"


def _health(args: argparse.Namespace) -> int:
    """0 healthy, 1 not (container engines read 1 as unhealthy and reserve 2)."""
    try:
        settings = _settings(args, ["host", "port"])
    except ValueError as error:
        print(f"invent-emulator health: {error}", file=sys.stderr)
        return 1
    problem = health.check(settings.host, settings.port, args.timeout)
    if problem is not None:
        print(f"invent-emulator health: {problem}", file=sys.stderr)
        return 1
    return 0


def _openapi() -> int:
    # Loaded here, not at the top: see the module docstring.
    from emulator.http.openapi import openapi_json
    from emulator.http.routes import ROUTES

    sys.stdout.buffer.write(openapi_json(ROUTES) + b"\n")
    return 0


def _validate(files: Sequence[Path]) -> int:
    # Loaded here, not at the top: see the module docstring.
    from emulator.scenario.limits import ScenarioLimits
    from emulator.scenario.load import load_scenario_file_warning, resolve_scenario_path
    from emulator.scenario.problems import ScenarioError

    failed = False
    limits = ScenarioLimits.from_settings(Settings.from_env())
    for file in files:
        try:
            _, warnings = load_scenario_file_warning(resolve_scenario_path(str(file)), limits)
        except ScenarioError as error:
            failed = True
            warnings = error.warnings
            print(error, file=sys.stderr)
        for warning in warnings:  # ambiguous YAML 1.1 scalars: worth a look, not a failure
            print(warning, file=sys.stderr)
    return 1 if failed else 0
