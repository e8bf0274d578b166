"""One frozen settings object: defaults < environment (INVENT_EMULATOR_*) < CLI flags, read when
the app is built, never at import time."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4010
DEFAULT_SCENARIO = "default"
ENV_PREFIX = "INVENT_EMULATOR_"
LOG_LEVELS = ("debug", "info", "warning", "error", "critical")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    # A path to a scenario file, or the name of a bundled one.
    scenario: str = DEFAULT_SCENARIO
    max_body_bytes: int = 1024 * 1024
    access_log: bool = False
    log_level: str = "info"
    # The state file (README, "State file"): None keeps everything in memory only.
    state_file: str | None = None
    save_every: int | None = None  # seconds between periodic saves; None: no periodic save

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name, kind in (("host", str), ("port", int), ("scenario", str),
                           ("max_body_bytes", int), ("access_log", bool), ("log_level", str),
                           ("state_file", str), ("save_every", int)):
            raw = env.get(ENV_PREFIX + name.upper())
            if raw is not None:
                values[name] = _parse(name, raw, kind)
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = replace(cls(), **values)
        settings.check()
        return settings

    def check(self) -> None:
        if not 0 <= self.port <= 65535:
            raise ValueError(f"the port must be from 0 to 65535, not {self.port}")
        if self.log_level.lower() not in LOG_LEVELS:
            raise ValueError(f"the log level must be one of {', '.join(LOG_LEVELS)}, "
                             f"not {self.log_level!r}")
        if self.max_body_bytes < 1:
            raise ValueError("the maximum body size must be at least 1 byte")
        if self.save_every is not None and (self.save_every < 1 or not self.state_file):
            raise ValueError("--save-every (INVENT_EMULATOR_SAVE_EVERY) needs a state file and "
                             f"at least 1 second, not {self.save_every}")


def _parse(name: str, raw: str, kind: type) -> Any:
    if kind is bool:
        lowered = raw.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ValueError(f"{ENV_PREFIX}{name.upper()} must be true or false, not {raw!r}")
    if name == "log_level" and raw.strip().lower() not in LOG_LEVELS:
        raise ValueError(f"{ENV_PREFIX}LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, "
                         f"not {raw!r}")
    if kind is int:
        try:
            return int(raw)
        except ValueError:
            raise ValueError(
                f"{ENV_PREFIX}{name.upper()} must be a whole number, not {raw!r}"
            ) from None
    return raw
