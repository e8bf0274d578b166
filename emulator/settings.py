"""One frozen settings object: defaults < environment (INVENT_EMULATOR_*) < CLI flags, read when
the app is built, never at import time. `OPTIONS` is the one table every flag, variable and
docs/sidecar.md row comes from."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4010
DEFAULT_SCENARIO = "default"
ENV_PREFIX = "INVENT_EMULATOR_"
LOG_LEVELS = ("debug", "info", "warning", "error", "critical")
LOG_FORMATS = ("text", "json")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
BOOLEAN_WORDS = "1, 0, true, false, yes, no, on or off (any case)"


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    # A path to a scenario file, or the name of a bundled one.
    scenario: str = DEFAULT_SCENARIO
    log_level: str = "info"
    log_format: str = "text"
    access_log: bool = False
    max_body_bytes: int = 1024 * 1024
    # Open connections beyond this are answered 503 and closed (file descriptors stay bounded).
    max_connections: int = 1000
    # A stalled request is answered 408 or closed: headers must arrive within header_timeout,
    # then the whole body within body_timeout (so at most 30 s by default).
    header_timeout: float = 10.0
    body_timeout: float = 20.0
    # On SIGTERM/SIGINT/SIGHUP, in-flight requests get this long before connections are closed.
    shutdown_grace: float = 5.0
    # How long the container engine waits after SIGTERM before SIGKILL (Docker's default): the
    # grace shrinks so that it and the final save fit (docs/reliability.md, "Stopping").
    stop_timeout: float = 10.0
    # Origins whose pages may call the public API from a browser: ("*",) any, () none (`off`).
    cors_origins: tuple[str, ...] = ("*",)
    # Scenario cost limits (docs/reliability.md): the defaults load every bundled scenario.
    max_contacts_per_org: int = 200_000
    max_contacts_total: int = 300_000
    max_include_bytes: int = 10 * 1024 * 1024
    # Host names the control surface, the UI and /docs answer besides loopback names (DNS
    # rebinding protection while bound to loopback).
    allowed_hosts: tuple[str, ...] = ()
    # Required as a bearer token on /_emulator (but /_emulator/health) when set; never logged.
    admin_token: str | None = field(default=None, repr=False)
    # The state file (docs/sidecar.md, "State file"): None keeps everything in memory only.
    state_file: str | None = None
    save_every: int | None = None  # seconds between periodic saves; None: no periodic save
    # Rendered JSON kept between changes (emulator/support/rendercache.py): on or off, and how
    # many entities' renders it keeps at most.
    render_cache: bool = True
    render_cache_size: int = 4_096

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then `environ` (os.environ by default), then `overrides`: typed values, or
        the raw strings of command-line flags (parsed here, errors naming the flag)."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for option in OPTIONS:
            raw = env.get(option.variable, "").strip()
            if raw:  # an empty variable counts as unset (compose `X=`, CI `${{ inputs.x }}`)
                values[option.name] = option.read(raw, option.variable)
        for name, value in overrides.items():
            if value is None:
                continue
            option = OPTION_BY_NAME[name]
            values[name] = option.read(value, option.flag) if isinstance(value, str) else value
        settings = replace(cls(), **values)
        settings.check()
        return settings

    def check(self) -> None:
        """Values that came in typed (from code) get the same bounds as parsed ones."""
        for option in OPTIONS:
            value = getattr(self, option.name)
            if value is None or value == ():
                continue  # unset: nothing to check
            raw = ",".join(value) if isinstance(value, tuple) else str(value)
            option.read(raw, option.name.replace("_", " "))
        if self.save_every is not None and not self.state_file:
            raise ValueError("--save-every (INVENT_EMULATOR_SAVE_EVERY) needs a state file "
                             "(--state-file, INVENT_EMULATOR_STATE_FILE)")


@dataclass(frozen=True, slots=True)
class Option:
    name: str
    parse: Callable[[str], Any]  # raises ValueError for anything outside `accepted`
    accepted: str
    help: str
    metavar: str = ""  # the flag's value in --help; the name's last word by default

    @property
    def variable(self) -> str:
        return ENV_PREFIX + self.name.upper()

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def is_boolean(self) -> bool:
        return self.parse is parse_boolean

    @property
    def default(self) -> Any:
        return getattr(Settings(), self.name)

    def read(self, raw: str, source: str) -> Any:
        try:
            return self.parse(raw)
        except ValueError:
            raise ValueError(f"{source} must be {self.accepted}, not {raw!r}") from None


def parse_boolean(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(raw)


def _whole(low: int, high: int | None = None) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        value = int(raw.strip())  # int() refuses "4010.5" and "abc"
        if value < low or (high is not None and value > high):
            raise ValueError(raw)
        return value
    return parse


def _seconds(minimum: float) -> Callable[[str], float]:
    def parse(raw: str) -> float:
        value = float(raw.strip())
        if not math.isfinite(value) or value < minimum or value > 86_400:
            raise ValueError(raw)
        return value
    return parse


def _one_of(choices: tuple[str, ...]) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if raw.strip().lower() not in choices:
            raise ValueError(raw)
        return raw.strip().lower()
    return parse


_ORIGIN = re.compile(r"https?://[^/\s]+", re.IGNORECASE)


def parse_origins(raw: str) -> tuple[str, ...]:
    """`off`, `*`, or a comma list of origins such as `http://localhost:3000` (no path: a
    browser's Origin header has none, so `http://localhost:3000/` would never match). Scheme
    and host are lower-cased, as a browser writes them: `http://Localhost:3000` matches."""
    if raw.strip().lower() == "off":
        return ()
    origins = tuple(part.strip() for part in raw.split(",") if part.strip())
    if not origins or any(o != "*" and not _ORIGIN.fullmatch(o) for o in origins):
        raise ValueError(raw)
    return tuple(origin.lower() for origin in origins)


# A token travels in an HTTP header, which carries ASCII: anything else can never match.
_TOKEN = re.compile(r"[\x21-\x7e]+")
TOKEN_ACCEPTED = ("a non-empty token of printable ASCII without spaces (it travels in an HTTP "
                  "header, which cannot carry other characters: such a token could never match)")


def parse_token(raw: str) -> str:
    """The admin token, refused at start-up when no client could ever send it."""
    token = raw.strip()
    if not _TOKEN.fullmatch(token):
        raise ValueError(raw)
    return token


def parse_hosts(raw: str) -> tuple[str, ...]:
    """A comma-separated list of host names, as `--allowed-hosts` and the variable take it."""
    hosts = tuple(host.strip().lower() for host in raw.split(",") if host.strip())
    if not hosts:
        raise ValueError(raw)
    return hosts


def _text(raw: str) -> str:
    if not raw.strip():
        raise ValueError(raw)
    return raw.strip()


OPTIONS: tuple[Option, ...] = (
    Option("scenario", _text, "a scenario file or a bundled scenario's name",
           "scenario file, or a bundled scenario's name"),
    Option("host", _text, "an address to bind", "address to bind (0.0.0.0: every interface)"),
    Option("port", _whole(0, 65535), "a whole number from 0 to 65535",
           "port to bind, 0 picks a free one"),
    Option("log_level", _one_of(LOG_LEVELS), "one of " + ", ".join(LOG_LEVELS),
           "least severe log level written"),
    Option("log_format", _one_of(LOG_FORMATS), "text or json",
           "json: every line written is one JSON object"),
    Option("access_log", parse_boolean, BOOLEAN_WORDS,
           "log every request (time, method, path, status, duration, org id)"),
    Option("max_body_bytes", _whole(1), "a whole number of bytes, at least 1",
           "largest request body accepted (413 beyond)"),
    Option("max_connections", _whole(1), "a whole number, at least 1",
           "open connections beyond this are answered 503 and closed"),
    Option("header_timeout", _seconds(0.1), "a number of seconds from 0.1 to 86400",
           "seconds for a request's headers to arrive (408 or close after)", "SECONDS"),
    Option("body_timeout", _seconds(0.1), "a number of seconds from 0.1 to 86400",
           "seconds for a request's body to arrive once its headers are in (408 after)",
           "SECONDS"),
    Option("cors_origins", parse_origins,
           "'*', 'off' or a comma list of origins such as http://localhost:3000 (no path)",
           "origins whose pages may call the public API from a browser", "ORIGINS"),
    Option("max_contacts_per_org", _whole(1), "a whole number, at least 1",
           "most contacts one org of a scenario may hold (generated ones included)", "COUNT"),
    Option("max_contacts_total", _whole(1), "a whole number, at least 1",
           "most contacts a whole scenario may hold", "COUNT"),
    Option("max_include_bytes", _whole(1), "a whole number of bytes, at least 1",
           "most bytes a scenario may read through `include:`", "BYTES"),
    Option("allowed_hosts", parse_hosts, "a comma list of host names",
           "Host names the control surface, UI and /docs answer besides loopback ones",
           "HOSTS"),
    Option("admin_token", parse_token, TOKEN_ACCEPTED,
           "bearer token /_emulator requires (not /_emulator/health)", "TOKEN"),
    Option("state_file", _text, "a file path",
           "keep the state in this file across restarts (loaded at start when it exists)",
           "PATH"),
    Option("save_every", _whole(1), "a whole number of seconds, at least 1",
           "also save the state file every this many seconds", "SECONDS"),
    Option("render_cache", parse_boolean, BOOLEAN_WORDS,
           "keep rendered JSON between changes (off: render every answer afresh)"),
    Option("render_cache_size", _whole(0), "a whole number, at least 0",
           "most entities (rows, broadcasts, contacts) whose rendered JSON is kept", "ENTRIES"),
    Option("shutdown_grace", _seconds(0), "a number of seconds from 0 to 86400",
           "seconds in-flight requests get on SIGTERM/SIGINT/SIGHUP before connections close",
           "SECONDS"),
    Option("stop_timeout", _seconds(1), "a number of seconds from 1 to 86400",
           "seconds the container engine gives a stop before SIGKILL (docker stop -t); the "
           "grace shrinks so that it and the final save fit", "SECONDS"),
)
OPTION_BY_NAME = {option.name: option for option in OPTIONS}
assert set(OPTION_BY_NAME) == {f.name for f in fields(Settings)}, "one option per setting"
