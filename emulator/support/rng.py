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

    def id_number(self) -> int:
        """The number `new_id` would show in hex, drawn the same way: a row keeps its ids as
        numbers (smaller than the text) and shows them with `numbered_id`."""
        return self.random.getrandbits(64)

    def token(self, prefix: str) -> str:
        return f"{prefix}_{self.random.getrandbits(128):032x}"

    def chance(self) -> float:
        return self.random.random()


def numbered_id(prefix: str, number: int) -> str:
    """The id `new_id(prefix)` makes of `number`."""
    return f"{prefix}_{number:016x}"


def id_as_number(prefix: str, text: str) -> int | str:
    """`text` as the number `numbered_id(prefix, number)` shows, or unchanged if it is not one."""
    digits = text[len(prefix) + 1:]
    if (len(text) == len(prefix) + 17 and text.startswith(prefix + "_")
            and digits == digits.lower() and all(c in "0123456789abcdef" for c in digits)):
        return int(digits, 16)
    return text
