"""Invalid scenario files and the exact problems they must produce, shared by the in-process
loading tests and the `invent-emulator validate` tests."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Expected:
    line: int
    column: int
    path: str  # as printed: `orgs[0].contacts[1].email`, or `(document)`
    message: str  # a fragment the message must contain


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    text: str
    problems: tuple[Expected, ...]


# One printed problem: `file:line:col: path: message`.
PROBLEM_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<column>\d+): (?P<path>[^ ]+): "
                          r"(?P<message>.+)$")


def billion_laughs(levels: int = 9, width: int = 10) -> str:
    """The classic alias bomb: 10**9 "lol"s once expanded, a few hundred bytes written."""
    lines = ['lol0: &lol0 "lol"']
    for level in range(1, levels + 1):
        refs = ", ".join([f"*lol{level - 1}"] * width)
        lines.append(f"lol{level}: &lol{level} [{refs}]")
    lines.append(f"seed: *lol{levels}")
    return "\n".join(lines) + "\n"


ERROR_CASES: tuple[Case, ...] = (
    Case("unknown_top_level_key", """\
seed: 1
colour: blue
orgs: []
""", (Expected(2, 1, "colour", "unknown key"),)),

    Case("unknown_deep_key", """\
seed: 1
orgs:
  - id: org_a
    name: A
    api_keys: [key_a]
    segments:
      - {id: seg_vip, name: VIP, color: violet}
    contacts:
      - id: ct_1
        email: one@example.com
      - id: ct_2
        nickname: Bobby
        email: two@example.com
""", (Expected(12, 9, "orgs[0].contacts[1].nickname", "unknown key"),)),

    # A rule's `source` (where it stood in its file) is a field of the loaded rule, not a key.
    Case("rule_source_is_no_key", """\
outcomes:
  - outcome: delivered
    source: elsewhere.yaml:1
""", (Expected(3, 5, "outcomes[0].source", "unknown key"),)),

    Case("wrong_type_blocked_maybe", """\
orgs:
  - id: org_a
    contacts:
      - id: ct_a
        email: a@example.com
        blocked: maybe
""", (Expected(6, 9, "orgs[0].contacts[0].blocked", "boolean"),)),

    Case("unquoted_phone", """\
orgs:
  - id: org_a
    contacts:
      - id: ct_a
        name: Ada
        phone: +15550100001
""", (Expected(6, 9, "orgs[0].contacts[0].phone", "quote the value"),)),

    Case("yaml_bool_name_true", """\
orgs:
  - id: org_a
    contacts:
      - id: ct_a
        name: true
""", (Expected(5, 9, "orgs[0].contacts[0].name", "quote the value"),)),

    Case("unknown_segment_reference", """\
orgs:
  - id: org_a
    segments:
      - {id: seg_vip, name: VIP}
    contacts:
      - id: ct_a
        segments: [seg_vip]
      - id: ct_b
        segments: [seg_gold]
""", (Expected(9, 20, "orgs[0].contacts[1].segments[0]", "unknown segment 'seg_gold'"),)),

    Case("duplicate_contact_id", """\
orgs:
  - id: org_a
    contacts:
      - id: ct_a
        name: First
      - id: ct_a
        name: Second
""", (Expected(6, 9, "orgs[0].contacts[1].id", "duplicate id 'ct_a'"),)),

    Case("duplicate_org_id", """\
orgs:
  - id: org_a
    api_keys: [key_1]
  - id: org_a
    api_keys: [key_2]
""", (Expected(4, 5, "orgs[1].id", "duplicate org id 'org_a'"),)),

    Case("email_of_two_contacts", """\
orgs:
  - id: org_a
    contacts:
      - id: ct_a
        email: ada@example.com
      - id: ct_b
        email: ADA@example.com
""", (Expected(7, 9, "orgs[0].contacts[1].email",
               "email already belongs to another contact (contacts[0])"),)),

    Case("unknown_parent_org", """\
orgs:
  - id: org_a
  - id: org_b
    parent: org_nope
""", (Expected(4, 5, "orgs[1].parent", "unknown parent org 'org_nope'"),)),

    Case("parent_cycle", """\
orgs:
  - id: org_a
    parent: org_b
  - id: org_b
    parent: org_a
""", (Expected(3, 5, "orgs[0].parent", "parent orgs form a cycle"),
      Expected(5, 5, "orgs[1].parent", "parent orgs form a cycle"))),

    Case("active_transactional_without_templates", """\
orgs:
  - id: org_a
    broadcasts:
      - id: bc_otp
        name: OTP
        type: TRANSACTIONAL
        status: ACTIVE
""", (Expected(4, 9, "orgs[0].broadcasts[0].templates",
               "an ACTIVE broadcast needs at least one template"),)),

    Case("transactional_status_sent", """\
orgs:
  - id: org_a
    broadcasts:
      - id: bc_otp
        name: OTP
        type: TRANSACTIONAL
        status: SENT
        templates:
          - {id: tpl_otp, integration_id: gmail, config: {body: hi}}
""", (Expected(7, 9, "orgs[0].broadcasts[0].status",
               "status SENT is not one of a transactional broadcast's: ACTIVE, DRAFT, PAUSED"),)),

    Case("invalid_integration_id", """\
orgs:
  - id: org_a
    broadcasts:
      - id: bc_a
        name: A
        templates:
          - id: tpl_a
            integration_id: carrier_pigeon
""", (Expected(8, 13, "orgs[0].broadcasts[0].templates[0].integration_id", "'gmail'"),)),

    Case("segment_color_not_in_enum", """\
orgs:
  - id: org_a
    segments:
      - {id: seg_a, name: A, color: magenta}
""", (Expected(4, 30, "orgs[0].segments[0].color", "'violet'"),)),

    Case("segment_without_name", """\
orgs:
  - id: org_a
    segments:
      - id: seg_a
        color: red
""", (Expected(4, 9, "orgs[0].segments[0].name", "required key is missing"),)),

    Case("yaml_syntax_error", """\
seed: 1
orgs:
  - id: org_a
    name: Acme: Corp
""", (Expected(4, 15, "(document)", "mapping values are not allowed here"),)),

    Case("document_is_a_list", """\
- id: org_a
- id: org_b
""", (Expected(1, 1, "(document)", "a scenario must be a mapping of keys"),)),

    Case("document_is_a_scalar", "just some words\n",
         (Expected(1, 1, "(document)", "a scenario must be a mapping of keys"),)),
)
