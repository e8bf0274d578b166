"""A marketing send makes its plain rows (an address, no rule, nothing magic, nobody listening)
in runs (emulator/domain/sendslice.py), and every other row one flag at a time. The runs must
change nothing: a twin of the scenario whose one rule matches no row makes every row the
general way, and every answer about the sends (rows and their ids, filters, broadcasts and
their counters, contacts, suppressions, the outbox) is the same byte for byte."""

from __future__ import annotations

import pytest
from support.language import Emu, open_emulator
from support.marketing import HEADER

pytestmark = pytest.mark.anyio

# Plain contacts between the ones each template treats otherwise: blocked, unsubscribed, no
# address for a template, magic addresses (a bounce suppresses its address, so the second send
# skips it), a magic unsubscribe and complaint.
SPECIAL = [
    "{id: ct_blk, name: Blk, email: blk@example.test, phone: '+15550100101', blocked: true}",
    "{id: ct_uns, name: Uns, email: uns@example.test, unsubscribed: true}",
    "{id: ct_cus, name: Cus, channels: [{type: custom, user_id: cus-1}]}",
    "{id: ct_bnc, name: Bnc, email: bounced@example.test, phone: '+15005550001'}",
    "{id: ct_oot, name: Oot, email: OOTO@simulator.amazonses.com}",
    "{id: ct_plus, name: Plus, email: plus+unsubscribed@example.test, phone: '+15550100106'}",
    "{id: ct_cmp, name: Cmp, email: cmp+complained@example.test}",
    "{id: ct_ses, name: Ses, email: success@simulator.amazonses.com}",
    "{id: ct_ph, name: Ph, phone: '+15550100109'}",
]


def _scenario(*, general: bool) -> str:
    contacts = []
    for index in range(60):
        contacts.append(f"{{id: ct_{index:02d}, name: C{index}, email: c{index}@example.test, "
                        f"phone: '+1555020{index:04d}'}}")
        if index % 6 == 5 and index // 6 < len(SPECIAL):
            contacts.append(SPECIAL[index // 6])
    rule = """
outcomes:
  - when: {email: "nobody@nowhere.test"}
    outcome: failed
""" if general else ""
    items = "".join(f"\n      - {contact}" for contact in contacts)
    templates = """
        templates:
          - {id: tpl_mail_%s, integration_id: gmail, config: {subject: Hi, body: Hi}}
          - {id: tpl_sms_%s, integration_id: twilio, config: {body: Hi}}"""
    custom = "\n          - {id: tpl_cus, integration_id: custom, config: {body: Hi}}"
    return HEADER + f"""
orgs:
  - id: org_m
    api_keys: [key_m]
    contacts:{items}
    broadcasts:
      - id: bc_one
        name: One
        type: MARKETING
        status: DRAFT
        send_to_all: true{templates % ("1", "1")}{custom}
      - id: bc_two
        name: Two
        type: MARKETING
        status: DRAFT
        send_to_all: true{templates % ("2", "2")}
{rule}"""


async def _answers(emu: Emu) -> list[tuple[str, int, bytes]]:
    answers: list[tuple[str, int, bytes]] = []

    async def read(path: str, **params: str | int) -> None:
        response = await emu.http.get(path, params=params)
        answers.append((f"{path} {params}", response.status_code, response.content))

    for broadcast in ("bc_one", "bc_two"):
        response = await emu.http.post(f"/orgs/c/broadcasts/{broadcast}/send")
        assert response.status_code == 200, response.text
        for page in (1, 2, 3, 4):
            await read(f"/orgs/c/broadcasts/{broadcast}/recipients", take=100, page=page)
        for flag in ("is_delivered", "is_skipped", "is_failed", "is_sent"):
            for wanted in ("true", "false"):
                await read(f"/orgs/c/broadcasts/{broadcast}/recipients", take=20, page=2,
                           **{flag: wanted})
        await read(f"/_emulator/orgs/org_m/broadcasts/{broadcast}")
    await read("/orgs/c/broadcasts")
    await read("/orgs/c/contacts", take=100)
    await read("/_emulator/suppressions", org_id="org_m")
    await read("/_emulator/messages", org_id="org_m", take=100, page=3)
    return answers


async def test_plain_rows_in_runs_answer_like_rows_made_one_by_one() -> None:
    async with open_emulator(_scenario(general=False), "key_m") as emu:
        runs = await _answers(emu)
    async with open_emulator(_scenario(general=True), "key_m") as emu:
        general = await _answers(emu)
    assert [a[:2] for a in runs if a[1] != 200] == []
    for ours, theirs in zip(runs, general, strict=True):
        assert ours == theirs, ours[0]
    # The scenario does reach both ways: skipped, bounced and delivered rows in each send.
    rows = b"".join(body for _, _, body in runs)
    for text in (b'"is_skipped":true', b'"is_bounced":true', b'"is_delivered":true',
                 b"suppressed", b"Contact is blocked"):
        assert text in rows, text

