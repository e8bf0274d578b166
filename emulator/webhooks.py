"""Webhooks (an emulator extension; Invent documents none): each recipient event is POSTed as
JSON to the scenario's URLs when it happens on the org's clock, signed with HMAC-SHA256, retried
with exponential backoff on 5xx and timeouts on the same clock, and logged for inspection.

Each org keeps its own targets, waiting deliveries and log (emulator/domain/webhooks.py); this
module turns events into deliveries and sends them. An org's deliveries to one URL go out one at
a time, in event order, through one pooled client; other URLs and other orgs are served
concurrently, so a receiver that hangs delays no other receiver, no other org and no API answer.
Every attempt has one total deadline (the target's `timeout`: connect, send and every read) and
reads at most ANSWER_LIMIT bytes of the answer, so a slow, endless or silent receiver holds
nothing beyond that deadline. Served (with a lifespan), deliveries start in the background once
the answer of the request that caused them is out; in-process (no lifespan) and on a clock
advance, the caller waits for its org's attempts (each bounded so), so tests see them at once."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import hmac
import json
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from emulator.domain.entities import Recipient
from emulator.domain.org import BroadcastEvent, Org, RecipientEvent
from emulator.domain.outcome import Flag, event_name
from emulator.domain.webhooks import Attempt, DeliveryState, WebhookDelivery
from emulator.registry import OrgRegistry
from emulator.support.clock import format_timestamp as ts
from emulator.support.version import __version__

if TYPE_CHECKING:
    import ssl

    import httpx

log = logging.getLogger("emulator.webhooks")
RowRenderer = Callable[[Org, Recipient], dict[str, Any]]

SIGNATURE_HEADER = "Invent-Signature"
# Bytes of a receiver's answer read at most; the rest is discarded (the answer's body is never
# used, and a receiver that streams forever must not fill the memory).
ANSWER_LIMIT = 64 * 1024
# A worker: one org's deliveries to one URL, sent in order (the org by identity: a reset org is
# a new object, its old deliveries are skipped).
WorkerKey = tuple[int, str]


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
        # Per org and URL: deliveries handed to its worker, and the worker sending them in order.
        self._queues: dict[WorkerKey, deque[tuple[Org, WebhookDelivery]]] = {}
        self._workers: dict[WorkerKey, asyncio.Task[None]] = {}
        # Served (see `start`), one pooled client, made on the first delivery; otherwise one
        # client per worker run.
        self._pooled = False
        self._client: httpx.AsyncClient | None = None
        registry.listeners.append(self)

    def listening(self, org: Org) -> bool:
        return bool(org.webhooks.targets)

    def restore(self, next_sequence: int) -> None:
        """Go on numbering deliveries from where a state file left off."""
        self.next_sequence = next_sequence

    def on_event(self, org: Org, event: RecipientEvent | BroadcastEvent) -> None:
        queue = org.webhooks
        if not queue.targets or isinstance(event, BroadcastEvent):
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

    def start_due(self) -> list[Org]:
        """Hand every due delivery to its worker, starting workers as needed; returns at once
        (the workers run on the event loop) with the orgs whose deliveries were handed over."""
        due = [(org, d) for org in self.registry.orgs.values()
               for d in org.webhooks.take_due(org.clock.now())]
        due.sort(key=lambda pair: (pair[1].due, pair[1].sequence))
        started: dict[int, Org] = {}
        for org, delivery in due:
            self._queues.setdefault((id(org), delivery.url), deque()).append((org, delivery))
            started[id(org)] = org
        loop = asyncio.get_running_loop()
        for key, queue in self._queues.items():
            worker = self._workers.get(key)
            if queue and (worker is None or worker.done()):
                self._workers[key] = loop.create_task(self._work(key))
        return list(started.values())

    async def flush(self, orgs: list[Org] | None = None) -> None:
        """Attempt every delivery that is due now, once, and wait until those of `orgs` (by
        default: of the orgs that had any due) are done. Another org's receiver is never waited
        for; each attempt ends by its deadline, so neither does this wait."""
        started = self.start_due()
        wanted = {id(org) for org in (started if orgs is None else orgs)}
        while running := [w for key, w in self._workers.items()
                          if key[0] in wanted and not w.done()]:
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

    async def _work(self, key: WorkerKey) -> None:
        queue = self._queues[key]
        try:
            while queue:  # again: more may come while a run's client closes
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
        finally:
            # Done (no await since the queue emptied): forget it, so deleted orgs leave nothing.
            if not queue and self._workers.get(key) is asyncio.current_task():
                del self._workers[key], self._queues[key]

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
        status, error = await _post(client, delivery)
        at = org.clock.now()
        delivery.attempts.append(Attempt(at, status, error))
        if error is None and status is not None and 200 <= status < 300:
            delivery.state = DeliveryState.DELIVERED
        elif _final(status, error) or len(delivery.attempts) >= delivery.max_attempts:
            delivery.state = DeliveryState.FAILED
            log.warning("webhook %s to %s failed: %s", delivery.event, delivery.url,
                        error or f"HTTP {status}")
        else:
            delivery.due = at + backoff(len(delivery.attempts))
            org.webhooks.wait(delivery)


async def _post(client: httpx.AsyncClient,
                delivery: WebhookDelivery) -> tuple[int | None, str | None]:
    """One attempt: (the answer's status, why it failed). The whole attempt (connect, send,
    every read) ends by the target's timeout; at most ANSWER_LIMIT bytes of the answer are read
    and the rest discarded (the connection is then closed, not reused)."""
    import httpx  # loaded with the first client (see _new_client)

    status: int | None = None
    try:
        async with asyncio.timeout(delivery.timeout):
            async with client.stream("POST", delivery.url, content=delivery.body,
                                     headers=delivery.headers,
                                     timeout=delivery.timeout) as response:
                status = response.status_code
                read = 0
                async for chunk in response.aiter_raw():
                    read += len(chunk)
                    if read >= ANSWER_LIMIT:
                        break
                if response.is_redirect or 300 <= status < 400:
                    location = response.headers.get("location", "")
                    return status, f"redirect to {location!r} (redirects are not followed)"
    except (TimeoutError, httpx.TimeoutException):
        return status, f"timeout: no whole answer within {delivery.timeout:g} s"
    except httpx.HTTPError as exc:
        return status, f"{type(exc).__name__}: {exc}"
    return status, None


def _final(status: int | None, error: str | None) -> bool:
    """A 4xx answer is not retried; timeouts, connection errors, 5xx and redirects are."""
    return error is None and status is not None and 400 <= status < 500


def _new_client() -> httpx.AsyncClient:
    """trust_env=False: a proxy from the environment must not see test traffic. Imported here:
    httpx costs about a tenth of start-up, and most scenarios have no webhooks. In-process a
    client is made per run of deliveries, so they share one TLS context: building one reads the
    system's CA bundle (30-80 ms of CPU, on the loop), which every run used to pay."""
    import httpx

    return httpx.AsyncClient(trust_env=False, verify=_tls_context())


@functools.cache
def _tls_context() -> ssl.SSLContext:
    import httpx

    return httpx.create_ssl_context(trust_env=False)  # as the client's own would be
