"""Turns the scenario's `outcomes:` entries into the domain's outcome rules."""

from __future__ import annotations

from datetime import timedelta

from emulator.domain.delivery import Outcome
from emulator.domain.entities import Flag
from emulator.domain.outcomes import Choice, Rule, When
from emulator.scenario.schema import OutcomeRuleSpec, TimingSpec


def build_rules(specs: list[OutcomeRuleSpec]) -> list[Rule]:
    return [
        Rule(
            when=When(
                email=spec.when.email, phone=spec.when.phone,
                integration_id=spec.when.integration_id.value if spec.when.integration_id else None,
                broadcast_id=spec.when.broadcast_id, template_id=spec.when.template_id,
                contact_id=spec.when.contact_id, org_id=spec.when.org_id,
            ),
            choice=_choice(spec.outcome),
            delays=_delays(spec.timing),
            error_message=spec.error_message,
        )
        for spec in specs
    ]


def _choice(outcome: object) -> Choice:
    if isinstance(outcome, str):
        return Choice("fixed", (Outcome(outcome),))
    if isinstance(outcome, list):
        return Choice("sequence", tuple(Outcome(o) for o in outcome))
    assert isinstance(outcome, dict)
    return Choice("weighted", tuple(Outcome(o) for o in outcome),
                  tuple(float(w) for w in outcome.values()))


def _delays(timing: TimingSpec) -> dict[Flag, timedelta]:
    delays: dict[Flag, timedelta] = {}
    for name, seconds in timing.model_dump().items():
        if seconds is not None:
            delays[Flag("is_" + name.removesuffix("_after"))] = timedelta(seconds=seconds)
    return delays
