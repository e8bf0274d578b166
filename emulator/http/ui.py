"""Serves the inbox UI: the static files shipped in `emulator/ui/`, same origin as the control
surface, under a Content-Security-Policy that allows no inline script and nothing from elsewhere."""

from __future__ import annotations

import re
from importlib import resources

from starlette.requests import Request
from starlette.responses import Response

from emulator.domain.errors import ApiError

UI_PREFIX = "/_emulator/ui"

# Scripts only from this origin and never inline; styles may be inline so an email's own HTML
# renders as its author wrote it (the srcdoc iframe inherits this policy); nothing is fetched
# from another origin, not even an email's remote images.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "frame-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
))

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # Always revalidate: after an upgrade the browser must not mix old and new modules.
    "Cache-Control": "no-cache",
}

MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "js": "text/javascript; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "svg": "image/svg+xml",
}

# Flat names only: no directories, so no path can climb out of the UI's folder.
FILE_NAME = re.compile(r"[a-z0-9][a-z0-9-]*\.(html|js|css|svg)")


def _ui_file(name: str) -> Response:
    match = FILE_NAME.fullmatch(name)
    source = resources.files("emulator") / "ui" / name
    if match is None or not source.is_file():
        raise ApiError(404, f"No UI file '{name}'")
    return Response(source.read_bytes(), media_type=MEDIA_TYPES[match.group(1)],
                    headers=HEADERS)


async def ui_index(request: Request) -> Response:
    return _ui_file("index.html")


async def ui_asset(request: Request) -> Response:
    return _ui_file(request.path_params["name"])
