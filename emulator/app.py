"""The composition root: one call builds an independent emulator (no module-global state) — the
service, the gateway and dispatch over the routes, and the background ticker."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator import paths
from emulator.http.broadcasts import broadcast_json
from emulator.http.dispatch import Dispatch, write
from emulator.http.errors import unexpected_error_handler
from emulator.http.guard import GuardPolicy
from emulator.http.middleware import Gateway
from emulator.http.recipients import recipient_json
from emulator.http.routes import PATH_TABLE, ROUTES
from emulator.scenario.limits import MAX_FILE_BYTES, ScenarioLimits
from emulator.scenario.prebuilt import PreparedScenario, bundled_scenario, read_prepared
from emulator.service import Emulator
from emulator.settings import Settings
from emulator.statefile import StateFileError, prepare_target
from emulator.support.clock import Clock, SystemClock
from emulator.support.rendercache import RenderCache

if TYPE_CHECKING:
    from emulator.scenario.schema import ScenarioSpec
    from emulator.statefile import Saver

log = logging.getLogger("emulator")

# How often a served emulator on a real clock runs what fell due, without waiting for a request.
TICK_SECONDS = 0.1


def create_app(settings: Settings | None = None, *, scenario: ScenarioSpec | None = None,
               clock: Clock | None = None) -> Starlette:
    """Build an emulator. `scenario` overrides `settings.scenario`; `clock` replaces wall time."""
    settings = settings or Settings()
    limits = ScenarioLimits.from_settings(settings)
    clock = clock or SystemClock()
    emulator, saver = _emulator(settings, scenario, clock, limits)
    emulator.events.render_broadcast = broadcast_json
    # The route table is the app's for lifespan and the API description; requests are routed
    # by the `Dispatch` made from the same routes, under the one `Gateway`.
    app = EmulatorApp(routes=ROUTES, lifespan=_lifespan(emulator, saver, settings.save_every))
    app.gateway = Gateway(
        Dispatch(PATH_TABLE), emulator=emulator, origins=settings.cors_origins,
        guard=GuardPolicy.of(settings.host, settings.allowed_hosts, settings.admin_token),
        max_bytes=settings.max_body_bytes, per_path={paths.SCENARIO: MAX_FILE_BYTES})
    app.state.settings = settings
    app.state.saver = saver
    app.state.saved_on_exit = False
    app.state.final_save_error = None
    app.state.emulator = emulator
    app.state.scenario_limits = limits
    app.state.errors = emulator.errors
    return app


def stopping(app: Starlette) -> None:
    """The server is about to drain: end what would otherwise hold it open (event streams,
    waiting outbox reads), so a stop is prompt."""
    emulator = getattr(app.state, "emulator", None)
    if isinstance(emulator, Emulator):
        emulator.events.close()


def _emulator(settings: Settings, scenario: ScenarioSpec | None, clock: Clock,
              limits: ScenarioLimits) -> tuple[Emulator, Saver | None]:
    """The emulator, and the writer of its state file when there is one. The state file is
    checked before anything else (StateFileError if it cannot be saved to); one that exists
    wins over the scenario (StateFileError if it cannot be used)."""
    target = prepare_target(Path(settings.state_file)) if settings.state_file else None
    saver: Saver | None = None
    emulator: Emulator | None = None
    if target is not None:
        # Here, not at the top: without a state file, serving never loads its code.
        from emulator.statefile import Saver, load_state

        emulator = load_state(target.path, clock, recipient_json, empty_is_new=target.in_place)
    if emulator is None:
        emulator = Emulator(scenario or _named_scenario(settings.scenario, limits), clock,
                            recipient_json)
    emulator.renders = RenderCache(settings.render_cache_size) if settings.render_cache else None
    if target is not None:
        saver = Saver(emulator, target)
    return emulator, saver


def _named_scenario(name_or_path: str, limits: ScenarioLimits,
                    ) -> ScenarioSpec | PreparedScenario:
    """What `--scenario` names: a bundled scenario from its pre-validated form while that is
    current (its `ScenarioSpec` read when first needed), else the file, read and validated."""

    def load() -> ScenarioSpec:
        # Here, not at the top: reading and validating a scenario needs pydantic, which
        # serving the bundled default loads only when the spec is first needed.
        from emulator.scenario.load import load_named_scenario

        return load_named_scenario(name_or_path, limits)

    if not Path(name_or_path).is_file() and bundled_scenario(name_or_path) is not None:
        prepared = read_prepared(name_or_path, limits, load)
        if prepared is not None:
            return prepared
    return load()


def _lifespan(emulator: Emulator, saver: Saver | None, save_every: int | None,
              ) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    """Background work (the ticker, sliced jobs, periodic saves) runs only while served with a
    lifespan. The final save comes after the server has drained its connections."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        emulator.background = True
        await emulator.webhooks.start()
        tasks = [asyncio.create_task(_tick(emulator))]
        if saver is not None and save_every is not None:
            tasks.append(asyncio.create_task(saver.save_periodically(save_every)))
        try:
            yield
        finally:
            emulator.background = False
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            # Attempts in flight are cancelled first, so their deliveries are saved waiting.
            await emulator.webhooks.stop()
            save_on_exit(app)

    return lifespan


# Methods that never change anything (every other one counts as a write: `Emulator.writes`).
_READS = frozenset({"GET", "HEAD", "OPTIONS"})


class EmulatorApp(Starlette):
    """An HTTP request goes to the `gateway` (http/middleware.py, over http/dispatch.py), not
    through Starlette's middleware stack and router (kept for the lifespan). An unexpected
    exception is answered here with a 500 in the envelope (once logged and recorded: the pytest
    plugin fails the test it hit) and goes no further: re-raising would make the server drop
    the client's keep-alive connection, so the next test would fail for it."""

    gateway: ASGIApp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        scope["app"] = self  # what `Request.app` reads
        if scope["method"] not in _READS:
            emulator: Emulator = self.state.emulator
            with emulator.changing():
                await self._answer(scope, receive, send)
            return
        await self._answer(scope, receive, send)

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        answered = False

        async def tracking_send(message: Message) -> None:
            nonlocal answered
            if message["type"] == "http.response.start":
                answered = True
            await send(message)

        try:
            await self.gateway(scope, receive, tracking_send)
        except Exception as error:
            response = await unexpected_error_handler(Request(scope), error)
            if not answered:
                await write(response, scope, receive, send)


def save_on_exit(app: Starlette) -> None:
    """The final save of the state file, once: from the lifespan, or after the server stopped
    when a forced stop skipped the lifespan's shutdown. A failure is kept for the exit code."""
    saver: Saver | None = app.state.saver
    if saver is None or app.state.saved_on_exit:
        return
    app.state.saved_on_exit = True
    try:
        saver.save_now()
    except StateFileError as error:
        app.state.final_save_error = error


async def _tick(emulator: Emulator) -> None:
    """Under a real clock, timed outcomes and webhook retries happen on time even when no request
    comes in. (In-process clients without lifespan catch up on their next request instead.)"""
    while True:
        await asyncio.sleep(TICK_SECONDS)
        try:
            emulator.tick()
            if emulator.webhooks.has_due():
                emulator.webhooks.start_due()
        except Exception as error:  # the ticker must outlive any one failure
            log.exception("the background ticker failed", exc_info=error)
            emulator.errors.append(error)
