"""Shared data for the sidecar tests."""

from __future__ import annotations

import time

from support.cli import POLL_SECONDS, Server

# A scenario with one unknown key at line 6, column 9.
BAD_SCENARIO = """\
seed: 1
orgs:
  - id: org_a
    contacts:
      - id: ct_1
        nickname: Bobby
"""


def wait_for_log(server: Server, text: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while text not in server.stderr:
        if time.monotonic() > deadline or server.process.poll() is not None:
            raise AssertionError(f"{text!r} never logged:\n{server.stderr}")
        time.sleep(POLL_SECONDS)
