"""One org and everything it owns: contacts, segments, broadcasts, its clock and random stream,
its scheduler and jobs, its outcome policy, rate-limit windows, webhook queue, suppressions,
run-time faults, and the blueprint it was built from. Resetting an org is building a new one
from its blueprint; deleting it is dropping it: nothing about it is kept anywhere else."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from emulator.domain.entities import Broadcast, Channel, Contact, Recipient, Segment
from emulator.domain.faults import OrgFaults
from emulator.domain.outcome import Flag
from emulator.domain.ratelimit import LimitSettings, RateLimits
from emulator.domain.rules import OutcomePolicy, RuleBook
from emulator.domain.scheduler import Scheduler
from emulator.domain.seeds import OrgContent
from emulator.domain.webhooks import WebhookQueue, WebhookTarget
from emulator.support.addresses import normalize_address, normalize_email, normalize_phone
from emulator.support.clock import Clock
from emulator.support.gcpause import collector_paused
from emulator.support.rng import RandomSource


@dataclass(frozen=True, slots=True)
class RecipientEvent:
    """A flag set on a row at a moment of the org's clock: what webhooks report."""

    flag: Flag
    broadcast: Broadcast
    row: Recipient
    at: datetime


@dataclass(frozen=True, slots=True)
class Suppression:
    address: str
    reason: str
    created_at: datetime
    recipient_id: str
    broadcast_id: str


@dataclass(slots=True)
class HiddenMessages:
    """What the org's outbox (emulator/domain/outbox.py) no longer shows: every row made
    before the last clear (`before`, a position in `Org.sent_rows`) and rows hidden one by one
    since. Dumps and restores itself."""

    before: int = 0
    ids: set[str] = field(default_factory=set)

    def hides(self, position: int, row: Recipient) -> bool:
        return position < self.before or row.id in self.ids

    def dump(self) -> dict[str, Any]:
        return {"before": self.before, "ids": sorted(self.ids)}

    def restore(self, data: dict[str, Any]) -> None:
        self.before = int(data["before"])
        self.ids = {str(i) for i in data["ids"]}


@dataclass(frozen=True, slots=True)
class BroadcastEvent:
    """A broadcast's status changed at a moment of the org's clock (the live event stream)."""

    broadcast: Broadcast
    at: datetime


class Listener(Protocol):
    """Hears what happens to an org's rows and broadcasts (webhooks, the live event stream)."""

    def listening(self, org: Org) -> bool:
        """False while an event of `org` would change nothing, so bulk work may skip making
        the events (a big marketing send, emulator/domain/sendslice.py)."""
        ...

    def on_event(self, org: Org, event: RecipientEvent | BroadcastEvent) -> None:
        ...


class Job(Protocol):
    """Work that creates rows in slices (a marketing send to a large audience)."""

    def step(self, org: Org, max_contacts: int | None) -> bool:
        """Do up to `max_contacts` more (all if None); True when finished."""
        ...


class Timed(Protocol):
    """Something that happens to an org at a moment of its clock (a timed outcome flag, the
    start of a scheduled send): plain data, so a state file can keep it."""

    def happen(self, org: Org, at: datetime) -> None:
        ...


@dataclass(frozen=True, slots=True)
class Blueprint:
    """How to build one org afresh, exactly as it first was. Made by the scenario layer (which
    knows the scenario file); kept by the org, so a reset needs nothing else."""

    org_id: str
    name: str
    seed: int
    # The scenario's segments, contacts and broadcasts, as plain data (`populate.populate`).
    content: OrgContent = field(default_factory=OrgContent)
    api_keys: tuple[str, ...] | None = None  # None: one key drawn from the org's stream
    parent_id: str | None = None
    virtual_clock: bool = False
    clock_start: datetime | None = None
    rules: RuleBook = field(default_factory=RuleBook)
    webhooks: tuple[WebhookTarget, ...] = ()
    limits: LimitSettings = field(default_factory=LimitSettings)
    # True for orgs of the loaded scenario; False for orgs made at run time.
    from_scenario: bool = True
    # For an org made at run time, the request that made it as plain JSON values, so a state
    # file can make this blueprint again (its content is not written into the file).
    recipe: Mapping[str, Any] | None = None


