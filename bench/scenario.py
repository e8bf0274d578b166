"""The scenario every benchmark runs on: a small org with 20 broadcasts (one of them the
2-template transactional broadcast the sends hit) and a big org whose marketing campaign
becomes the 200,000-row recipients list (100,000 generated contacts x 2 templates)."""

from __future__ import annotations

from pathlib import Path

SMALL_ORG = "org_bench"
SMALL_KEY = "bench_key"
BIG_ORG = "org_big"
BIG_KEY = "bench_key_big"
SEND_BROADCAST = "bc_otp"
CAMPAIGN = "bc_launch"
BROADCASTS = 20

SMALL_ORG_YAML = """
  - id: org_bench
    name: Bench
    api_keys: [bench_key]
    segments:
      - {id: seg_vip, name: VIP, color: violet}
    broadcasts:
      - id: bc_otp
        name: OTP
        type: TRANSACTIONAL
        status: ACTIVE
        properties: {otp: "000000"}
        templates:
          - {id: tpl_mail, integration_id: gmail, config: {subject: Code, body: "{{otp}}"}}
          - {id: tpl_sms, integration_id: twilio, config: {body: "{{otp}}"}}
"""

MARKETING_BROADCAST_YAML = """
      - id: bc_news_{index:02d}
        name: Newsletter {index}
        type: MARKETING
        status: DRAFT
        segment_ids: [seg_vip]
        scheduled_at: "2026-02-{day:02d}T09:00:00Z"
        templates:
          - id: tpl_news_{index:02d}
            integration_id: gmail
            config: {{subject: "News {index}", body: "Hi {{{{first_name}}}}"}}
"""

BIG_ORG_YAML = """
  - id: org_big
    name: Big Co
    api_keys: [bench_key_big]
    segments:
      - {{id: seg_vip, name: VIP, color: amber}}
    generate:
      count: {contacts}
      segments: {{seg_vip: 0.25}}
    broadcasts:
      - id: bc_launch
        name: Product launch
        type: MARKETING
        status: DRAFT
        send_to_all: true
        templates:
          - id: tpl_launch_email
            integration_id: gmail
            config: {{subject: "It's here", body: "Hi {{{{first_name}}}} from {{{{city}}}}"}}
          - id: tpl_launch_sms
            integration_id: twilio
            config: {{body: "{{{{first_name}}}}, it's here"}}
"""


def scenario_text(contacts: int) -> str:
    """The YAML; `contacts` = 0 leaves the big org out (for runs that only need the small one)."""
    head = ("seed: 2026\nclock: {mode: virtual, start: \"2026-01-05T09:00:00Z\"}\n"
            "rate_limits: {send: null}\norgs:")
    marketing = "".join(MARKETING_BROADCAST_YAML.format(index=i, day=i)
                        for i in range(1, BROADCASTS))
    big = BIG_ORG_YAML.format(contacts=contacts) if contacts else ""
    return head + SMALL_ORG_YAML + marketing + big


def write_scenario(folder: Path, contacts: int) -> Path:
    path = folder / f"bench-{contacts}.yaml"
    path.write_text(scenario_text(contacts))
    return path
