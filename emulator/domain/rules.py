"""How a row's outcome is chosen: the scenario's rules (the first whose `when` matches decides,
as a fixed outcome, a weighted draw or a sequence), then magic test addresses, then `delivered`.

One table of magic addresses drives both the behaviour and what GET /_emulator/magic shows."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from enum import StrEnum
from fnmatch import fnmatchcase
from typing import Any

from emulator.domain.entities import Recipient, address_of
from emulator.domain.outcome import Decision, Flag, Outcome
from emulator.domain.why import Why, WhyKind
from emulator.support.addresses import normalize_email, normalize_phone, normalize_phone_pattern
from emulator.support.rng import RandomSource


@dataclass(frozen=True, slots=True)
class When:
    email: str | None = None
    phone: str | None = None
    integration_id: str | None = None
    broadcast_id: str | None = None
    template_id: str | None = None
    contact_id: str | None = None
    org_id: str | None = None

    def matches(self, org_id: str, row: Recipient) -> bool:
        """Every key given must match; an empty `when` matches every row. Email and phone
        patterns look at the address the row's message goes to."""
        address = address_of(row)
        email = normalize_email(address) if address and "@" in address else None
        phone = normalize_phone(address) if address and "@" not in address else None
        return (
            _glob(self.email, email, normalize_email)
            and _glob(self.phone, phone, normalize_phone_pattern)
            and _equal(self.integration_id, row.integration_id.value)
            and _equal(self.broadcast_id, row.broadcast_id)
            and _equal(self.template_id, row.template_id)
            and _equal(self.contact_id, row.contact_id)
            and _equal(self.org_id, org_id)
        )


def _glob(pattern: str | None, value: str | None, normalize: Callable[[str], str]) -> bool:
    if pattern is None:
        return True
    if value is None:
        return False
    return fnmatchcase(value, normalize(pattern))


def _equal(wanted: str | None, actual: str) -> bool:
    return wanted is None or wanted == actual


class ChoiceKind(StrEnum):
    FIXED = "fixed"
    WEIGHTED = "weighted"
    SEQUENCE = "sequence"


@dataclass(frozen=True, slots=True)
class Choice:
    """One outcome, a weighted draw, or a sequence whose last entry repeats."""

    kind: ChoiceKind
    outcomes: tuple[Outcome, ...]
    weights: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class Rule:
    when: When
    choice: Choice
    delays: dict[Flag, timedelta] = field(default_factory=dict)
    error_message: str | None = None
    # `file:line` of the rule in its scenario file, when it came from one.
    source: str | None = None


# A rule's `source` when a test set it while the org runs (PUT /_emulator/orgs/{id}/outcomes).
RUN_TIME = "run time"


def rule_record(rule: Rule) -> dict[str, Any]:
    """A rule as plain JSON values (the state file keeps an org's run-time rules)."""
    return {"when": {k: v for k, v in asdict(rule.when).items() if v is not None},
            "kind": rule.choice.kind.value,
            "outcomes": [o.value for o in rule.choice.outcomes],
            "weights": list(rule.choice.weights),
            "delays": {flag.value: delay.total_seconds() for flag, delay in rule.delays.items()},
            "error_message": rule.error_message, "source": rule.source}


def rule_from_record(record: dict[str, Any]) -> Rule:
    return Rule(When(**record["when"]),
                Choice(ChoiceKind(record["kind"]), tuple(Outcome(o) for o in record["outcomes"]),
                       tuple(float(w) for w in record["weights"])),
                {Flag(flag): timedelta(seconds=seconds)
                 for flag, seconds in record["delays"].items()},
                record["error_message"], record["source"])


@dataclass(frozen=True, slots=True)
class RuleBook:
    """What a scenario says about outcomes; shared by every org built from that scenario."""

    rules: tuple[Rule, ...] = ()
    magic_addresses: bool = True


PolicyCheckpoint = tuple[dict[int, int], object]


