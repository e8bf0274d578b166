"""The API description at /openapi.json and an offline explorer at /docs: Swagger UI's files come
from the installed `offapi` package (Apache-2.0), never from a CDN, and the page's script is a
file of its own so a Content-Security-Policy without inline script holds."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response

from emulator import paths
from emulator.domain.errors import ApiError
from emulator.http.operation import CONTROL, Operations

OPERATIONS = Operations(CONTROL)
ASSET_PACKAGE = "offapi"
# Served name → (file in the asset package, media type).
ASSETS = {
    "swagger-ui.css": ("swagger_style.css", "text/css; charset=utf-8"),
    "swagger-ui-bundle.js": ("swagger_bundle.js", "text/javascript; charset=utf-8"),
}
CONFIG_SCRIPT = "explorer.js"
# Everything from this origin; Swagger UI sets inline styles, and draws icons as data: images.
POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
          "img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'")

PAGE = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Invent Broadcasts API (invent-emulator)</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{paths.DOCS}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{paths.DOCS}/swagger-ui-bundle.js"></script>
<script src="{paths.DOCS}/explorer.js"></script>
</body>
</html>
"""

# validatorUrl null: no badge that would send the document to an online validator.
# persistAuthorization: the bearer key survives a reload of the page.
SCRIPT = """window.ui = SwaggerUIBundle({
  url: "OPENAPI",
  dom_id: "#swagger-ui",
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  validatorUrl: null,
  deepLinking: true,
  persistAuthorization: true,
  tryItOutEnabled: false
});
""".replace("OPENAPI", paths.OPENAPI)


@OPERATIONS.declare("GET", paths.OPENAPI, "openapi", "This document (OpenAPI 3.1)", answer=None)
async def openapi_endpoint(request: Request) -> Response:
    """Built from the operations of the app's own route table on first use, then kept with the
    app."""
    state = request.app.state
    document: bytes | None = getattr(state, "openapi_json", None)
    if document is None:
        # Imported on the first request for it: start-up does not load the description's code.
        from emulator.http.openapi import openapi_json
        document = state.openapi_json = openapi_json(request.app.routes)
    return Response(document, media_type="application/json")


@OPERATIONS.declare("GET", paths.DOCS, "docs", "The API explorer", answer=None, hidden=True)
async def docs_page(request: Request) -> Response:
    return HTMLResponse(PAGE, headers={"Content-Security-Policy": POLICY})


@OPERATIONS.declare("GET", paths.DOCS_ASSET, "docsAsset", "Explorer assets", answer=None,
                    hidden=True)
async def docs_asset(request: Request) -> Response:
    name = request.path_params["asset"]
    if name == CONFIG_SCRIPT:
        return Response(SCRIPT, media_type="text/javascript; charset=utf-8")
    if name not in ASSETS:
        raise ApiError(404, f"No explorer asset '{name}'")
    filename, media_type = ASSETS[name]
    found = resources.files(ASSET_PACKAGE) / filename
    if isinstance(found, Path):
        return FileResponse(found, media_type=media_type)
    return Response(found.read_bytes(), media_type=media_type)
