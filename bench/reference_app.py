"""The ceiling: a bare Starlette app on uvicorn with httptools + uvloop that answers each
captured request with the emulator's own response bytes (status, headers, body), verbatim.

    python -m bench.reference_app CAPTURES.json --port 8123

Nothing is computed per request but a dict lookup, so the gap between it and the emulator is
what the emulator's own work costs on the same stack."""

from __future__ import annotations

import argparse
import base64
import json
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

# Headers the server writes itself; everything else is served as captured.
SERVER_HEADERS = {"content-length", "date", "server"}


@dataclass(frozen=True)
class Capture:
    """One request and the emulator's answer to it."""

    method: str
    path: str
    query: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def to_json(self) -> dict[str, object]:
        return {"method": self.method, "path": self.path, "query": self.query,
                "status": self.status, "headers": self.headers,
                "body": base64.b64encode(self.body).decode()}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Capture:
        return cls(str(data["method"]), str(data["path"]), str(data["query"]),
                   int(data["status"]),  # type: ignore[call-overload]
                   [(str(k), str(v)) for k, v in data["headers"]],  # type: ignore[attr-defined]
                   base64.b64decode(str(data["body"])))


def save_captures(captures: list[Capture], path: Path) -> None:
    path.write_text(json.dumps([c.to_json() for c in captures]))


def load_captures(path: Path) -> list[Capture]:
    return [Capture.from_json(item) for item in json.loads(path.read_text())]


def build_app(captures: list[Capture]) -> Starlette:
    """One route per captured path; the query string picks among that path's answers."""
    answers: dict[str, dict[tuple[str, str], Response]] = {}
    for capture in captures:
        headers = {k: v for k, v in capture.headers if k.lower() not in SERVER_HEADERS}
        response = Response(capture.body, status_code=capture.status, headers=headers)
        answers.setdefault(capture.path, {})[(capture.method, capture.query)] = response

    def endpoint_for(by_request: dict[tuple[str, str], Response]) -> object:
        async def endpoint(request: Request) -> Response:
            return by_request[(request.method, request.url.query)]
        return endpoint

    methods = {c.path: sorted({m for m, _ in answers[c.path]}) for c in captures}
    routes = [Route(path, endpoint_for(by_request), methods=methods[path])  # type: ignore[arg-type]
              for path, by_request in answers.items()]
    return Starlette(routes=routes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("captures", type=Path)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app = build_app(load_captures(args.captures))
    uvicorn.run(app, host="127.0.0.1", port=args.port, loop="uvloop", http="httptools",
                access_log=False, log_level="warning", lifespan="off",
                server_header=False, date_header=False)


if __name__ == "__main__":
    main()
