"""Why a row got its outcome: recorded when the outcome is decided, shown by the control surface's
row lookup, the outbox and the inbox UI."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class WhyKind(StrEnum):
    """What decided a row's outcome."""

    RULE = "rule"  # a scenario rule with one fixed outcome
    SEQUENCE = "sequence"  # a step of a scenario rule's sequence
    WEIGHTED = "weighted"  # a weighted draw of a scenario rule
    MAGIC_ADDRESS = "magic_address"
    SUPPRESSED = "suppressed"  # the address is on the org's suppression list
    SKIPPED = "skipped"  # blocked, unsubscribed, or no address for the template
    DEFAULT = "default"  # nothing matched: delivered


@dataclass(frozen=True, slots=True)
class Why:
    """Why a row got its outcome, in one sentence and in parts a test can assert on."""

    kind: WhyKind
    summary: str
    rule: int | None = None  # index in the scenario's `outcomes`
    where: str | None = None  # `file:line` of that rule, when the scenario came from a file
    step: int | None = None  # 1-based step of a sequence
    draw: float | None = None  # the drawn point of a weighted choice, from 0 to 1


DEFAULT_WHY = Why(WhyKind.DEFAULT, "No scenario rule or magic address matched: delivered "
                                   "(the default)")
