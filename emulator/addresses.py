"""What counts as an email address or a phone number, for request bodies and scenario files alike.

Deliberately loose (the docs type both as plain strings of at most 256): test domains such as
`.test` and `.example` must work, which pydantic's EmailStr would refuse.
"""

from __future__ import annotations

import re

from emulator.domain.org import normalize_phone

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_PHONE = re.compile(r"\+?[0-9]+")


def check_email(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise ValueError("must be an email address: one @ with text on both sides, no spaces")
    return value


def check_phone(value: str) -> str:
    if not _PHONE.fullmatch(normalize_phone(value)):
        raise ValueError("must be a phone number: digits, an optional leading +, spaces, "
                         "dashes and parentheses")
    return value
