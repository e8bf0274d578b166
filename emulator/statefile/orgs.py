"""One org's state as plain JSON values, beyond its entities: clock, random stream, outcome
sequence positions, rate-limit windows, webhook deliveries, timed events and marketing jobs."""

from __future__ import annotations

import base64
from typing import Any

from emulator.domain.entities import Broadcast, Recipient
from emulator.domain.marketing import SendJob, SendStart
from emulator.domain.org import Blueprint, Listener, Org, Timed
from emulator.domain.outcome import Flag
from emulator.domain.rowlife import FlagDue, SkipDue
from emulator.domain.webhooks import Attempt, DeliveryState, WebhookDelivery
from emulator.statefile.codec import (
    Codec,
    Plain,
    at,
    load_all,
    time_in,
    time_out,
    time_req,
    whole,
)
from emulator.statefile.entities import dump_entities, load_entities
from emulator.support.clock import Clock, VirtualClock
from emulator.support.rng import checked_state

ATTEMPT = Codec(Attempt, times=("at",))
DELIVERY = Codec(
    WebhookDelivery, times=("due",), enums={"state": DeliveryState},
    custom={"body": (lambda body: base64.b64encode(body).decode("ascii"), base64.b64decode),
            "attempts": (lambda attempts: [ATTEMPT.dump(a) for a in attempts],
                         lambda rows: [ATTEMPT.load(r) for r in rows])},
)


def dump_org(org: Org) -> dict[str, Plain]:
    positions, random_state = org.policy.checkpoint()
    send_hits, general_hits = org.limits.windows()
    return {
        "id": org.id,
        "from_scenario": org.blueprint.from_scenario,
        "recipe": org.blueprint.recipe,
        "blueprint_keys": (list(org.blueprint.api_keys)
                           if org.blueprint.api_keys is not None else None),
        "api_keys": list(org.api_keys),
        "clock": time_out(org.clock.now()) if isinstance(org.clock, VirtualClock) else None,
        "random": random_state,
        "positions": [[index, position] for index, position in positions.items()],
        "run_time_rules": org.policy.dump_rules(),
        "run_time_faults": org.faults.dump(),
        "limits": {"send": _times_out(send_hits),
                   "general": {key: _times_out(hits) for key, hits in general_hits.items()}},
        "webhooks": _dump_webhooks(org),
        "scheduler": {"next_sequence": org.scheduler.next_sequence,
                      "entries": [[time_out(due), sequence, *_dump_timed(entry)]
                                  for due, sequence, entry in org.scheduler.entries()]},
        "jobs": [_dump_job(job) for job in org.jobs],
        "hidden": org.hidden.dump(),
        **dump_entities(org),
    }


def load_org(data: dict[str, Plain], blueprint: Blueprint, shared_clock: Clock,
             listeners: list[Listener]) -> Org:
    """The saved org, on its own virtual clock at the saved moment or on the shared clock."""
    with at("clock"):
        saved_now = time_in(data["clock"])
    clock = VirtualClock(saved_now) if saved_now is not None else shared_clock
    org = Org(blueprint, clock, listeners)  # not populated: the entities come from the file
    with at("api_keys"):
        api_keys = [_text(key) for key in data["api_keys"]]
    # Rules and faults added at run time (absent from files written by 0.2.0).
    with at("run_time_rules"):
        org.policy.restore_rules(data.get("run_time_rules"))
    if "run_time_faults" in data:
        with at("run_time_faults"):
            org.faults.restore(data["run_time_faults"])
    with at("random"):
        random_state = checked_state(data["random"])
    with at("positions"):
        positions = {whole(i): whole(p) for i, p in data["positions"]}
    org.policy.restore((positions, random_state))
    with at("limits"):
        limits = data["limits"]
        org.limits.restore(_times_in(limits["send"]) if limits["send"] is not None else None,
                           {_text(key): _times_in(hits)
                            for key, hits in limits["general"].items()})
    rows = load_entities(org, data)
    with at("webhooks"):
        _load_webhooks(org, data["webhooks"])
    with at("scheduler"):
        scheduler = data["scheduler"]
        org.scheduler.restore(
            [(time_req(due), whole(sequence), _load_timed(org, rows, kind, args))
             for due, sequence, kind, *args in scheduler["entries"]],
            whole(scheduler["next_sequence"]))
    with at("jobs"):
        jobs = [_load_job(org, record) for record in data["jobs"]]
    org.resume(api_keys, jobs)
    if "hidden" in data:  # files of 0.2.0 hid nothing
        with at("hidden"):
            org.hidden.restore(data["hidden"])
    return org


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a string")
    return value


def _times_out(hits: list[Any] | None) -> list[str] | None:
    return None if hits is None else [hit.isoformat() for hit in hits]


def _times_in(hits: list[str]) -> list[Any]:
    return [time_req(hit) for hit in hits]


def _dump_webhooks(org: Org) -> dict[str, Plain]:
    """Each delivery once (a waiting one is in the log too, unless the log let it go)."""
    log, waiting = org.webhooks.state()
    deliveries = {d.id: d for d in (*log, *waiting)}
    return {"deliveries": [DELIVERY.dump(d) for d in deliveries.values()],
            "log": [d.id for d in log], "pending": [d.id for d in waiting]}


def _load_webhooks(org: Org, data: dict[str, Plain]) -> None:
    deliveries = {d.id: d for d in load_all(DELIVERY, data["deliveries"], "deliveries")}
    org.webhooks.restore([deliveries[i] for i in data["log"]],
                         [deliveries[i] for i in data["pending"]])


def _dump_timed(entry: Timed) -> list[Plain]:
    if isinstance(entry, FlagDue):
        return ["flag", entry.broadcast.id, entry.row.id, entry.flag.value, entry.is_last,
                entry.error, entry.generation]
    if isinstance(entry, SkipDue):
        return ["skip", entry.broadcast.id, entry.row.id, entry.reason]
    if isinstance(entry, SendStart):
        return ["start", entry.broadcast.id, entry.generation]
    raise TypeError(f"a state file cannot hold a {type(entry).__name__} scheduler entry")


def _load_timed(org: Org, rows: dict[str, Recipient], kind: str, args: list[Plain]) -> Timed:
    broadcast: Broadcast = org.broadcasts[args[0]]
    if kind == "flag":
        _, row_id, flag, is_last, error, generation = args
        return FlagDue(broadcast, rows[row_id], Flag(flag), bool(is_last), error,
                       whole(generation))
    if kind == "skip":
        return SkipDue(broadcast, rows[args[1]], str(args[2]))
    if kind == "start":
        return SendStart(broadcast, whole(args[1]))
    raise ValueError(f"unknown scheduler entry kind {kind!r}")


def _dump_job(job: object) -> list[Plain]:
    if not isinstance(job, SendJob):
        raise TypeError(f"a state file cannot hold a {type(job).__name__} job")
    return [job.broadcast.id, time_out(job.started_at), job.contact_ids, job.cursor]


def _load_job(org: Org, record: list[Plain]) -> SendJob:
    broadcast_id, started_at, contact_ids, cursor = record
    return SendJob(org.broadcasts[broadcast_id], time_req(started_at), list(contact_ids),
                   whole(cursor))
