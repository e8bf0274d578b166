"""The application factory: one call builds an independent emulator (no module-global state)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from emulator.clock import Clock, SystemClock
from emulator.domain.errors import ApiError
from emulator.http.bodylimit import BodySizeLimit
from emulator.http.errors import api_error_handler, http_exception_handler, unexpected_error_handler
from emulator.http.routes import ROUTES
from emulator.scenario.load import load_scenario_file, resolve_scenario_path
from emulator.scenario.schema import ScenarioSpec
from emulator.settings import Settings
from emulator.store import Store

# Browser clients read these across origins.
EXPOSED_HEADERS = ["pagination-count", "pagination-page", "pagination-take", "Retry-After"]


def create_app(settings: Settings | None = None, *, scenario: ScenarioSpec | None = None,
               clock: Clock | None = None) -> Starlette:
    """Build an emulator. `scenario` overrides `settings.scenario`; `clock` replaces wall time."""
    settings = settings or Settings()
    if scenario is None:
        scenario = load_scenario_file(resolve_scenario_path(settings.scenario))
    app = Starlette(
        routes=ROUTES,
        middleware=[
            Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"],
                       allow_headers=["*"], expose_headers=EXPOSED_HEADERS),
            Middleware(BodySizeLimit, max_bytes=settings.max_body_bytes),
        ],
        exception_handlers={
            ApiError: api_error_handler,
            HTTPException: http_exception_handler,
            Exception: unexpected_error_handler,
        },
    )
    app.state.settings = settings
    app.state.store = Store(scenario, clock or SystemClock())
    return app
