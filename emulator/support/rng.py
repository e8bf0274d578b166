"""The one seeded source of ids and randomness.

Each org draws from its own stream, seeded from the scenario seed and the org id, so what one org
does (one test, on a shared server) never changes the ids or outcomes another org sees.
"""

from __future__ import annotations

import random


class RandomSource:
    def __init__(self, seed: int, stream: str) -> None:
        # Seeding with a str is stable across runs and machines (it is hashed with SHA-512).
        self.random = random.Random(f"{seed}:{stream}")

    def new_id(self, prefix: str) -> str:
        """`prefix_` and 16 hex digits: cheap enough to mint 300,000 ids in well under a second."""
        return f"{prefix}_{self.random.getrandbits(64):016x}"

    def token(self, prefix: str) -> str:
        return f"{prefix}_{self.random.getrandbits(128):032x}"

    def chance(self) -> float:
        return self.random.random()
