"""Scenario errors that point at a file, a line, a column and a path inside the document, and how
such a path is written in every message (a request body's fields included)."""

from __future__ import annotations

from dataclasses import dataclass

Path = tuple[str | int, ...]


def format_path(path: Path, empty: str = "(document)") -> str:
    """`orgs[0].contacts[1].email`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or empty


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int
    column: int
    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {format_path(self.path)}: {self.message}"


class ScenarioError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems
        # Warnings found before the error (ambiguous YAML 1.1 scalars), for `validate`.
        self.warnings: list[Problem] = []
