"""Outcome rules from the scenario: the first rule whose `when` matches a row decides its outcome;
then magic addresses; then `delivered`."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from fnmatch import fnmatchcase

from emulator.domain.delivery import Outcome
from emulator.domain.dispatch import Decision
from emulator.domain.entities import Broadcast, Flag, Recipient, address_of
from emulator.domain.magic import magic_outcome
from emulator.domain.org import Org, normalize_email, normalize_phone


@dataclass(frozen=True, slots=True)
class When:
    email: str | None = None
    phone: str | None = None
    integration_id: str | None = None
    broadcast_id: str | None = None
    template_id: str | None = None
    contact_id: str | None = None
    org_id: str | None = None

    def matches(self, org: Org, row: Recipient) -> bool:
        """Every key given must match; an empty `when` matches every row. Email and phone
        patterns look at the address the row's message goes to."""
        address = address_of(row)
        email = normalize_email(address) if address and "@" in address else None
        phone = normalize_phone(address) if address and "@" not in address else None
        return (
            _glob(self.email, email, normalize_email)
            and _glob(self.phone, phone, normalize_phone)
            and _equal(self.integration_id, row.integration_id.value)
            and _equal(self.broadcast_id, row.broadcast_id)
            and _equal(self.template_id, row.template_id)
            and _equal(self.contact_id, row.contact_id)
            and _equal(self.org_id, org.id)
        )


def _glob(pattern: str | None, value: str | None, normalize: Callable[[str], str]) -> bool:
    if pattern is None:
        return True
    if value is None:
        return False
    return fnmatchcase(value, normalize(pattern))


def _equal(wanted: str | None, actual: str) -> bool:
    return wanted is None or wanted == actual


@dataclass(frozen=True, slots=True)
class Choice:
    """One outcome, a weighted draw, or a sequence whose last entry repeats."""

    kind: str  # "fixed" | "weighted" | "sequence"
    outcomes: tuple[Outcome, ...]
    weights: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class Rule:
    when: When
    choice: Choice
    delays: dict[Flag, timedelta] = field(default_factory=dict)
    error_message: str | None = None


class RulePolicy:
    """Decides each row's outcome. Sequence positions are kept per org, so tests sharing one
    server never consume each other's sequence."""

    def __init__(self, rules: list[Rule], magic_addresses: bool) -> None:
        self.rules = rules
        self.magic_addresses = magic_addresses
        self._positions: dict[tuple[str, int], int] = {}

    def decide(self, org: Org, broadcast: Broadcast, row: Recipient) -> Decision:
        for index, rule in enumerate(self.rules):
            if rule.when.matches(org, row):
                outcome = self._draw(org, index, rule.choice)
                return Decision(outcome, rule.delays, rule.error_message)
        if self.magic_addresses:
            address = address_of(row) or ""
            found = (magic_outcome(address, None) if "@" in address
                     else magic_outcome(None, address or None))
            if found is not None:
                return Decision(found[0], {}, found[1])
        return Decision(Outcome.DELIVERED)

    def _draw(self, org: Org, index: int, choice: Choice) -> Outcome:
        if choice.kind == "fixed":
            return choice.outcomes[0]
        if choice.kind == "sequence":
            key = (org.id, index)
            position = self._positions.get(key, 0)
            self._positions[key] = position + 1
            return choice.outcomes[min(position, len(choice.outcomes) - 1)]
        cumulative = list(itertools.accumulate(choice.weights))
        point = org.rng.chance() * cumulative[-1]
        return choice.outcomes[min(bisect.bisect_right(cumulative, point),
                                   len(choice.outcomes) - 1)]

    def checkpoint(self, org: Org) -> object:
        """Sequence positions and the org's random state, so a refused send leaves no trace."""
        positions = {k: v for k, v in self._positions.items() if k[0] == org.id}
        return positions, org.rng.random.getstate()

    def restore(self, org: Org, checkpoint: object) -> None:
        assert isinstance(checkpoint, tuple)
        positions, random_state = checkpoint
        self.forget(org.id)
        self._positions.update(positions)
        org.rng.random.setstate(random_state)

    def forget(self, org_id: str) -> None:
        for key in [k for k in self._positions if k[0] == org_id]:
            del self._positions[key]
