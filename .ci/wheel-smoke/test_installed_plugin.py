"""A user's typed test file, run by `.ci/wheel-smoke/smoke.py` in a clean virtual environment
that has only the built wheel and pytest: the plugin loads from its entry point and its fixture
works. tests/wheel/test_typed.py checks that it type-checks under `mypy --strict` against the
installed package."""

from emulator.testing import InventOrg


def test_a_created_broadcast_is_listed(invent: InventOrg) -> None:
    created = invent.client.post("/orgs/c/broadcasts", json={"name": "Spring sale"})
    assert created.status_code == 200, created.text
    names: list[str] = [b["name"] for b in invent.client.get("/orgs/c/broadcasts").json()]
    assert names == ["Spring sale"]
