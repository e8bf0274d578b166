"""The one seeded source of ids and randomness.

Each org draws from its own stream, seeded from the scenario seed and the org id, so what one org
does (one test, on a shared server) never changes the ids or outcomes another org sees.
"""

from __future__ import annotations

import random

_ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
_ID_LENGTH = 16


class RandomSource:
    def __init__(self, seed: int, stream: str) -> None:
        # Seeding with a str is stable across runs and machines (it is hashed with SHA-512).
        self.random = random.Random(f"{seed}:{stream}")

    def new_id(self, prefix: str) -> str:
        body = "".join(self.random.choice(_ID_ALPHABET) for _ in range(_ID_LENGTH))
        return f"{prefix}_{body}"

    def token(self, prefix: str, length: int = 32) -> str:
        body = "".join(self.random.choice(_ID_ALPHABET) for _ in range(length))
        return f"{prefix}_{body}"
