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

    def state(self) -> list[object]:
        """The generator's position as plain JSON values (see `restore`)."""
        version, internal, gauss = self.random.getstate()
        return [version, list(internal), gauss]

    def restore(self, state: object) -> None:
        """Put back a position `state` gave; ValueError naming what is wrong otherwise."""
        self.random.setstate(checked_state(state))


_WORDS = 624  # the Mersenne Twister's state: 624 32-bit words, then the position in them


def checked_state(state: object) -> tuple[object, ...]:
    """A saved generator state as `random.setstate` takes it, checked first (setstate itself
    raises OverflowError or SystemError on out-of-range words)."""
    if not (isinstance(state, list | tuple) and len(state) == 3):
        raise ValueError("a random state is [version, [625 whole numbers], gauss]")
    version, internal, gauss = state
    if version != 3:
        raise ValueError(f"a random state's version must be 3, not {version!r}")
    if not (isinstance(internal, list | tuple) and len(internal) == _WORDS + 1
            and all(type(word) is int for word in internal)):
        raise ValueError(f"a random state holds {_WORDS + 1} whole numbers")
    if not all(0 <= word < 1 << 32 for word in internal[:_WORDS]):
        raise ValueError("a random state's words are whole numbers from 0 to 4294967295")
    if not 0 <= internal[_WORDS] <= _WORDS:
        raise ValueError(f"a random state's position is from 0 to {_WORDS}")
    if gauss is not None and not isinstance(gauss, float):
        raise ValueError("a random state's gauss is null or a number")
    return (version, tuple(internal), gauss)

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
