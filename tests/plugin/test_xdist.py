"""Under pytest-xdist every test still sees only its own org, and the application's own client
(invent_intercept, the same production org id and key in every test) reaches only that org: with
an emulator per worker (the default) and with every worker sharing ONE external server
(INVENT_EMULATOR_URL)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.pytester import report, run

from emulator.testing import plugin as invent_plugin

TESTS = 20

# Each test builds a sending broadcast in its empty org, sends one message, moves its clock by
# its own amount, then checks that its org — and the whole server — shows exactly its own data.
# Then the application's client, made at import time with the production org id and key (the
# same in every test), creates a broadcast through invent_intercept: it lands in this test's org.
INNER = """\
import json
import os
import pathlib
from datetime import datetime, timedelta

import httpx
import pytest

RECORDS = pathlib.Path(os.environ["PROBE_RECORDS"])
TOKEN = os.environ["PROBE_TOKEN"]
EARLY = httpx.Client(base_url="https://api.useinvent.com",
                     headers={{"Authorization": "Bearer inv_live_key"}})


@pytest.mark.parametrize("n", range({tests}))
def test_sees_only_its_own_data(invent, invent_emulator, invent_intercept, n):
    address = f"user{{n}}-{{TOKEN}}@iso.test"
    control = invent_emulator.control
    start = datetime.fromisoformat(invent.now())

    made = invent.client.post("/orgs/c/broadcasts",
                              json={{"name": f"b{{n}}", "type": "TRANSACTIONAL"}})
    assert made.status_code == 200, made.text
    broadcast = f"/_emulator/orgs/{{invent.org_id}}/broadcasts/{{made.json()['id']}}"
    template = {{"integration_id": "gmail", "config": {{"subject": "s", "body": f"hello {{n}}"}}}}
    assert control.post(f"{{broadcast}}/templates", json=template).status_code == 200
    assert control.post(f"{{broadcast}}/activate").status_code == 200
    sent = invent.client.post(f"/orgs/c/broadcasts/{{made.json()['id']}}/send",
                              json={{"email": address}})
    assert sent.status_code == 200, sent.text
    invent.advance(n + 1)

    assert [b["name"] for b in invent.client.get("/orgs/c/broadcasts").json()] == [f"b{{n}}"]
    assert len(invent.client.get("/orgs/c/contacts").json()) == 1
    assert [(m["to"], m["body"]) for m in invent.messages()] == [(address, f"hello {{n}}")]
    everywhere = control.get("/_emulator/messages", params={{"to": address}}).json()
    assert [m["org_id"] for m in everywhere] == [invent.org_id]
    assert datetime.fromisoformat(invent.now()) - start == timedelta(seconds=n + 1)

    by_app = EARLY.post("/orgs/org_live_1/broadcasts", json={{"name": f"app{{n}}"}})
    assert by_app.status_code == 200, by_app.text
    seen_by_app = sorted(b["name"] for b in EARLY.get("/orgs/org_live_1/broadcasts").json())
    assert seen_by_app == [f"app{{n}}", f"b{{n}}"], "the app's client reached another org"
    assert len(invent_intercept.calls) == 2
    RECORDS.joinpath(f"{{n}}.json").write_text(json.dumps({{
        "worker": os.environ.get("PYTEST_XDIST_WORKER"), "url": invent_emulator.url,
        "org_id": invent.org_id, "address": address}}))
"""


def run_parallel(pytester: pytest.Pytester,
                 monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    records = pytester.mkdir("records")
    monkeypatch.setenv("PROBE_RECORDS", str(records))
    monkeypatch.setenv("PROBE_TOKEN", uuid.uuid4().hex[:12])
    pytester.makepyfile(test_parallel=INNER.format(tests=TESTS))

    result = run(pytester, "-n", "2", xdist=True)

    assert result.ret == pytest.ExitCode.OK, report(result)
    result.assert_outcomes(passed=TESTS)
    found = [json.loads(p.read_text("utf-8")) for p in sorted(Path(records).iterdir())]
    assert len(found) == TESTS
    assert {r["worker"] for r in found} == {"gw0", "gw1"}, found
    return found


def test_an_emulator_per_worker(pytester: pytest.Pytester,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    found = run_parallel(pytester, monkeypatch)
    url_of = {r["worker"]: r["url"] for r in found}
    assert all(url_of[r["worker"]] == r["url"] for r in found), "one emulator per worker"
    assert url_of["gw0"] != url_of["gw1"]
    assert len({(r["worker"], r["org_id"]) for r in found}) == TESTS


def test_every_worker_sharing_one_external_emulator(pytester: pytest.Pytester,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    external_url: str) -> None:
    monkeypatch.setenv(invent_plugin.URL_VARIABLE, external_url)
    found = run_parallel(pytester, monkeypatch)
    assert {r["url"] for r in found} == {external_url}
    assert len({r["org_id"] for r in found}) == TESTS
    with httpx.Client(base_url=external_url, timeout=10) as http:
        sends = http.get("/_emulator/requests", params={
            "method": "POST", "path": "/orgs/c/broadcasts/*/send", "limit": "1000"}).json()
        for record in found:  # each test's send reached this server, once
            assert [e["status"] for e in sends if record["address"] in e["body"]] == [200]
        # and every test's org was removed when its test ended
        orgs = {o["org_id"] for o in http.get("/_emulator/clock").json()["orgs"]}
        assert orgs.isdisjoint(r["org_id"] for r in found)