class OutcomePolicy:
    """Decides each row's outcome for one org. It owns that org's sequence positions, so tests
    sharing one server never consume each other's sequence, and a reset starts them afresh."""

    def __init__(self, book: RuleBook, org_id: str, rng: RandomSource) -> None:
        self.book = book
        self.org_id = org_id
        self.rng = rng
        self._positions: dict[int, int] = {}
        # True once a test replaced the scenario's rules while the org runs.
        self.replaced = False

    def replace(self, rules: tuple[Rule, ...]) -> None:
        """New rules from the next row on, for this org only; their sequences start afresh."""
        self.book = RuleBook(rules, self.book.magic_addresses)
        self._positions = {}
        self.replaced = True

    def dump_rules(self) -> list[dict[str, Any]] | None:
        """The run-time rules as plain JSON values; None while the scenario's apply."""
        return [rule_record(rule) for rule in self.book.rules] if self.replaced else None

    def restore_rules(self, records: list[dict[str, Any]] | None) -> None:
        """Before `restore`, which brings back the sequence positions."""
        if records is not None:
            self.replace(tuple(rule_from_record(record) for record in records))

    @property
    def magic_addresses(self) -> bool:
        return self.book.magic_addresses

    def decide(self, row: Recipient) -> Decision:
        for index, rule in enumerate(self.book.rules):
            if rule.when.matches(self.org_id, row):
                outcome, why = self._draw(index, rule)
                return Decision(outcome, rule.delays, rule.error_message, why)
        address = address_of(row) or ""
        if self.book.magic_addresses:
            found = magic_outcome(address)
            if found is not None:
                why = Why(WhyKind.MAGIC_ADDRESS,
                          f"{address} is a magic test address: {found[0].value}")
                return Decision(found[0], {}, found[1], why)
        return Decision(Outcome.DELIVERED)

    def _draw(self, index: int, rule: Rule) -> tuple[Outcome, Why]:
        choice = rule.choice
        named = (f"Run-time rule outcomes[{index}]" if rule.source == RUN_TIME else
                 f"Scenario rule outcomes[{index}]" + (f" ({rule.source})" if rule.source else ""))
        if choice.kind is ChoiceKind.FIXED:
            outcome = choice.outcomes[0]
            return outcome, Why(WhyKind.RULE, f"{named} matched: {outcome.value}", rule=index,
                                where=rule.source)
        if choice.kind is ChoiceKind.SEQUENCE:
            position = self._positions.get(index, 0)
            self._positions[index] = position + 1
            step = min(position, len(choice.outcomes) - 1)
            outcome = choice.outcomes[step]
            return outcome, Why(WhyKind.SEQUENCE, f"{named} matched: step {step + 1} of "
                                f"{len(choice.outcomes)} of its sequence, {outcome.value}",
                                step=step + 1, rule=index, where=rule.source)
        cumulative = list(itertools.accumulate(choice.weights))
        drawn = self.rng.chance()
        outcome = choice.outcomes[min(bisect.bisect_right(cumulative, drawn * cumulative[-1]),
                                      len(choice.outcomes) - 1)]
        return outcome, Why(WhyKind.WEIGHTED, f"{named} matched: weighted draw {drawn:.4f} "
                            f"chose {outcome.value}", draw=drawn, rule=index, where=rule.source)

    def checkpoint(self) -> PolicyCheckpoint:
        """Sequence positions and the org's random state, so a refused send leaves no trace."""
        return dict(self._positions), self.rng.random.getstate()

    def restore(self, checkpoint: PolicyCheckpoint) -> None:
        positions, random_state = checkpoint
        self._positions = dict(positions)
        self.rng.random.setstate(random_state)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class MagicAddress:
    pattern: str
    outcome: Outcome
    error_message: str | None
    source: str


# Resend (resend.dev) and Amazon SES's mailbox simulator; their `+label` forms work too.
_EMAIL_TABLE: tuple[tuple[str, str, Outcome, str | None], ...] = (
    ("resend.dev", "delivered", Outcome.DELIVERED, None),
    ("resend.dev", "bounced", Outcome.BOUNCED, None),
    ("resend.dev", "complained", Outcome.COMPLAINED, None),
    ("simulator.amazonses.com", "success", Outcome.DELIVERED, None),
    ("simulator.amazonses.com", "bounce", Outcome.BOUNCED, None),
    ("simulator.amazonses.com", "complaint", Outcome.COMPLAINED, None),
    ("simulator.amazonses.com", "ooto", Outcome.DELIVERED, None),
    ("simulator.amazonses.com", "suppressionlist", Outcome.BOUNCED,
     "bounced: the address is on the provider's suppression list"),
)

# Twilio's test numbers.
_PHONE_TABLE: dict[str, tuple[Outcome, str | None]] = {
    "+15005550001": (Outcome.FAILED, "failed: 21211 invalid 'To' phone number"),
    "+15005550002": (Outcome.FAILED, "failed: 21612 cannot route to this number"),
    "+15005550003": (Outcome.FAILED, "failed: 21408 no permission to send to this region"),
    "+15005550004": (Outcome.FAILED, "failed: 21610 the recipient has blocked messages"),
    "+15005550006": (Outcome.DELIVERED, None),
    "+15005550009": (Outcome.FAILED, "failed: 21614 the number cannot receive SMS"),
}

_OUTCOME_NAMES = {o.value: o for o in Outcome}
_PROVIDER_DOMAINS = frozenset(domain for domain, *_ in _EMAIL_TABLE)


def magic_outcome(address: str) -> tuple[Outcome, str | None] | None:
    """The outcome an email address or phone number asks for by itself, if any."""
    if "@" in address:
        return _email_outcome(address)
    return _PHONE_TABLE.get(normalize_phone(address)) if address else None


def _email_outcome(email: str) -> tuple[Outcome, str | None] | None:
    local, _, domain = email.lower().rpartition("@")
    if domain in _PROVIDER_DOMAINS:
        base = local.partition("+")[0]
        for provider_domain, mailbox, outcome, error in _EMAIL_TABLE:
            if domain == provider_domain and base == mailbox:
                return outcome, error
    # Ours, on any domain: `bounced@x.test`, or a plus-tag `ada+complained@x.test`.
    if local in _OUTCOME_NAMES:
        return _OUTCOME_NAMES[local], None
    tag = local.rpartition("+")[2] if "+" in local else None
    if tag in _OUTCOME_NAMES:
        return _OUTCOME_NAMES[tag], None
    return None


def magic_table() -> list[MagicAddress]:
    rows = [MagicAddress(f"{o.value}@<any domain>", o, None, "emulator") for o in Outcome]
    rows += [MagicAddress(f"<anyone>+{o.value}@<any domain>", o, None, "emulator")
             for o in Outcome]
    rows += [
        MagicAddress(f"{mailbox}[+label]@{domain}", outcome, error,
                     "Resend" if domain == "resend.dev" else "Amazon SES")
        for domain, mailbox, outcome, error in _EMAIL_TABLE
    ]
    rows += [MagicAddress(number, outcome, error, "Twilio")
             for number, (outcome, error) in _PHONE_TABLE.items()]
    return rows
