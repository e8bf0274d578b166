"""Webhooks (an emulator extension; Invent documents none): each recipient event is POSTed as
JSON to the scenario's URLs when it happens on the org's clock, signed with HMAC-SHA256, retried
with exponential backoff on 5xx and timeouts on the same clock, and logged for inspection.

Each org keeps its own targets, waiting deliveries and log (emulator/domain/webhooks.py); this
module turns events into deliveries and sends them. Deliveries are made right after the request
during which their event happened (once its answer is out), by a clock advance, and by the served
emulator's ticker: never by a task left running on its own."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx

from emulator.domain.entities import Flag, Recipient
from emulator.domain.org import Org, RecipientEvent
from emulator.domain.webhooks import Attempt, DeliveryState, WebhookDelivery
from emulator.registry import OrgRegistry
from emulator.support.clock import format_timestamp as ts
from emulator.support.version import __version__

log = logging.getLogger("emulator.webhooks")
RowRenderer = Callable[[Org, Recipient], dict[str, Any]]

SIGNATURE_HEADER = "Invent-Signature"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff(attempts_made: int) -> timedelta:
    """1 s, 2 s, 4 s, … after the first, second, third failed attempt."""
    return timedelta(seconds=2 ** (attempts_made - 1))


def event_name(flag: Flag) -> str:
    return "recipient." + flag.value.removeprefix("is_")


class WebhookSender:
    def __init__(self, registry: OrgRegistry, render_row: RowRenderer) -> None:
        # How a row looks on the wire is the HTTP layer's business; it hands the renderer in.
        self.render_row = render_row
        self.registry = registry
        self._flushing = asyncio.Lock()
        # Orders the log across orgs: newest first is highest first. (The next one's number.)
        self.next_sequence = 1
        registry.listeners.append(self.on_event)

    def on_event(self, org: Org, event: RecipientEvent) -> None:
        queue = org.webhooks
        if not queue.targets:
            return
        # A bounce is the failure event of a bounced row; do not report it twice.
        if event.flag is Flag.FAILED and Flag.BOUNCED in event.row.flags:
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
        return any(org.webhooks.pending and org.webhooks.due(org.clock.now())
                   for org in self.registry.orgs.values())

    def _due(self) -> list[tuple[Org, WebhookDelivery]]:
        due = [(org, d) for org in self.registry.orgs.values()
               for d in org.webhooks.due(org.clock.now())]
        return sorted(due, key=lambda pair: (pair[1].due, pair[1].sequence))

    async def flush(self) -> int:
        """Attempt every delivery that is due now, once; returns how many were attempted.
        One flush at a time (the background sender and a clock advance may both ask)."""
        async with self._flushing:
            due = self._due()
            if not due:
                return 0
            # trust_env=False: a proxy from the environment must not see test traffic.
            async with httpx.AsyncClient(trust_env=False) as client:
                for org, delivery in due:
                    if self.registry.current(org):  # not reset or removed meanwhile
                        await self._attempt(client, org, delivery)
            for org, _ in due:
                org.webhooks.settle()
            return len(due)

    async def _attempt(self, client: httpx.AsyncClient, org: Org,
                       delivery: WebhookDelivery) -> None:
        status: int | None = None
        error: str | None = None
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
