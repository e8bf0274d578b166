"""What an outcome is: the names a scenario uses, the row flags each one sets and in which order,
the default error texts, when each flag happens, and the decision that carries all of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from emulator.domain.entities import Flag
from emulator.domain.why import DEFAULT_WHY, Why


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
