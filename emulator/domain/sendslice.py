"""The rows of a marketing send, made for a slice of its audience (`SendJob.step` in
domain/marketing.py): one row per (contact, template), in that order.

Most rows of a big campaign are plain: the contact has an address for the template, no scenario
rule applies, the address is neither magic nor suppressed, and nobody listens to the org's events
(no webhook target, no open event stream), so the row is delivered at the moment it is made.
Those are made in one step each (`Recipient.settled`), and their bookkeeping (the broadcast's
rows, counters and row index, the org's outbox) is done once per run of them. Every other row
goes the general way, one flag at a time (`send_row`), after the run before it is put in place.
Either way the rows, their ids (the same draws of the org's stream in the same order) and
everything the org holds come out as if every row had gone the general way: the marketing and
determinism tests compare them (docs/performance.md has what this bought)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from emulator.domain.entities import (
    Broadcast,
    Contact,
    Integration,
    Recipient,
    RowOrigin,
    Template,
    address_on,
)
from emulator.domain.org import Org
from emulator.domain.outcome import DEFAULT_ERRORS, Decision, Outcome
from emulator.domain.rowlife import AT_ONCE, add_row, dispatch, skip
from emulator.domain.rows import build_row, channel_for
from emulator.domain.rules import magic_outcome
from emulator.domain.why import DEFAULT_WHY

# What a plain row's outcome sets: the flags of DELIVERED (all at once), and PROCESSED.
_PLAIN = AT_ONCE[Outcome.DELIVERED]
# ...and the count `add_row` keeps for each row it adds.
_PLAIN_COUNTERS = ("recipients_count", *_PLAIN.counters)



def send_slice(org: Org, broadcast: Broadcast, contacts: Iterable[Contact],
               at: datetime) -> None:
    """The rows of `contacts` (each contact's rows in template order), made at `at`."""
    if org.policy.book.rules or org.heard():
        for contact in contacts:
            reason = _reason(contact)
            for template in broadcast.templates:
                send_row(org, broadcast, contact, template, reason, at)
        return
    _PlainRuns(org, broadcast, at).send(contacts)


def send_row(org: Org, broadcast: Broadcast, contact: Contact, template: Template,
             reason: str | None, at: datetime) -> None:
    """One row the general way: built, added, skipped or decided, and its flags played."""
    row = build_row(org, broadcast, template, contact, at)
    add_row(org, broadcast, row, template)
    if reason is not None or row.error_message is not None:
        skip(org, broadcast, row, reason or row.error_message or "skipped", at)
        return
    decision = org.policy.decide(row)
    if decision.outcome is Outcome.RATE_LIMITED:
        decision = Decision(Outcome.FAILED, decision.delays,
                            decision.error_message or DEFAULT_ERRORS[Outcome.RATE_LIMITED],
                            decision.why)
    dispatch(org, broadcast, row, decision, at, immediate=True)


def _reason(contact: Contact) -> str | None:
    """Why every row of `contact` is skipped, if it is."""
    return ("Contact is blocked" if contact.blocked
            else "Contact is unsubscribed" if contact.unsubscribed else None)


class _PlainRuns:
    """Plain rows made in runs; a run is put in place before any other row is made."""

    def __init__(self, org: Org, broadcast: Broadcast, at: datetime) -> None:
        self.org, self.broadcast, self.at = org, broadcast, at
        self.templates = broadcast.templates
        self.plans: list[tuple[Template, RowOrigin, Integration]] = [
            (template, broadcast.origin_for(template), template.integration_id)
            for template in self.templates]
        self.run: list[Recipient] = []
        self.per_template = [0] * len(self.plans)

    def send(self, contacts: Iterable[Contact]) -> None:
        org, broadcast, at, run = self.org, self.broadcast, self.at, self.run
        draw = org.rng.random.getrandbits
        settled = Recipient.settled
        magic = org.policy.magic_addresses
        suppressions = org.suppressions
        rows, contact_ids, per_template = broadcast.recipients, broadcast.contact_ids, \
            self.per_template
        for contact in contacts:
            reason = _reason(contact)
            made = False
            for index, (template, origin, integration) in enumerate(self.plans):
                channel = None if reason is not None else channel_for(integration, contact)
                address = None if channel is None else address_on(
                    integration, channel.email, channel.phone)
                if (channel is None or (suppressions and org.is_suppressed(address))
                        or (magic and address and magic_outcome(address) is not None)):
                    self.place()
                    send_row(org, broadcast, contact, template, reason, at)
                    continue
                run.append(settled(
                    draw(64), origin, contact.id, at,
                    (channel.user_id, channel.username, channel.email, channel.phone),
                    channel.name or contact.name, draw(64), len(rows) + len(run),
                    _PLAIN.state, DEFAULT_WHY))
                per_template[index] += 1
                made = True
            if made and contact.id not in contact_ids:
                contact_ids.add(contact.id)
                broadcast.counters["contacts_count"] += 1
        self.place()

    def place(self) -> None:
        """Put the run in place: the broadcast's rows, counters and row index, the org's
        outbox. Its rows were opened and finished at once (a send is complete only once its
        job is done, `SendJob.step`, so finishing them completes nothing)."""
        run, broadcast = self.run, self.broadcast
        if not run:
            return
        rows = broadcast.recipients
        positions = range(len(rows), len(rows) + len(run))
        self.org.record_rows(run)
        rows.extend(run)
        for key in _PLAIN.marks:
            broadcast.row_index.mark_many(key, positions)
        counters = broadcast.counters
        for counter in _PLAIN_COUNTERS:
            counters[counter] += len(run)
        for (template, _, _), count in zip(self.plans, self.per_template, strict=True):
            template.recipients_count += count
        self.per_template[:] = [0] * len(self.plans)
        run.clear()
