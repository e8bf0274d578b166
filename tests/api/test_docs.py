"""The API explorer at /docs: Swagger UI from the installed `offapi` package, served by the
emulator itself; the page and its configuration name no other host, and the document's server
is relative so "Try it out" calls this emulator."""

from __future__ import annotations

import re
from importlib import resources

import httpx
import pytest

pytestmark = pytest.mark.anyio

EXTERNAL_URL = re.compile(r"(?:https?:)?//[a-z0-9.-]+", re.IGNORECASE)
REFERENCED = re.compile(r'(?:src|href)="([^"]+)"')


async def test_the_page_loads_only_its_own_assets(anon: httpx.AsyncClient) -> None:
    page = await anon.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert EXTERNAL_URL.findall(page.text) == []
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "<script>" not in page.text  # no inline script: the policy forbids it
    referenced = [ref for ref in REFERENCED.findall(page.text) if not ref.startswith("data:")]
    assert referenced == ["/docs/swagger-ui.css", "/docs/swagger-ui-bundle.js",
                          "/docs/explorer.js"]
    for path in referenced:
        asset = await anon.get(path)
        assert asset.status_code == 200, path
        assert asset.content, path


async def test_assets_are_the_installed_packages_files(anon: httpx.AsyncClient) -> None:
    for served, shipped, kind in (("swagger-ui-bundle.js", "swagger_bundle.js", "javascript"),
                                  ("swagger-ui.css", "swagger_style.css", "css")):
        asset = await anon.get(f"/docs/{served}")
        assert kind in asset.headers["content-type"]
        assert asset.content == (resources.files("offapi") / shipped).read_bytes()


async def test_the_configuration_is_offline(anon: httpx.AsyncClient) -> None:
    script = (await anon.get("/docs/explorer.js")).text
    assert EXTERNAL_URL.findall(script) == []
    assert 'url: "/openapi.json"' in script
    assert "validatorUrl: null" in script  # no badge that calls an online validator


async def test_try_it_out_targets_this_emulator(anon: httpx.AsyncClient) -> None:
    document = (await anon.get("/openapi.json")).json()
    assert document["servers"] == [{"url": "/"}]
    assert "/docs" not in document["paths"]  # the explorer is not part of the API


async def test_an_unknown_asset_is_a_404_envelope(anon: httpx.AsyncClient) -> None:
    answer = await anon.get("/docs/../../etc/passwd")
    assert answer.status_code == 404
    answer = await anon.get("/docs/swagger_bundle.js")
    assert answer.status_code == 404
    assert answer.json()["statusCode"] == 404
