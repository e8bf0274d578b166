"""The Dockerfile as data (read with dockerfile-parse), so tests run exactly what the image
runs: its ENTRYPOINT, its ENV and its HEALTHCHECK."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from pathlib import Path

from dockerfile_parse import DockerfileParser

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
VENV_BIN_IN_IMAGE = "/opt/venv/bin"


@dataclass(frozen=True)
class Healthcheck:
    options: dict[str, str]
    command: list[str]


def parser() -> DockerfileParser:
    return DockerfileParser(str(DOCKERFILE))


def instructions(name: str) -> list[str]:
    return [i["value"] for i in parser().structure if i["instruction"] == name]


def only(name: str) -> str:
    (value,) = instructions(name)
    return value


def entrypoint() -> list[str]:
    command = json.loads(only("ENTRYPOINT"))  # exec form: a JSON array, or this fails
    assert isinstance(command, list)
    return [str(part) for part in command]


def image_env() -> dict[str, str]:
    """The final stage's ENV (dockerfile-parse drops `$PATH` it cannot know)."""
    return dict(parser().envs)


def healthcheck() -> Healthcheck:
    head, separator, command = only("HEALTHCHECK").partition(" CMD ")
    assert separator, "HEALTHCHECK must run a command"
    options = dict(option.removeprefix("--").split("=", 1) for option in shlex.split(head))
    parsed = json.loads(command)
    assert isinstance(parsed, list), "HEALTHCHECK CMD must be the exec form"
    return Healthcheck(options, [str(part) for part in parsed])


def exposed_port() -> int:
    return int(only("EXPOSE"))
