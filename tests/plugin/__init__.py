"""The pytest plugin (`invent_emulator`, `invent`, `@pytest.mark.invent_scenario`), tested from
the outside: each test writes an inner suite and runs it through pytester, as a user's suite
would run, then reads what the inner session reported."""
