"""Scenario errors that point at a file, a line, a column and a path inside the document."""

from __future__ import annotations

from dataclasses import dataclass

from emulator.support.fieldpath import Path, format_path

__all__ = ["Path", "Problem", "ScenarioError", "format_path"]


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
