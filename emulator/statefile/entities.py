"""An org's entities as plain lists: contacts with their channels, segments, broadcasts with
their templates, and recipient rows (saved once, in creation order, and named by id wherever
else they appear, so a restored row is one object everywhere, as it was)."""

from __future__ import annotations

from typing import Any

from emulator.domain.entities import (
    Broadcast,
    BroadcastStatus,
    BroadcastType,
    Channel,
    Contact,
    Integration,
    RecipientStatus,
    Segment,
    Template,
)
from emulator.domain.org import Org, SavedEntities, Suppression
from emulator.domain.outcome import Flag
from emulator.domain.recipient import Recipient
from emulator.domain.rowindex import RowIndex
from emulator.domain.rowlife import index_rows
from emulator.domain.why import Why, WhyKind
from emulator.statefile.codec import Codec, Plain, at, load_all, time_out, time_req

CHANNEL = Codec(Channel, times=("created_at", "updated_at"), enums={"type": Integration})
CONTACT = Codec(Contact, times=("created_at", "updated_at", "blocked_at", "unsubscribed_at"),
                custom={"channels": (lambda chs: [CHANNEL.dump(ch) for ch in chs],
                                     lambda rows: load_all(CHANNEL, rows, "channels"))})
SEGMENT = Codec(Segment, times=("created_at", "updated_at"),
                custom={"contact_ids": (list, dict.fromkeys)})
TEMPLATE = Codec(Template, times=("created_at", "updated_at"),
                 enums={"integration_id": Integration})
WHY = Codec(Why, enums={"kind": WhyKind})
RECIPIENT = Codec(
    Recipient, times=("created_at", "updated_at"),
    enums={"integration_id": Integration, "status": RecipientStatus},
    custom={"flags": (lambda flags: {f: time_out(t) for f, t in flags.items()},
                      lambda flags: {Flag(f): time_req(t) for f, t in flags.items()}),
            "why": (lambda why: None if why is None else WHY.dump(why),
                    lambda data: None if data is None else WHY.load(data))},
)
# `recipients` are row ids, resolved against the org's rows when loading.
BROADCAST = Codec(
    Broadcast, times=("created_at", "updated_at", "scheduled_at", "started_at", "completed_at"),
    enums={"type": BroadcastType, "status": BroadcastStatus},
    custom={"templates": (lambda ts: [TEMPLATE.dump(t) for t in ts],
                          lambda rows: load_all(TEMPLATE, rows, "templates")),
            "recipients": (lambda rows: [row.id for row in rows], list),
            "contact_ids": (sorted, set),
            # Derived from the rows: rebuilt once they are back (`load_entities`).
            "row_index": (lambda index: None, lambda saved: RowIndex())},
)
SUPPRESSION = Codec(Suppression, times=("created_at",))

CODECS: dict[str, Codec[Any]] = {
    "channel": CHANNEL, "contact": CONTACT, "segment": SEGMENT, "template": TEMPLATE,
    "recipient": RECIPIENT, "broadcast": BROADCAST, "suppression": SUPPRESSION, "why": WHY,
}


def dump_entities(org: Org) -> dict[str, Plain]:
    return {
        "contacts": [CONTACT.dump(c) for c in org.contacts.values()],
        "segments": [SEGMENT.dump(s) for s in org.segments.values()],
        "rows": [RECIPIENT.dump(r) for r in org.sent_rows],
        "broadcasts": [BROADCAST.dump(b) for b in org.broadcasts.values()],
        "suppressions": {key: SUPPRESSION.dump(s) for key, s in org.suppressions.items()},
        "email_index": org.email_index,
        "phone_index": org.phone_index,
    }


def load_entities(org: Org, data: dict[str, Plain]) -> dict[str, Recipient]:
    """Fill a fresh org (built without its scenario's `fill`) with the saved entities; returns
    its rows by id, for what else names them."""
    rows_in_order = load_all(RECIPIENT, data["rows"], "rows")
    rows = {row.id: row for row in rows_in_order}
    broadcasts = {}
    for index, record in enumerate(data["broadcasts"]):
        with at("broadcasts", index):
            broadcast = BROADCAST.load(record)
            row_ids: list[Any] = broadcast.recipients
            broadcast.recipients = [rows[row_id] for row_id in row_ids]
            index_rows(broadcast)
            broadcasts[broadcast.id] = broadcast
    with at("suppressions"):
        suppressions = {key: SUPPRESSION.load(r) for key, r in data["suppressions"].items()}
    with at("email_index"):
        email_index = _addresses(data["email_index"])
    with at("phone_index"):
        phone_index = _addresses(data["phone_index"])
    org.restore(SavedEntities(
        contacts={c.id: c for c in load_all(CONTACT, data["contacts"], "contacts")},
        segments={s.id: s for s in load_all(SEGMENT, data["segments"], "segments")},
        broadcasts=broadcasts, suppressions=suppressions, sent_rows=rows_in_order,
        email_index=email_index, phone_index=phone_index))
    return rows


def _addresses(saved: Any) -> dict[str, str]:
    if not (isinstance(saved, dict)
            and all(isinstance(v, str) for v in saved.values())):
        raise ValueError("an address index is an object of contact ids")
    return dict(saved)