@dataclass(slots=True)
class SavedEntities:
    """An org's entities as a state file holds them (`Org.restore`)."""

    contacts: dict[str, Contact]
    segments: dict[str, Segment]
    broadcasts: dict[str, Broadcast]
    suppressions: dict[str, Suppression]
    sent_rows: list[Recipient]
    email_index: dict[str, str]
    phone_index: dict[str, str]


@dataclass(eq=False)
class Org:
    blueprint: Blueprint
    clock: Clock
    listeners: list[Listener] = field(default_factory=list)
    contacts: dict[str, Contact] = field(default_factory=dict)
    segments: dict[str, Segment] = field(default_factory=dict)
    broadcasts: dict[str, Broadcast] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    suppressions: dict[str, Suppression] = field(default_factory=dict)
    scheduler: Scheduler[Timed] = field(default_factory=Scheduler)
    jobs: list[Job] = field(default_factory=list)
    # Every row ever created, in creation order: the outbox reads it (rows of a marketing send
    # that was sent again stay here, as messages that really went out).
    sent_rows: list[Recipient] = field(default_factory=list)
    # True while `sent_rows` is also in order of creation time (the outbox reads it lazily).
    rows_in_order: bool = True
    # Messages the outbox no longer shows (cleared through the control surface).
    hidden: HiddenMessages = field(default_factory=HiddenMessages)
    email_index: dict[str, str] = field(default_factory=dict)
    phone_index: dict[str, str] = field(default_factory=dict)
    # Derived from the blueprint when the org is made.
    id: str = field(init=False)
    name: str = field(init=False)
    parent_id: str | None = field(init=False)
    rng: RandomSource = field(init=False)
    api_keys: list[str] = field(init=False)
    policy: OutcomePolicy = field(init=False)
    limits: RateLimits = field(init=False)
    webhooks: WebhookQueue = field(init=False)
    faults: OrgFaults = field(init=False)  # run-time faults (POST /_emulator/orgs/{id}/faults)
    # Moves whenever the org changes on its own (a job's slice, something falling due): with
    # the emulator's count of writes, it says when a rendered answer is stale.
    version: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        plan = self.blueprint
        self.id = plan.org_id
        self.name = plan.name
        self.parent_id = plan.parent_id
        self.rng = RandomSource(plan.seed, f"org:{plan.org_id}")
        self.api_keys = (list(plan.api_keys) if plan.api_keys is not None
                         else [self.rng.token("test_key")])
        self.policy = OutcomePolicy(plan.rules, plan.org_id, self.rng)
        self.limits = RateLimits(plan.limits)
        self.webhooks = WebhookQueue(plan.webhooks)
        self.faults = OrgFaults(RandomSource(plan.seed, f"faults:{plan.org_id}"))

    def add_segment(self, segment: Segment) -> None:
        self.segments[segment.id] = segment

    def add_broadcast(self, broadcast: Broadcast) -> None:
        self.broadcasts[broadcast.id] = broadcast

    def add_contact(self, contact: Contact) -> None:
        """A new contact: its channels and addresses indexed, its segments told of it."""
        self.add_contacts((contact,))

    def add_contacts(self, contacts: Iterable[Contact], *, normalized: bool = False) -> None:
        """New contacts, as `add_contact`. `normalized`: every address is already in normal
        form (generated contacts), so the indexes take it as it is (half the time at
        100,000 contacts)."""
        by_id, channels, segments = self.contacts, self.channels, self.segments
        by_email, by_phone = self.email_index, self.phone_index
        for contact in contacts:
            contact_id = contact.id
            by_id[contact_id] = contact
            for channel in contact.channels:
                channels[channel.id] = channel
                # The first contact to own an address keeps it: later duplicates never steal
                # a lookup.
                if channel.email:
                    by_email.setdefault(channel.email if normalized
                                        else normalize_email(channel.email), contact_id)
                if channel.phone:
                    by_phone.setdefault(channel.phone if normalized
                                        else normalize_phone(channel.phone), contact_id)
            for segment_id in contact.segment_ids:
                segments[segment_id].contact_ids[contact_id] = None

    def join_segment(self, contact: Contact, segment: Segment) -> bool:
        """Make `contact` a member of `segment` on both sides; False if it already was."""
        if segment.id in contact.segment_ids:
            return False
        contact.segment_ids.append(segment.id)
        segment.contact_ids[contact.id] = None
        return True

    def restore(self, saved: SavedEntities) -> None:
        """Take back entities a state file saved: the channels are derived from the contacts,
        and each address index may only name contacts of the org."""
        for name, index in (("email_index", saved.email_index),
                            ("phone_index", saved.phone_index)):
            strays = [address for address, contact_id in index.items()
                      if contact_id not in saved.contacts]
            if strays:
                raise ValueError(f"{name}: {strays[0]!r} names no contact of the org")
        self.contacts, self.segments = saved.contacts, saved.segments
        self.broadcasts, self.suppressions = saved.broadcasts, saved.suppressions
        self.sent_rows = saved.sent_rows
        self.channels = {ch.id: ch for c in saved.contacts.values() for ch in c.channels}
        self.email_index, self.phone_index = saved.email_index, saved.phone_index
        self.rows_in_order = all(a.created_at <= b.created_at for a, b
                                 in zip(self.sent_rows, self.sent_rows[1:], strict=False))

    def resume(self, api_keys: Iterable[str], jobs: Iterable[Job]) -> None:
        """Take back the API keys and the unfinished jobs a state file saved."""
        self.api_keys, self.jobs = list(api_keys), list(jobs)

    def contact_by_email(self, email: str) -> Contact | None:
        contact_id = self.email_index.get(normalize_email(email))
        return self.contacts.get(contact_id) if contact_id else None

    def contact_by_phone(self, phone: str) -> Contact | None:
        contact_id = self.phone_index.get(normalize_phone(phone))
        return self.contacts.get(contact_id) if contact_id else None

    def suppress(self, address: str, reason: str, row: Recipient, at: datetime) -> None:
        key = normalize_address(address)
        if key not in self.suppressions:
            self.suppressions[key] = Suppression(address, reason, at, row.id, row.broadcast_id)

    def record_row(self, row: Recipient) -> None:
        """A row that went out, kept for the outbox (which trusts `rows_in_order`)."""
        if self.sent_rows and row.created_at < self.sent_rows[-1].created_at:
            self.rows_in_order = False
        self.sent_rows.append(row)

    def record_rows(self, rows: list[Recipient]) -> None:
        """Rows that went out, as `record_row` one by one; they share one `created_at`."""
        if rows:
            self.record_row(rows[0])
            self.sent_rows.extend(rows[1:])

    def start_job(self, job: Job) -> None:
        """Sliced work to finish in order (`step_jobs`), after the jobs already started."""
        self.jobs.append(job)

    def clear_suppressions(self) -> int:
        """Forget every suppressed address; returns how many there were."""
        cleared = len(self.suppressions)
        self.suppressions.clear()
        return cleared

    def is_suppressed(self, address: str | None) -> bool:
        return address is not None and normalize_address(address) in self.suppressions

    def status_changed(self, broadcast: Broadcast, at: datetime) -> None:
        """Called wherever a broadcast's status is set, so listeners hear of it."""
        if self.listeners:
            self.emit(BroadcastEvent(broadcast, at))

    def emit(self, event: RecipientEvent | BroadcastEvent) -> None:
        for listener in self.listeners:
            listener.on_event(self, event)

    def heard(self) -> bool:
        """Whether any listener would act on an event of this org now."""
        return any(listener.listening(self) for listener in self.listeners)

    def catch_up(self) -> None:
        """Bring the org up to its clock's now: finish the jobs, run what fell due. Called before
        each request touches the org, so every read sees a settled state."""
        self.run_until(self.clock.now())

    def run_until(self, moment: datetime) -> None:
        while True:
            with collector_paused():
                self.step_jobs(None)
            if not self.run_due(moment) and not self.jobs:
                return

    def run_due(self, moment: datetime) -> int:
        """Perform what fell due on the scheduler by `moment`; returns how many ran."""
        ran = self.scheduler.run_due(moment, lambda entry, at: entry.happen(self, at))
        if ran:
            self.version += 1
        return ran

    def step_jobs(self, max_contacts: int | None) -> bool:
        """Advance the oldest jobs by up to `max_contacts`; True while some are left."""
        if self.jobs:
            self.version += 1
        while self.jobs:
            if not self.jobs[0].step(self, max_contacts):
                return True
            self.jobs.pop(0)
            if max_contacts is not None:
                break
        return bool(self.jobs)
