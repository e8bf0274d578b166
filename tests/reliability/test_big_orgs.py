"""A served emulator making the rows of a big marketing send never stalls other requests: a
read of that org waits for its rows a slice at a time, and other requests are answered in
between."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from emulator import create_app, load_scenario_text
from emulator.testing.threaded import ThreadedServer

# Starts processes or servers: left out by `dev.py test --fast` (tests/README.md).
pytestmark = pytest.mark.slow

BIG = """
orgs:
  - id: org_big
    api_keys: [key_big]
    generate: {count: 40000}
    broadcasts:
      - id: bc_all
        name: Everyone
        send_to_all: true
        templates: [{id: tpl_all, integration_id: gmail, config: {subject: Hi}}]
  - id: org_small
    api_keys: [key_small]
"""


def test_other_orgs_are_answered_while_a_big_send_is_read() -> None:
    server = ThreadedServer(create_app(scenario=load_scenario_text(BIG))).start()
    finished: dict[str, float] = {}
    big = httpx.Client(base_url=server.url, headers={"Authorization": "Bearer key_big"},
                       timeout=60)
    small = httpx.Client(base_url=server.url, timeout=60,
                         headers={"Authorization": "Bearer key_small"})
    try:
        assert big.post("/orgs/c/broadcasts/bc_all/send").status_code == 200

        def read_big() -> None:
            page = big.get("/orgs/c/broadcasts/bc_all/recipients", params={"take": 1})
            assert page.headers["pagination-count"] == "40000"  # every row, once settled
            finished["big"] = time.monotonic()

        reader = threading.Thread(target=read_big)
        reader.start()
        answered_meanwhile = 0
        while reader.is_alive():
            if small.get("/orgs/c/broadcasts").status_code == 200 and reader.is_alive():
                answered_meanwhile += 1
        reader.join()
        assert "big" in finished
        assert answered_meanwhile > 0  # the small org was served while the big one settled
    finally:
        big.close()
        small.close()
        server.stop()
