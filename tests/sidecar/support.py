"""Shared data for the sidecar tests."""

from __future__ import annotations

# A scenario with one unknown key at line 6, column 9.
BAD_SCENARIO = """\
seed: 1
orgs:
  - id: org_a
    contacts:
      - id: ct_1
        nickname: Bobby
"""
