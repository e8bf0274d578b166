"""README example: every test gets its own empty org; nothing leaks between tests."""


def test_create_and_list(invent):
    created = invent.client.post("/orgs/c/broadcasts", json={"name": "Spring sale"})
    assert created.status_code == 200
    assert [b["name"] for b in invent.client.get("/orgs/c/broadcasts").json()] == ["Spring sale"]


def test_starts_empty(invent):
    assert invent.client.get("/orgs/c/broadcasts").json() == []
