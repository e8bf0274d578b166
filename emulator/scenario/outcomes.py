"""Turns the scenario's `outcomes:` entries and `magic_addresses` into the domain's rule book."""

from __future__ import annotations

from datetime import timedelta

from emulator.domain.outcome import TIMING_KEYS, Flag, Outcome
from emulator.domain.rules import Choice, ChoiceKind, Rule, RuleBook, When
from emulator.scenario.schema import OutcomeRuleSpec, ScenarioSpec, TimingSpec


def rule_book(spec: ScenarioSpec) -> RuleBook:
    sources = spec._rule_sources or [None] * len(spec.outcomes)
    return RuleBook(tuple(_rule(rule, source) for rule, source in zip(spec.outcomes, sources,
                                                                       strict=True)),
                    spec.magic_addresses)


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
