"""docs/test-control.md example: capture an org as a scenario and load it back."""

import pytest


@pytest.mark.invent_scenario("example_shop.yaml", org="org_shop")
def test_an_export_loads_back(invent, invent_emulator):
    invent.client.post("/orgs/c/contacts",
                       json={"channel": {"name": "Cy", "email": "cy@example.com"}})
    scenario_yaml = invent.export()  # contacts, segments, broadcasts, rules; no rows

    made = invent_emulator.control.post("/_emulator/orgs", json={"scenario": scenario_yaml})
    copy = made.json()
    with invent_emulator.client(copy["api_key"]) as client:
        emails = [c["channels"][0]["email"] for c in client.get("/orgs/c/contacts").json()]
    assert "cy@example.com" in emails
    invent_emulator.control.delete(f"/_emulator/orgs/{copy['id']}")
