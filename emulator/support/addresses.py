"""What counts as an email address or a phone number, and how two are compared, for request
bodies, scenario files and lookups alike.

Deliberately loose (the docs type both as plain strings of at most 256): test domains such as
`.test` and `.example` must work, which pydantic's EmailStr would refuse.
"""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_NOT_DIGIT = re.compile(r"[^0-9]")
# A glob pattern keeps its wildcards too: `*`, `?` and bracket sets such as `[0-4]` or `[!9]`.
_PATTERN_PART = re.compile(r"\[!?[0-9-]+\]|[0-9*?]")


def normalize_phone(phone: str) -> str:
    """The docs type a phone as a raw string: two phones are the same when their digits and a
    leading `+` are (`+1 (555) 010-0001` is `+1.555.010.0001`, but not `15550100001`)."""
    return _plus(phone) + _NOT_DIGIT.sub("", phone)


def normalize_phone_pattern(pattern: str) -> str:
    """A phone glob of a scenario rule, compared like `normalize_phone` keeping wildcards."""
    return _plus(pattern) + "".join(_PATTERN_PART.findall(pattern))


def _plus(phone: str) -> str:
    return "+" if phone.lstrip().startswith("+") else ""


def normalize_email(email: str) -> str:
    return email.strip().lower()


def normalize_address(address: str) -> str:
    return normalize_email(address) if "@" in address else normalize_phone(address)


def check_email(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise ValueError("must be an email address: one @ with text on both sides, no spaces")
    return value


def check_phone(value: str) -> str:
    """Any text with a digit: `+1.555.010.0001`, `+44 (0)20 7946 0000`, `555 0100 ext. 7`."""
    if not any(char in "0123456789" for char in value):
        raise ValueError("must be a phone number: text with at least one digit")
    return value
