"""How a location inside a document is written in messages: `orgs[0].contacts[1].email`."""

from __future__ import annotations

Path = tuple[str | int, ...]


def format_path(path: Path, empty: str = "(document)") -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or empty
