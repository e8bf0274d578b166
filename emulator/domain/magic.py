"""Magic test addresses: outcomes chosen by the address itself, as providers' sandboxes do.

One table drives both the behaviour and what GET /_emulator/magic shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from emulator.domain.delivery import Outcome
from emulator.domain.org import normalize_phone


@dataclass(frozen=True, slots=True)
class MagicAddress:
    pattern: str
    outcome: Outcome
    error_message: str | None
    source: str


# Resend (resend.dev) and Amazon SES's mailbox simulator; their `+label` forms work too.
_EMAIL_TABLE: tuple[tuple[str, str, Outcome, str | None], ...] = (
    ("resend.dev", "delivered", Outcome.DELIVERED, None),
    ("resend.dev", "bounced", Outcome.BOUNCED, None),
    ("resend.dev", "complained", Outcome.COMPLAINED, None),
    ("simulator.amazonses.com", "success", Outcome.DELIVERED, None),
    ("simulator.amazonses.com", "bounce", Outcome.BOUNCED, None),
    ("simulator.amazonses.com", "complaint", Outcome.COMPLAINED, None),
    ("simulator.amazonses.com", "ooto", Outcome.DELIVERED, None),
    ("simulator.amazonses.com", "suppressionlist", Outcome.BOUNCED,
     "bounced: the address is on the provider's suppression list"),
)

# Twilio's test numbers.
_PHONE_TABLE: dict[str, tuple[Outcome, str | None]] = {
    "+15005550001": (Outcome.FAILED, "failed: 21211 invalid 'To' phone number"),
    "+15005550002": (Outcome.FAILED, "failed: 21612 cannot route to this number"),
    "+15005550003": (Outcome.FAILED, "failed: 21408 no permission to send to this region"),
    "+15005550004": (Outcome.FAILED, "failed: 21610 the recipient has blocked messages"),
    "+15005550006": (Outcome.DELIVERED, None),
    "+15005550009": (Outcome.FAILED, "failed: 21614 the number cannot receive SMS"),
}

_OUTCOME_NAMES = {o.value: o for o in Outcome}


def magic_outcome(email: str | None, phone: str | None) -> tuple[Outcome, str | None] | None:
    if email:
        found = _email_outcome(email)
        if found is not None:
            return found
    if phone:
        return _PHONE_TABLE.get(normalize_phone(phone))
    return None


def _email_outcome(email: str) -> tuple[Outcome, str | None] | None:
    local, _, domain = email.lower().rpartition("@")
    base = local.partition("+")[0]
    for provider_domain, mailbox, outcome, error in _EMAIL_TABLE:
        if domain == provider_domain and base == mailbox:
            return outcome, error
    # Ours, on any domain: `bounced@x.test`, or a plus-tag `ada+complained@x.test`.
    if local in _OUTCOME_NAMES:
        return _OUTCOME_NAMES[local], None
    tag = local.rpartition("+")[2] if "+" in local else None
    if tag in _OUTCOME_NAMES:
        return _OUTCOME_NAMES[tag], None
    return None


def magic_table() -> list[MagicAddress]:
    rows = [
        MagicAddress(f"{o.value}@<any domain>", o, None, "emulator") for o in Outcome
    ]
    rows += [MagicAddress(f"<anyone>+{o.value}@<any domain>", o, None, "emulator")
             for o in Outcome]
    rows += [
        MagicAddress(f"{mailbox}[+label]@{domain}", outcome, error,
                     "Resend" if domain == "resend.dev" else "Amazon SES")
        for domain, mailbox, outcome, error in _EMAIL_TABLE
    ]
    rows += [MagicAddress(number, outcome, error, "Twilio")
             for number, (outcome, error) in _PHONE_TABLE.items()]
    return rows
