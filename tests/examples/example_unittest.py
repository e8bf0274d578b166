"""docs/pytest.md example: a unittest suite (or any script) with an emulator of its own."""

import unittest

import httpx

import emulator.testing


class LoginCodeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emulator = cls.enterClassContext(
            emulator.testing.running(scenario="otp", mode="inprocess"))

    def setUp(self):
        # A fresh copy of the scenario's org for each test, deleted after it.
        self.org = self.enterContext(self.emulator.new_org(copy_of="org_otp"))
        # Calls to api.useinvent.com reach that org, whatever org id and key they carry.
        self.enterContext(self.org.intercept())

    def tearDown(self):
        self.assertEqual(self.emulator.take_errors(), [])

    def test_the_login_code_arrives(self):
        # What the application does, with its production URL, org id and key.
        response = httpx.post(
            "https://api.useinvent.com/orgs/org_2f8kQx7LmN/broadcasts/bc_otp/send",
            headers={"Authorization": "Bearer inv_live_replace_me"},
            json={"email": "ada@example.test", "variables": {"otp": "482910"}},
        )

        self.assertEqual(response.status_code, 200)
        self.assertIn("482910", self.org.last_message(to="ada@example.test")["body"])

    def test_each_test_starts_with_its_own_outbox(self):
        self.assertEqual(self.org.messages(), [])


if __name__ == "__main__":
    unittest.main()
