"""`invent-emulator serve` announces the inbox and the API explorer, and the installed package
serves the inbox's files (the generated wire.js among them)."""

from __future__ import annotations

import httpx
from support.cli import DEFAULT_SERVER_GROUP, DefaultServer


@DEFAULT_SERVER_GROUP
def test_serve_announces_the_inbox_and_serves_it(default_server: DefaultServer) -> None:
    server, url = default_server.server, default_server.url
    assert f"inbox: {url}/_emulator/ui" in server.stderr
    assert f"API explorer: {url}/docs" in server.stderr
    page = httpx.get(f"{url}/_emulator/ui")
    assert page.status_code == 200 and "/_emulator/ui/app.js" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert httpx.get(f"{url}/_emulator/ui/app.js").status_code == 200
    wire = httpx.get(f"{url}/_emulator/ui/wire.js")
    assert wire.status_code == 200 and '"/_emulator/orgs/{org_id}/recipients"' in wire.text
    assert '"sent", "delivered"' in wire.text
