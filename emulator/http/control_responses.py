"""Wire schemas of the control surface's answers (/_emulator/...), for the OpenAPI document only:
the handlers in http/control.py build the JSON; the test suite checks it against these."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from emulator.domain.entities import Integration, RecipientStatus
from emulator.domain.outcome import Outcome
from emulator.domain.why import WhyKind
from emulator.http import responses as r
from emulator.http.responses import Answer, Count, JsonObject, Recipient, Timestamp


class Health(Answer):
    status: Literal["ok"]


class ResetAnswer(Answer):
    status: Literal["ok"]
    org_id: str | None = Field(description="The org reset, or null when every org was.")


class ScenarioOrg(Answer):
    id: str
    name: str
    api_keys: list[str]


class ScenarioAnswer(Answer):
    status: Literal["ok"]
    orgs: list[ScenarioOrg]


class OrgClock(Answer):
    org_id: str
    mode: Literal["virtual", "real"]
    now: Timestamp
    pending: Count = Field(description="Timed events still waiting on this org's clock.")


class ClockAnswer(Answer):
    orgs: list[OrgClock]


class MagicAddress(Answer):
    address: str = Field(description="An address, or a pattern such as `bounced+*@resend.dev`.")
    outcome: Outcome
    error_message: str | None
    convention: str = Field(description="Whose sandbox convention it follows.")


class MagicAnswer(Answer):
    enabled: bool
    addresses: list[MagicAddress]


class Suppression(Answer):
    org_id: str
    address: str
    reason: str
    created_at: Timestamp
    recipient_id: str
    broadcast_id: str


class Cleared(Answer):
    cleared: Count


class WebhookAttempt(Answer):
    at: Timestamp
    status: int | None = Field(description="The receiver's status; null when none came back.")
    error: str | None


class WebhookDelivery(Answer):
    id: str
    org_id: str
    url: str
    event: str = Field(description="e.g. `recipient.delivered`.")
    state: Literal["pending", "delivered", "failed"]
    next_attempt_at: Timestamp | None
    attempts: list[WebhookAttempt]
    payload: JsonObject


class NewOrgAnswer(Answer):
    id: str
    api_key: str
    name: str
    parent: str | None
    now: Timestamp = Field(description="The time on the new org's clock.")


class Snapshot(Answer):
    saved: str = Field(description="The state file written.")
    bytes: Count


class Deleted(Answer):
    deleted: str


class Why(Answer):
    """What decided a row's outcome (the emulator's own field, never on the public row)."""

    kind: WhyKind
    summary: str
    rule: Annotated[int, Field(ge=0, description="Index of the rule in `outcomes`.")] | None = None
    where: str | None = Field(default=None, description="`file.yaml:line` of the rule.")
    step: Annotated[int, Field(ge=1, description="1-based step of a sequence.")] | None = None
    draw: Annotated[float, Field(ge=0, lt=1, description="The drawn point of a weighted "
                                                         "choice.")] | None = None


class RecipientWithWhy(Recipient):
    """A recipient row as the control surface's lookup shows it: with `why`."""

    why: Why | None


class Message(Answer):
    """One message of the outbox: a row that went to a provider, its content rendered."""

    org_id: str
    broadcast_id: str
    template_id: str
    recipient_id: str
    contact_id: str
    integration_id: Integration
    to: str | None
    subject: Any = Field(description="The rendered `subject` of the template's config, if any.")
    body: Any = Field(description="The rendered `body` of the template's config, if any.")
    content: JsonObject
    variables: JsonObject
    missing_variables: list[str]
    external_message_id: str | None
    status: RecipientStatus
    outcome: str = Field(description="What happened so far, by its most telling flag: an "
                                     "outcome name (as the `status` filter takes), or "
                                     "`pending`.")
    is_skipped: bool
    is_failed: bool
    is_bounced: bool
    is_sent: bool
    is_delivered: bool
    is_complained: bool
    is_unsubscribed: bool
    is_opened: bool
    is_played: bool
    clicked: bool = Field(description="The emulator's own: the documented row has no click "
                                      "flag, so the outbox shows the click here.")
    clicked_at: Timestamp | None
    error_message: str | None
    why: Why | None
    created_at: Timestamp
    updated_at: Timestamp


class JournalEntry(Answer):
    id: Annotated[int, Field(ge=1)]
    at: Timestamp
    method: str
    path: str
    query: str
    org_id: str | None
    status: int
    body: str = Field(description="The request body as text (cut at 64 KiB).")


class InboxOrgClock(Answer):
    mode: Literal["virtual", "real"]
    now: Timestamp
    pending: Count = Field(description="Timed events still waiting on this org's clock.")


class InboxOrg(Answer):
    """An org as the inbox UI lists it."""

    id: str
    name: str
    parent: str | None
    api_keys: list[str]
    clock: InboxOrgClock
    broadcasts_count: Count
    rows_count: Count = Field(description="Recipient rows ever made in this org.")


class InboxBroadcast(r.Broadcast):
    properties: JsonObject = Field(description="The defaults of the broadcast's variables.")


class InboxMessage(Message):
    row: r.Recipient = Field(description="The recipient row, for its event times.")
