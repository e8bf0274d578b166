"""Turns the scenario's `outcomes:` entries and `magic_addresses` into the domain's rule book,
and rules back into that shape (GET /_emulator/orgs/{id}/outcomes, export)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from emulator.domain.outcome import TIMING_KEYS, Flag, Outcome
from emulator.domain.rules import RUN_TIME, Choice, ChoiceKind, Rule, RuleBook, When

if TYPE_CHECKING:
    from emulator.scenario.schema import OutcomeRuleSpec, ScenarioSpec, TimingSpec

# A `when:`'s keys in the scenario's order (WhenSpec's fields, the domain's `When` alike).
_WHEN_KEYS = tuple(field.name for field in dataclasses.fields(When))


def rule_book(spec: ScenarioSpec) -> RuleBook:
    return RuleBook(tuple(_rule(rule, rule.source) for rule in spec.outcomes),
                    spec.magic_addresses)


def run_time_rules(specs: list[OutcomeRuleSpec]) -> tuple[Rule, ...]:
    """Rules a test sets while the org runs: a row's `why` says they came from "run time"."""
    return tuple(_rule(spec, RUN_TIME) for spec in specs)


def rule_shape(rule: Rule) -> dict[str, Any]:
    """One rule in the scenario's `outcomes:` shape (only the keys it sets)."""
    shape: dict[str, Any] = {}
    when = {k: getattr(rule.when, k) for k in _WHEN_KEYS
            if getattr(rule.when, k) is not None}
    if when:
        shape["when"] = when
    choice = rule.choice
    if choice.kind is ChoiceKind.FIXED:
        shape["outcome"] = choice.outcomes[0].value
    elif choice.kind is ChoiceKind.SEQUENCE:
        shape["outcome"] = [o.value for o in choice.outcomes]
    else:
        shape["outcome"] = {o.value: w for o, w in zip(choice.outcomes, choice.weights,
                                                        strict=True)}
    timing = {key: rule.delays[flag].total_seconds() for key, flag in TIMING_KEYS.items()
              if flag in rule.delays}
    if timing:
        shape["timing"] = timing
    if rule.error_message is not None:
        shape["error_message"] = rule.error_message
    return shape


def _rule(spec: OutcomeRuleSpec, source: str | None) -> Rule:
    when = spec.when
    return Rule(
        when=When(
            email=when.email, phone=when.phone,
            integration_id=when.integration_id.value if when.integration_id else None,
            broadcast_id=when.broadcast_id, template_id=when.template_id,
            contact_id=when.contact_id, org_id=when.org_id,
        ),
        choice=_choice(spec.outcome),
        delays=_delays(spec.timing),
        error_message=spec.error_message,
        source=source,
    )


def _choice(outcome: object) -> Choice:
    if isinstance(outcome, str):
        return Choice(ChoiceKind.FIXED, (Outcome(outcome),))
    if isinstance(outcome, list):
        return Choice(ChoiceKind.SEQUENCE, tuple(Outcome(o) for o in outcome))
    assert isinstance(outcome, dict)
    return Choice(ChoiceKind.WEIGHTED, tuple(Outcome(o) for o in outcome),
                  tuple(float(w) for w in outcome.values()))


def _delays(timing: TimingSpec) -> dict[Flag, timedelta]:
    delays: dict[Flag, timedelta] = {}
    for name, seconds in timing.model_dump().items():
        if seconds is not None:
            delays[TIMING_KEYS[name]] = timedelta(seconds=seconds)
    return delays
