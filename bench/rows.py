"""One measured row of the table: the emulator's figure, the reference app's from the same run,
their ratio, and the issue's target for it with met / not met."""

from __future__ import annotations

import json
import os
import platform
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class Row:
    key: str  # stable, for results.json readers (and the smoke test)
    label: str
    unit: str
    emulator: float
    reference: float | None = None
    target: str = ""
    met: bool | None = None
    # Per-row extras (latency percentiles, the run's parameters), shown in results.json.
    extra: dict[str, float | str] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.reference is None or self.reference == 0:
            return None
        return self.emulator / self.reference

    def to_json(self) -> dict[str, object]:
        return {**asdict(self), "ratio": self.ratio}


def figure(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    if unit == "req/s":
        return f"{value:,.0f} req/s"
    if unit in ("MB", "bytes", "µs"):
        return f"{value:,.0f} {unit}"
    return f"{value:.3g} {unit}" if value < 100 else f"{value:,.0f} {unit}"


def http_figure(row: Row, side: str) -> str:
    rps = row.emulator if side == "emulator" else row.reference
    if rps is None:
        return ""
    p50, p99 = row.extra.get(f"{side}_p50_ms"), row.extra.get(f"{side}_p99_ms")
    return f"{rps:,.0f} req/s · p50 {p50:.2f} · p99 {p99:.2f} ms"


def table(rows: list[Row]) -> str:
    """A Markdown table (the README's Performance section pastes it)."""
    lines = ["| measure | emulator | ceiling (reference app) | ratio | target | met |",
             "|---|---|---|---|---|---|"]
    for row in rows:
        if row.unit == "req/s":
            mine, theirs = http_figure(row, "emulator"), http_figure(row, "reference")
        else:
            mine, theirs = figure(row.emulator, row.unit), figure(row.reference, row.unit)
        ratio = "" if row.ratio is None else f"{row.ratio:.2f}"
        met = {True: "met", False: "**not met**", None: ""}[row.met]
        lines.append(f"| {row.label} | {mine} | {theirs} | {ratio} | {row.target} | {met} |")
    return "\n".join(lines)


def machine() -> dict[str, object]:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {"cpu": model or platform.processor(), "cores": os.cpu_count(),
            "python": platform.python_version(), "platform": platform.platform()}


def read_rows(path: Path) -> list[Row]:
    """The rows of a results.json, to print its table again."""
    rows = []
    for item in json.loads(path.read_text())["rows"]:
        item.pop("ratio", None)
        rows.append(Row(**item))
    return rows


def write_results(path: Path, rows: list[Row], settings: dict[str, object]) -> None:
    document = {"machine": machine(), "settings": settings,
                "rows": [row.to_json() for row in rows]}
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
