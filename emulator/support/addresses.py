"""What counts as an email address or a phone number, and how two are compared, for request
bodies, scenario files and lookups alike.

Deliberately loose (the docs type both as plain strings of at most 256): test domains such as
`.test` and `.example` must work, which pydantic's EmailStr would refuse.
"""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_PHONE = re.compile(r"\+?[0-9]+")
_PHONE_NOISE = str.maketrans("", "", " -()")


def normalize_phone(phone: str) -> str:
    """Phones are compared without spaces, dashes and parentheses."""
    return phone.translate(_PHONE_NOISE)


def normalize_email(email: str) -> str:
    return email.strip().lower()


def normalize_address(address: str) -> str:
    return normalize_email(address) if "@" in address else normalize_phone(address)


def check_email(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise ValueError("must be an email address: one @ with text on both sides, no spaces")
    return value


def check_phone(value: str) -> str:
    if not _PHONE.fullmatch(normalize_phone(value)):
        raise ValueError("must be a phone number: digits, an optional leading +, spaces, "
                         "dashes and parentheses")
    return value
