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

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name, kind in (("host", str), ("port", int), ("scenario", str),
                           ("max_body_bytes", int), ("access_log", bool), ("log_level", str)):
            raw = env.get(ENV_PREFIX + name.upper())
            if raw is not None:
                values[name] = _parse(name, raw, kind)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)


def _parse(name: str, raw: str, kind: type) -> Any:
    if kind is bool:
        lowered = raw.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ValueError(f"{ENV_PREFIX}{name.upper()} must be true or false, not {raw!r}")
    if kind is int:
        try:
            return int(raw)
        except ValueError:
            raise ValueError(
                f"{ENV_PREFIX}{name.upper()} must be a whole number, not {raw!r}"
            ) from None
    return raw
