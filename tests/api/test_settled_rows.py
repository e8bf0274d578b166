"""A transactional send's row whose whole outcome happens at the moment it is made (a plain
delivery, an instant rule or magic outcome, a skipped template) is settled in one step while
nobody listens (emulator/domain/rowlife.py, `_settle_at_once`), and one flag at a time while
someone does. The one step must change nothing: the same sends to a served twin whose event
stream was opened (so every row goes the general way) answer the same, byte for byte, and so
do the rows, the broadcast with its counters, the contacts, suppressions and the outbox."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
from support.marketing import HEADER

from emulator import create_app
from emulator.scenario.load import load_scenario_text
from emulator.testing.threaded import ThreadedServer

SCENARIO = HEADER + """
orgs:
  - id: org_t
    api_keys: [key_t]
    contacts:
      - {id: ct_blk, name: Blk, email: blk@example.test, blocked: true}
      - {id: ct_ph, name: Ph, phone: '+15550100109'}
    broadcasts:
      - id: bc_otp
        name: OTP
        type: TRANSACTIONAL
        status: ACTIVE
        properties: {otp: "000000"}
        templates:
          - {id: tpl_mail, integration_id: gmail, config: {subject: Code, body: "{{otp}}"}}
          - {id: tpl_sms, integration_id: twilio, config: {body: "{{otp}}"}}
outcomes:
  - when: {email: "ruled@example.test"}
    outcome: failed
  - when: {email: "later@example.test"}
    outcome: delivered
    timing: {delivered_after: 30s}
"""

SENDS: list[dict[str, object]] = [
    {"email": "ada@example.test", "variables": {"otp": "123456"}},
    {"email": "ada@example.test", "phone": "+15550100201"},
    {"email": "ruled@example.test"},
    {"email": "later@example.test"},
    {"email": "opened@example.org"},
    {"email": "bounced@x.test"},
    {"email": "bounced@x.test"},  # suppressed now: skipped
    {"email": "ada+unsubscribed@x.test"},
    {"contact_id": "ct_ph"},
    {"contact_id": "ct_blk"},  # refused: blocked
    {"email": "grace@example.test", "template_ids": ["tpl_sms"]},
    {"email": "bob@example.test", "background": True},
]


def _answers(url: str) -> Iterator[tuple[str, int, bytes]]:
    with httpx.Client(base_url=url, timeout=10,
                      headers={"Authorization": "Bearer key_t"}) as http:
        for body in SENDS:
            response = http.post("/orgs/c/broadcasts/bc_otp/send", json=body)
            yield f"send {body}", response.status_code, response.content
        advanced = http.post("/_emulator/clock/advance", json={"seconds": 60})
        yield "advance", advanced.status_code, advanced.content
        reads: tuple[tuple[str, dict[str, str | int]], ...] = (
                ("/orgs/c/broadcasts/bc_otp/recipients", {"take": 100}),
                ("/orgs/c/broadcasts/bc_otp/recipients", {"take": 100, "is_delivered": "true"}),
                ("/orgs/c/broadcasts/bc_otp/recipients", {"take": 100, "is_skipped": "true"}),
                ("/orgs/c/broadcasts/bc_otp/recipients", {"take": 100, "is_failed": "false"}),
                ("/_emulator/orgs/org_t/broadcasts/bc_otp", {}),
                ("/orgs/c/contacts", {"take": 100}),
                ("/_emulator/suppressions", {"org_id": "org_t"}),
                ("/_emulator/messages", {"org_id": "org_t", "take": 100}))
        for path, params in reads:
            response = http.get(path, params=params)
            yield f"{path} {params}", response.status_code, response.content


def _run(*, listened: bool) -> list[tuple[str, int, bytes]]:
    server = ThreadedServer(create_app(scenario=load_scenario_text(SCENARIO, "t.yaml"))).start()
    try:
        if listened:
            # An event stream opened once: from then on the server keeps its events, so every
            # row is played flag by flag.
            with httpx.Client(base_url=server.url, timeout=10) as http, \
                    http.stream("GET", "/_emulator/events") as stream:
                next(stream.iter_lines())
        return list(_answers(server.url))
    finally:
        server.stop()


def test_rows_settled_at_once_answer_like_rows_played_flag_by_flag() -> None:
    quiet = _run(listened=False)
    listened = _run(listened=True)
    for ours, theirs in zip(quiet, listened, strict=True):
        assert ours == theirs, ours[0]
    statuses = {name: status for name, status, _ in quiet}
    assert statuses["send {'contact_id': 'ct_blk'}"] == 400
    rows = b"".join(body for _, _, body in quiet)
    for text in (b'"is_skipped":true', b'"is_failed":true', b'"is_bounced":true',
                 b'"is_opened":true', b'"is_unsubscribed":true', b"suppressed",
                 b'"is_delivered":true'):
        assert text in rows, text
