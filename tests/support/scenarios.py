"""Scenario texts the HTTP tests build apps from (with conftest's `app_from_yaml`)."""

from __future__ import annotations

# Two unrelated orgs, and a sub-org of the first. Every org has a ready transactional broadcast,
# a contact and an explicit channel, so each can be addressed from the others.
TWO_ORGS = """
orgs:
  - id: org_a
    name: A
    api_keys: [key_a]
    contacts:
      - id: ct_a
        name: Alice
        email: alice@example.test
        channels:
          - {id: ch_a_wa, type: whatsapp_bot, user_id: "+15550000011", phone: "+15550000011"}
    broadcasts:
      - id: bc_a
        name: A transactional
        type: TRANSACTIONAL
        status: ACTIVE
        templates:
          - {id: tpl_a, integration_id: gmail, config: {subject: A, body: hello}}
  - id: org_b
    name: B
    api_keys: [key_b]
    contacts:
      - id: ct_b
        name: Bert
        email: bert@example.test
        channels:
          - {id: ch_b_wa, type: whatsapp_bot, user_id: "+15550000022", phone: "+15550000022"}
    broadcasts:
      - id: bc_b
        name: B transactional
        type: TRANSACTIONAL
        status: ACTIVE
        templates:
          - {id: tpl_b, integration_id: gmail, config: {subject: B, body: hello}}
  - id: org_a_sub
    name: A's sub-org
    parent: org_a
    api_keys: [key_sub]
    contacts:
      - id: ct_sub
        name: Sue
        email: sue@example.test
    broadcasts:
      - id: bc_sub
        name: Sub transactional
        type: TRANSACTIONAL
        status: ACTIVE
        templates:
          - {id: tpl_sub, integration_id: gmail, config: {subject: S, body: hello}}
"""

# One org whose broadcast has a template on each kind of integration, and contacts reachable on
# different subsets of them.
CHANNELS = """
orgs:
  - id: org_s
    api_keys: [key_s]
    contacts:
      - id: ct_full
        name: Full Contact
        email: full@example.test
        phone: "+15550001001"
        channels:
          - {id: ch_full_tg, type: telegram_bot, user_id: "tg-1001", username: fullbot}
      - id: ct_mail
        name: Mail Only
        email: mail@example.test
      - id: ct_phone
        name: Phone Only
        phone: "+15550001002"
      - id: ct_wa
        name: WhatsApp Only
        channels:
          - {id: ch_wa, type: whatsapp_bot, user_id: "+15550001003", phone: "+15550001003"}
    broadcasts:
      - id: bc_all
        name: Every channel
        type: TRANSACTIONAL
        status: ACTIVE
        templates:
          - {id: t_gmail, integration_id: gmail, config: {subject: s, body: b}}
          - {id: t_twilio, integration_id: twilio, config: {body: b}}
          - {id: t_telnyx, integration_id: telnyx, config: {body: b}}
          - {id: t_wa, integration_id: whatsapp_bot, config: {body: b}}
          - {id: t_tg, integration_id: telegram_bot, config: {body: b}}
          - {id: t_slack, integration_id: slack_bot, config: {body: b}}
"""


def slow_send(delay: str) -> str:
    """One transactional broadcast whose sends a fault delays by `delay` (e.g. "2s"): a request
    that is still being answered when a test stops the server."""
    return f"""\
seed: 1
faults:
  - when: {{method: POST, path: "/orgs/*/broadcasts/*/send"}}
    delay: {delay}
orgs:
  - id: org_slow
    api_keys: [key_slow]
    broadcasts:
      - id: bc_slow
        name: Slow
        type: TRANSACTIONAL
        status: ACTIVE
        templates:
          - {{id: tpl_slow, integration_id: gmail, config: {{subject: Hi}}}}
"""


def webhook_orgs(orgs: tuple[str, ...], hooks: list[str]) -> str:
    """Orgs (each with key `key_<org>` and a transactional `bc_w`) on a virtual clock, sending
    `recipient.sent` to each webhook entry in `hooks` (YAML flow mappings)."""
    made = "".join(f"""
  - id: {org}
    api_keys: [key_{org}]
    broadcasts:
      - id: bc_w
        name: W
        type: TRANSACTIONAL
        status: ACTIVE
        templates: [{{id: tpl_w, integration_id: gmail}}]""" for org in orgs)
    listed = "".join(f"\n  - {hook}" for hook in hooks)
    return (f'clock: {{mode: virtual, start: "2026-01-01T00:00:00Z"}}\norgs:{made}\n'
            f"webhooks:{listed}\n")
