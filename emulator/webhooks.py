"""Webhooks (an emulator extension; Invent documents none): each recipient event is POSTed as
JSON to the scenario's URLs when it happens on the org's clock, signed with HMAC-SHA256, retried
with exponential backoff on 5xx and timeouts on the same clock, and logged for inspection.

Each org keeps its own targets, waiting deliveries and log (emulator/domain/webhooks.py); this
module turns events into deliveries and sends them. Deliveries to one URL go out one at a time,
in event order, through one pooled client; different URLs are served concurrently, so a receiver
that hangs delays no other receiver and no API answer. Served (with a lifespan), deliveries
start in the background once the answer of the request that caused them is out; in-process
(no lifespan) and on a clock advance, the caller waits for them, so tests see them at once."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from emulator.domain.entities import Recipient
from emulator.domain.org import Org, RecipientEvent
from emulator.domain.outcome import Flag, event_name
from emulator.domain.webhooks import Attempt, DeliveryState, WebhookDelivery
from emulator.registry import OrgRegistry
from emulator.support.clock import format_timestamp as ts
from emulator.support.version import __version__

if TYPE_CHECKING:
    import httpx

log = logging.getLogger("emulator.webhooks")
RowRenderer = Callable[[Org, Recipient], dict[str, Any]]

SIGNATURE_HEADER = "Invent-Signature"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff(attempts_made: int) -> timedelta:
    """1 s, 2 s, 4 s, … after the first, second, third failed attempt."""
    return timedelta(seconds=2 ** (attempts_made - 1))


class WebhookSender:
    def __init__(self, registry: OrgRegistry, render_row: RowRenderer) -> None:
        # How a row looks on the wire is the HTTP layer's business; it hands the renderer in.
        self.render_row = render_row
        self.registry = registry
        # Orders deliveries across orgs, and the log newest first.
        # (The next delivery's number; a state file keeps it.)
        self.next_sequence = 1
        # Per URL: deliveries handed to its worker, and the worker sending them in order.
        self._queues: dict[str, deque[tuple[Org, WebhookDelivery]]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        # Served (see `start`), one pooled client, made on the first delivery; otherwise one
        # client per worker run.
        self._pooled = False
        self._client: httpx.AsyncClient | None = None
        registry.listeners.append(self.on_event)

    def on_event(self, org: Org, event: RecipientEvent) -> None:
        queue = org.webhooks
        if not queue.targets:
            return
        # A bounce is the failure event of a bounced row; do not report it twice.
        if event.flag is Flag.FAILED and event.row.has(Flag.BOUNCED):
            return
        name = event_name(event.flag)
        matching = [t for t in queue.targets if t.wants(name)]
        if not matching:
            return
        payload = {
            "id": org.rng.new_id("evt"),
            "type": name,
            "created_at": ts(event.at),
            "org_id": org.id,
            "data": self.render_row(org, event.row),
        }
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        for target in matching:
            headers = {"Content-Type": "application/json", "Invent-Event": name,
                       "User-Agent": f"invent-emulator/{__version__}"}
            if target.secret:
                headers[SIGNATURE_HEADER] = sign(target.secret, body)
            delivery = WebhookDelivery(
                id=org.rng.new_id("whd"), org_id=org.id, url=target.url, event=name,
                body=body, headers=headers, due=event.at, max_attempts=target.max_attempts,
                timeout=target.timeout, sequence=self.next_sequence,
            )
            self.next_sequence += 1
            delivery.headers["Invent-Delivery"] = delivery.id
            queue.add(delivery)

    def has_due(self) -> bool:
        for org in self.registry.orgs.values():
            due = org.webhooks.next_due()
            if due is not None and due <= org.clock.now():
                return True
        return False

    def start_due(self) -> None:
        """Hand every due delivery to its URL's worker, starting workers as needed; returns at
        once (the workers run on the event loop)."""
        due = [(org, d) for org in self.registry.orgs.values()
               for d in org.webhooks.take_due(org.clock.now())]
        due.sort(key=lambda pair: (pair[1].due, pair[1].sequence))
        for org, delivery in due:
            self._queues.setdefault(delivery.url, deque()).append((org, delivery))
        loop = asyncio.get_running_loop()
        for url, queue in self._queues.items():
            worker = self._workers.get(url)
            if queue and (worker is None or worker.done()):
                self._workers[url] = loop.create_task(self._work(url))

    async def flush(self) -> None:
        """Attempt every delivery that is due now, once, and wait until all are done."""
        self.start_due()
        while running := [w for w in self._workers.values() if not w.done()]:
            await asyncio.gather(*running)

    async def start(self) -> None:
        """Served: one pooled client for every delivery, made when the first one goes out (so a
        scenario without webhooks never loads the HTTP client)."""
        self._pooled = True

    async def stop(self) -> None:
        """Cancel attempts in flight (their deliveries wait again, so a state file keeps them)
        and close the pooled client."""
        for worker in self._workers.values():
            worker.cancel()
        for worker in self._workers.values():
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        self._pooled = False
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _work(self, url: str) -> None:
        queue = self._queues[url]
        try:
            async with self._client_for_run() as client:
                while queue:
                    org, delivery = queue[0]
                    if self.registry.current(org):  # not reset or removed meanwhile
                        await self._attempt(client, org, delivery)
                    queue.popleft()
        except asyncio.CancelledError:
            for org, delivery in queue:
                org.webhooks.wait(delivery)
            queue.clear()
            raise

    @contextlib.asynccontextmanager
    async def _client_for_run(self) -> AsyncIterator[httpx.AsyncClient]:
        if self._pooled:
            if self._client is None:
                self._client = _new_client()
            yield self._client
            return
        async with _new_client() as client:
            yield client

    async def _attempt(self, client: httpx.AsyncClient, org: Org,
                       delivery: WebhookDelivery) -> None:
        status: int | None = None
        error: str | None = None
        import httpx  # loaded with the first client (see _new_client)

        try:
            response = await client.post(delivery.url, content=delivery.body,
                                         headers=delivery.headers, timeout=delivery.timeout)
            status = response.status_code
        except httpx.TimeoutException:
            error = "timeout"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        at = org.clock.now()
        delivery.attempts.append(Attempt(at, status, error))
        retryable = status is None or status >= 500
        if status is not None and status < 400:
            delivery.state = DeliveryState.DELIVERED
        elif not retryable or len(delivery.attempts) >= delivery.max_attempts:
            delivery.state = DeliveryState.FAILED
            log.warning("webhook %s to %s failed: %s", delivery.event, delivery.url,
                        error or f"HTTP {status}")
        else:
            delivery.due = at + backoff(len(delivery.attempts))
            org.webhooks.wait(delivery)


def _new_client() -> httpx.AsyncClient:
    """trust_env=False: a proxy from the environment must not see test traffic. Imported here:
    httpx costs about a tenth of start-up, and most scenarios have no webhooks."""
    import httpx

    return httpx.AsyncClient(trust_env=False)
