"""`invent-emulator serve --cors-origins`: a list narrows CORS to those origins; a bad value is
refused before the server starts."""

from __future__ import annotations

from pathlib import Path

import httpx
from support.cli import Spawner, run_cli

FRONTEND = "http://localhost:5173"


def test_the_flag_reaches_the_served_emulator(spawn: Spawner) -> None:
    server = spawn("--port", "0", "--host", "127.0.0.1", "--cors-origins", FRONTEND)
    url, _ = server.wait_healthy(10.0)
    headers = {"Authorization": "Bearer test_key_acme"}
    mine = httpx.get(f"{url}/orgs/c/broadcasts", headers={**headers, "Origin": FRONTEND},
                     timeout=5)
    other = httpx.get(f"{url}/orgs/c/broadcasts",
                      headers={**headers, "Origin": "http://other.test"}, timeout=5)
    assert mine.headers["access-control-allow-origin"] == FRONTEND
    assert "access-control-allow-origin" not in other.headers


def test_a_bad_origin_is_refused(tmp_path: Path) -> None:
    result = run_cli("serve", "--port", "0", "--cors-origins", "localhost:3000/", cwd=tmp_path)
    assert result.returncode == 2
    assert "--cors-origins" in result.stderr and "Traceback" not in result.stderr
