"""The whole running emulator as one JSON document and back: the loaded scenario (so blueprints,
and with them resets, work after a restore), every org in order, the runtime-org id stream, the
request journal, fault counters and the webhook log's sequence."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from emulator.journal import Entry
from emulator.scenario.blueprint import NewOrg, runtime_blueprint, scenario_blueprints
from emulator.scenario.load import load_scenario_json
from emulator.scenario.schema import ScenarioSpec
from emulator.service import Emulator
from emulator.statefile.codec import Codec, FieldError, Plain, at, load_all, time_req, whole
from emulator.statefile.entities import CODECS
from emulator.statefile.orgs import ATTEMPT, DELIVERY, dump_org, load_org
from emulator.support.clock import Clock
from emulator.support.version import __version__
from emulator.webhooks import RowRenderer

FORMAT_NAME = "invent-emulator state"
# Bump when the layout changes; a file of a newer version is refused, never overwritten.
FORMAT_VERSION = 1

ENTRY = Codec(Entry, times=("at",),
              custom={"body": (lambda body: base64.b64encode(body).decode("ascii"),
                               base64.b64decode)})
ALL_CODECS: dict[str, Codec[Any]] = {**CODECS, "attempt": ATTEMPT, "delivery": DELIVERY,
                                     "journal_entry": ENTRY}


def record_layout() -> dict[str, list[str]]:
    """Each record kind's fields, in the order records list them."""
    return {kind: list(codec.names) for kind, codec in ALL_CODECS.items()}


def dump_emulator(emulator: Emulator, saved_at: datetime) -> dict[str, Plain]:
    registry = emulator.registry
    entries, next_id = emulator.journal.state()
    seen, fault_random = emulator.faults.state()
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "written_by": f"invent-emulator {__version__}",
        "saved_at": saved_at.isoformat(),
        "records": record_layout(),
        "scenario": registry.spec.model_dump(mode="json"),
        # Where each outcome rule stood in its file (`why` names it): the rules' `source`,
        # which the scenario's dump leaves out (it is no key).
        "rule_sources": registry.spec.rule_sources,
        "runtime_org_ids": registry.new_org_ids.state(),
        "orgs": [dump_org(org) for org in registry.orgs.values()],
        "journal": {"next_id": next_id, "entries": [ENTRY.dump(e) for e in entries]},
        "faults": {"seen": seen, "random": fault_random},
        "webhooks_next_sequence": emulator.webhooks.next_sequence,
    }


def load_emulator(data: dict[str, Plain], clock: Clock, render_row: RowRenderer) -> Emulator:
    """An emulator exactly as `dump_emulator` saw it; raises FieldError naming the field of a
    document that does not hold up."""
    with at("records"):
        if data["records"] != record_layout():
            raise ValueError("its records have other fields than this version writes")
    with at("scenario"):
        spec = load_scenario_json(data["scenario"], "<the state file's scenario>")
    with at("rule_sources"):
        spec = spec.located(_rule_sources(data["rule_sources"]))
    emulator = Emulator(spec, clock, render_row, build_orgs=False)
    registry = emulator.registry
    with at("runtime_org_ids"):
        registry.new_org_ids.restore(data["runtime_org_ids"])
    scenario_plans = {plan.org_id: plan for plan in scenario_blueprints(spec)}
    orgs = []
    for index, saved in enumerate(data["orgs"]):
        with at("orgs", index):
            if saved["from_scenario"]:
                plan = scenario_plans[saved["id"]]
            else:
                with at("recipe"):
                    plan = runtime_blueprint(spec, _new_org(saved["recipe"]), saved["id"],
                                             saved["blueprint_keys"][0])
            orgs.append(load_org(saved, plan, clock, registry.listeners))
    _check_parents(orgs)
    registry.install(spec, {org.id: org for org in orgs})
    with at("journal"):
        journal = data["journal"]
        emulator.journal.restore(load_all(ENTRY, journal["entries"], "entries"),
                                 whole(journal["next_id"]))
    with at("faults"):
        faults = data["faults"]
        emulator.faults.restore([whole(seen) for seen in faults["seen"]], faults["random"])
    with at("webhooks_next_sequence"):
        emulator.webhooks.restore(whole(data["webhooks_next_sequence"]))
    return emulator


def _rule_sources(saved: Plain) -> list[str | None]:
    if not isinstance(saved, list):
        raise ValueError("rule sources are a list of strings or nulls")
    return saved


def _check_parents(orgs: list[Any]) -> None:
    """Every parent an org names is an org of the file."""
    ids = {org.id for org in orgs}
    for index, org in enumerate(orgs):
        parent = org.blueprint.parent_id
        if parent is not None and parent not in ids:
            raise FieldError(["orgs", index, "recipe", "parent"],
                             f"no org {parent!r} in the state file")


def _new_org(recipe: dict[str, Plain]) -> NewOrg:
    scenario: ScenarioSpec | None = None
    if recipe["scenario"] is not None:
        with at("scenario"):
            scenario = load_scenario_json(recipe["scenario"], "<a runtime org's scenario>")
        with at("rule_sources"):
            scenario = scenario.located(_rule_sources(recipe["rule_sources"]))
    start = recipe["clock_start"]
    return NewOrg(name=recipe["name"], parent=recipe["parent"], copy_of=recipe["copy_of"],
                  scenario=scenario, scenario_org=recipe["scenario_org"],
                  clock_mode=recipe["clock_mode"],
                  clock_start=time_req(start) if start is not None else None)
