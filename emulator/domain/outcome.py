"""What an outcome is, written once: the outcome names a scenario uses, the row flags (`is_*`)
and the broadcast counters they feed, the flags each outcome sets and in which order, the
webhook event and timing key of each flag, the default error texts, when each flag happens, and
the decision that carries all of it. Everything else — the answer models' `is_*` fields, the
scenario's `timing:` keys and webhook `events:`, the inbox UI's badges (through the generated
`wire.js`) and the tests' wire facts — is derived from here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from emulator.domain.why import DEFAULT_WHY, Why

FLAG_PREFIX = "is_"
EVENT_PREFIX = "recipient."
TIMING_SUFFIX = "_after"


class Flag(StrEnum):
    """The outcome flags of a recipient row, in the order the wire shows them. `CLICKED` is the
    one flag the documented row does not show (`WIRE_FLAGS`): a click moves `click_count`, shows
    in the outbox and names its webhook event, but the row has no `is_clicked`."""

    SKIPPED = "is_skipped"
    FAILED = "is_failed"
    BOUNCED = "is_bounced"
    SENT = "is_sent"
    DELIVERED = "is_delivered"
    COMPLAINED = "is_complained"
    UNSUBSCRIBED = "is_unsubscribed"
    OPENED = "is_opened"
    PLAYED = "is_played"
    CLICKED = "is_clicked"

    @property
    def word(self) -> str:
        """`sent` for `is_sent`: the flag's name in events, timing keys and the inbox's badges."""
        return self.value.removeprefix(FLAG_PREFIX)


# The flags of the documented recipient row, in wire order.
WIRE_FLAGS: tuple[Flag, ...] = tuple(flag for flag in Flag if flag is not Flag.CLICKED)


# Which broadcast counter each flag feeds; a bounce is a failed delivery.
FLAG_COUNTERS: dict[Flag, tuple[str, ...]] = {
    Flag.SKIPPED: ("skipped_count",),
    Flag.FAILED: ("failed_count",),
    Flag.BOUNCED: (),
    Flag.SENT: ("sent_count",),
    Flag.DELIVERED: ("delivered_count",),
    Flag.COMPLAINED: ("complained_count",),
    Flag.UNSUBSCRIBED: ("unsubscribed_count",),
    Flag.OPENED: ("opened_count",),
    Flag.PLAYED: ("played_count",),
    Flag.CLICKED: ("click_count",),
}

COUNTER_NAMES = (
    "contacts_count",
    "recipients_count",
    "skipped_count",
    "sent_count",
    "failed_count",
    "delivered_count",
    "opened_count",
    "played_count",
    "click_count",
    "complained_count",
    "unsubscribed_count",
)



class Outcome(StrEnum):
    SENT = "sent"
    DELIVERED = "delivered"
    OPENED = "opened"
    PLAYED = "played"
    CLICKED = "clicked"
    BOUNCED = "bounced"
    FAILED = "failed"
    COMPLAINED = "complained"
    UNSUBSCRIBED = "unsubscribed"
    SKIPPED = "skipped"
    RATE_LIMITED = "rate_limited"


# The flags each outcome sets, in the order they happen (an open implies sent and delivered).
OUTCOME_FLAGS: dict[Outcome, tuple[Flag, ...]] = {
    Outcome.SENT: (Flag.SENT,),
    Outcome.DELIVERED: (Flag.SENT, Flag.DELIVERED),
    Outcome.OPENED: (Flag.SENT, Flag.DELIVERED, Flag.OPENED),
    Outcome.PLAYED: (Flag.SENT, Flag.DELIVERED, Flag.PLAYED),
    # A click follows an open; the row shows the open, the click moves click_count.
    Outcome.CLICKED: (Flag.SENT, Flag.DELIVERED, Flag.OPENED, Flag.CLICKED),
    Outcome.BOUNCED: (Flag.SENT, Flag.BOUNCED, Flag.FAILED),
    Outcome.FAILED: (Flag.FAILED,),
    Outcome.COMPLAINED: (Flag.SENT, Flag.DELIVERED, Flag.COMPLAINED),
    Outcome.UNSUBSCRIBED: (Flag.SENT, Flag.DELIVERED, Flag.UNSUBSCRIBED),
    Outcome.SKIPPED: (Flag.SKIPPED,),
    Outcome.RATE_LIMITED: (Flag.FAILED,),
}



def _happening_order() -> tuple[Flag, ...]:
    """Every flag once, in an order that agrees with each outcome's own (sent before delivered
    before opened …): how the inbox lists a row's events that share a moment."""
    order: list[Flag] = []
    for flags in OUTCOME_FLAGS.values():
        order += [flag for flag in flags if flag not in order]
    return tuple(order)


HAPPENING_ORDER = _happening_order()
# A skipped row is decided at the send: every other flag can be delayed by a rule's `timing:`.
TIMED_FLAGS = tuple(flag for flag in HAPPENING_ORDER if flag is not Flag.SKIPPED)
TIMING_KEYS: dict[str, Flag] = {flag.word + TIMING_SUFFIX: flag for flag in TIMED_FLAGS}


def event_name(flag: Flag) -> str:
    """The webhook event a flag sends: `recipient.delivered`."""
    return EVENT_PREFIX + flag.word


# What a scenario's webhook `events:` list may name.
EVENT_NAMES = tuple(event_name(flag) for flag in HAPPENING_ORDER)

DEFAULT_ERRORS: dict[Outcome, str] = {
    Outcome.BOUNCED: "bounced: the recipient's mail server rejected the message",
    Outcome.FAILED: "failed: the provider could not deliver the message",
    Outcome.SKIPPED: "skipped",
    Outcome.RATE_LIMITED: "rate_limited: the provider refused the message, too many requests",
}

# The error message of a row skipped because its address is on the org's suppression list.
SUPPRESSED = "suppressed"


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of one row, drawn when the row is created: what happens, when, and why."""

    outcome: Outcome
    delays: dict[Flag, timedelta] = field(default_factory=dict)
    error_message: str | None = None
    why: Why = DEFAULT_WHY


@dataclass(frozen=True, slots=True)
class TimedFlag:
    flag: Flag
    after: timedelta


_NO_DELAY = timedelta(0)
_INSTANT_TIMELINES = {
    outcome: tuple(TimedFlag(flag, _NO_DELAY) for flag in flags)
    for outcome, flags in OUTCOME_FLAGS.items()
}


def timeline(decision: Decision) -> tuple[TimedFlag, ...]:
    """When each of the outcome's flags happens, relative to the send; never out of order."""
    if not decision.delays:
        return _INSTANT_TIMELINES[decision.outcome]
    events: list[TimedFlag] = []
    previous = timedelta(0)
    for flag in OUTCOME_FLAGS[decision.outcome]:
        previous = max(previous, decision.delays.get(flag, previous))
        events.append(TimedFlag(flag, previous))
    return tuple(events)


def error_of(decision: Decision) -> str | None:
    """The error message a failed or skipped row of this decision shows."""
    return decision.error_message or DEFAULT_ERRORS.get(decision.outcome)
