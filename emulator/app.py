"""The application factory: one call builds an independent emulator (no module-global state)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.clock import Clock, SystemClock
from emulator.domain.errors import ApiError
from emulator.http.bodylimit import BodySizeLimit
from emulator.http.errors import api_error_handler, http_exception_handler, unexpected_error_handler
from emulator.http.faults import CONTROL_PREFIX, FaultMiddleware
from emulator.http.guard import ControlGuard
from emulator.http.journal import JournalMiddleware
from emulator.http.pathguard import EncodedSlashGuard
from emulator.http.routes import ROUTES
from emulator.runtime import Runtime
from emulator.scenario.limits import ScenarioLimits
from emulator.scenario.load import load_scenario_file, resolve_scenario_path
from emulator.scenario.schema import ScenarioSpec
from emulator.scenario.yamlload import MAX_FILE_BYTES
from emulator.settings import Settings

log = logging.getLogger("emulator")

# How often a served emulator on a real clock runs what fell due, without waiting for a request.
TICK_SECONDS = 0.1

# Browser clients read these across origins.
EXPOSED_HEADERS = ["pagination-count", "pagination-page", "pagination-take", "Retry-After"]


def create_app(settings: Settings | None = None, *, scenario: ScenarioSpec | None = None,
               clock: Clock | None = None) -> Starlette:
    """Build an emulator. `scenario` overrides `settings.scenario`; `clock` replaces wall time."""
    settings = settings or Settings()
    limits = ScenarioLimits.from_settings(settings)
    if scenario is None:
        scenario = load_scenario_file(resolve_scenario_path(settings.scenario), limits)
    runtime = Runtime(scenario, clock or SystemClock())

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        runtime.background = True
        ticker = asyncio.create_task(_tick(runtime))
        try:
            yield
        finally:
            runtime.background = False
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker

    app = EmulatorApp(
        routes=ROUTES,
        lifespan=lifespan,
        middleware=[
            Middleware(PublicCORS),
            Middleware(JournalMiddleware, journal=lambda: runtime.journal,
                       now=runtime.store.clock.now),
            Middleware(EncodedSlashGuard),
            Middleware(ControlGuard, bound_host=settings.host,
                       allowed_hosts=settings.allowed_hosts, admin_token=settings.admin_token),
            Middleware(BodySizeLimit, max_bytes=settings.max_body_bytes,
                       per_path={"/_emulator/scenario": MAX_FILE_BYTES}),
            Middleware(FaultMiddleware, injector=lambda: runtime.faults),
            Middleware(WebhookFlush, runtime=runtime),
        ],
        exception_handlers={
            ApiError: api_error_handler,
            HTTPException: http_exception_handler,
            Exception: unexpected_error_handler,
        },
    )
    app.router.redirect_slashes = False  # a redirect would be built from the Host header
    app.state.settings = settings
    app.state.scenario_limits = limits
    app.state.runtime = runtime
    app.state.errors = runtime.errors
    return app


class EmulatorApp(Starlette):
    """Starlette re-raises an unexpected exception after its 500 answer has gone out; here that
    stops: the error is already logged and recorded (the pytest plugin fails the test it hit),
    and re-raising would make the server drop the client's keep-alive connection, so the next
    test would fail for it."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        answered = False

        async def tracking_send(message: Message) -> None:
            nonlocal answered
            if message["type"] == "http.response.start":
                answered = True
            await send(message)

        try:
            await super().__call__(scope, receive, tracking_send)
        except Exception:
            if not answered:
                raise


class PublicCORS:
    """CORS open to every origin on the public API (browser frontends call it), and none on
    /_emulator: a web page the developer happens to visit must not drive the control surface."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.cors = CORSMiddleware(app, allow_origins=["*"], allow_methods=["*"],
                                   allow_headers=["*"], expose_headers=EXPOSED_HEADERS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
        else:
            await self.cors(scope, receive, send)


class WebhookFlush:
    """Delivers the webhooks of the events a request caused, once its answer is out."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
        if scope["type"] == "http" and self.runtime.webhooks.has_due():
            await self.runtime.webhooks.flush()


async def _tick(runtime: Runtime) -> None:
    """Under a real clock, timed outcomes and webhook retries happen on time even when no request
    comes in. (In-process clients without lifespan catch up on their next request instead.)"""
    while True:
        await asyncio.sleep(TICK_SECONDS)
        try:
            runtime.tick()
            if runtime.webhooks.has_due():
                await runtime.webhooks.flush()
        except Exception as error:  # the ticker must outlive any one failure
            log.exception("the background ticker failed", exc_info=error)
            runtime.errors.append(error)
