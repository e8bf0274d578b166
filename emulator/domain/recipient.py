"""One recipient row, stored compactly: a 200,000-row campaign keeps 200,000 of these.

What makes it small (see docs/performance.md for the measured bytes per row):
- `__slots__`, no per-row dict;
- the broadcast's id and name, the template's id and its integration, which every row of one
  template of one send shares, live in one shared `RowOrigin`;
- the outcome flags and PROCESSED are bits of one small int instead of a dict;
- a flag's moment is kept only when it differs from the row's `created_at` (a send without
  delays sets every flag at the moment it creates the row, so most rows keep no moments at all);
- its id and message id are kept as the numbers they show (`rcp_` and `msg_` and 16 hex digits),
  a 40-byte int instead of a 72-byte string each, and the row's position shares the int of its
  flag bits;
- timestamps are the org clock's own datetime objects, shared by every row created or changed at
  that moment, so a row holds a pointer to them, never a copy.

Readers use `has`, `flag_at`, `status` and `flags` (a fresh dict in wire order, for the few that
want them all); the one writer of flags is `set_flag` (domain/rowlife.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from emulator.domain.kinds import Integration, RecipientStatus
from emulator.domain.outcome import Flag
from emulator.domain.why import Why
from emulator.support.rng import id_as_number, numbered_id

# Bit of each flag in `_bits`, in `Flag` order; the bit after them is PROCESSED.
FLAG_BITS: dict[Flag, int] = {flag: 1 << index for index, flag in enumerate(Flag)}
_FLAG_INDEX: dict[Flag, int] = {flag: index for index, flag in enumerate(Flag)}
_PROCESSED_BIT = 1 << len(Flag)
# `_bits` above the flags and PROCESSED: the row's position + 1 (0 while it has none).
_POSITION_SHIFT = len(Flag) + 1
_STATE_MASK = (1 << _POSITION_SHIFT) - 1
_FLAG_MASK = _PROCESSED_BIT - 1
_FLAGS = tuple(Flag)


def state_bits(flags: tuple[Flag, ...], *, processed: bool) -> int:
    """The `state` of `Recipient.settled` for a row with `flags` set."""
    bits = _PROCESSED_BIT if processed else 0
    for flag in flags:
        bits |= FLAG_BITS[flag]
    return bits


class RowOrigin:
    """Where a row comes from: shared by the rows of one template of one send
    (below)."""

    __slots__ = ("broadcast_id", "broadcast_name", "integration_id", "template_id")

    def __init__(self, broadcast_id: str, broadcast_name: str, template_id: str,
                 integration_id: Integration) -> None:
        self.broadcast_id = broadcast_id
        self.broadcast_name = broadcast_name
        self.template_id = template_id
        self.integration_id = integration_id

    def key(self) -> tuple[str, str, str, Integration]:
        return self.broadcast_id, self.broadcast_name, self.template_id, self.integration_id


class Recipient:
    """A recipient row. Constructed with the fields of the row as 0.2.0 declared them, in that
    order (`FIELDS`: the state file's record of a row), so old state files still load."""

    __slots__ = ("_bits", "_id", "_message", "_times", "contact_id", "created_at", "email",
                 "error_message", "name", "origin", "phone", "updated_at", "user_id",
                 "username", "variables", "why")

    FIELDS = ("id", "broadcast_id", "broadcast_name", "template_id", "integration_id",
              "contact_id", "created_at", "updated_at", "status", "user_id", "name", "username",
              "phone", "email", "flags", "error_message", "external_message_id", "variables",
              "why", "position")

    def __init__(self, id: str | int, broadcast_id: str, broadcast_name: str, template_id: str,
                 integration_id: Integration, contact_id: str, created_at: datetime,
                 updated_at: datetime, status: RecipientStatus = RecipientStatus.SENDING,
                 user_id: str | None = None, name: str | None = None,
                 username: str | None = None, phone: str | None = None,
                 email: str | None = None, flags: dict[Flag, datetime] | None = None,
                 error_message: str | None = None, external_message_id: str | None = None,
                 variables: dict[str, Any] | None = None, why: Why | None = None,
                 position: int = -1, *, origin: RowOrigin | None = None) -> None:
        # `id` may be the number a new row draws (RandomSource.id_number).
        self._id = id if isinstance(id, int) else id_as_number("rcp", id)
        self.origin = origin or RowOrigin(broadcast_id, broadcast_name, template_id,
                                          integration_id)
        self.contact_id = contact_id
        self.created_at = created_at
        self.updated_at = updated_at
        self._bits = (position + 1) << _POSITION_SHIFT | (
            _PROCESSED_BIT if status is RecipientStatus.PROCESSED else 0)
        self._times: list[datetime | None] | None = None
        self.user_id = user_id
        self.name = name
        self.username = username
        self.phone = phone
        self.email = email
        self.error_message = error_message
        self.external_message_id = external_message_id
        # The variables a transactional send resolved, for the emulator's outbox (never on the
        # public wire). None for marketing rows, whose variables come from contact and broadcast.
        self.variables = variables
        # What decided the outcome (never on the public wire either).
        self.why = why
        if flags:
            for flag, at in flags.items():
                self.set_flag(flag, at)

    @classmethod
    def new(cls, number: int, origin: RowOrigin, contact_id: str, now: datetime,
            variables: dict[str, Any] | None = None) -> Recipient:
        """A new SENDING row with no address yet: what a send makes, 200,000 times for a big
        campaign, so it skips the general constructor's conversions."""
        row = object.__new__(cls)
        row._id = number
        row.origin = origin
        row.contact_id = contact_id
        row.created_at = row.updated_at = now
        row._bits = 0
        row._times = row._message = None
        row.user_id = row.name = row.username = row.phone = row.email = None
        row.error_message = None
        row.variables = variables
        row.why = None
        return row

    @classmethod
    def settled(cls, number: int, origin: RowOrigin, contact_id: str, now: datetime,
                address: tuple[str, str | None, str | None, str | None], name: str | None,
                message: int, position: int, state: int, why: Why) -> Recipient:
        """A row whose outcome was played out at the moment it was made, in one step (the bulk
        of a marketing send, domain/sendslice.py): `address` is (user_id, username, email,
        phone), `state` the flag and PROCESSED bits (`state_bits`)."""
        row = object.__new__(cls)
        row._id = number
        row.origin = origin
        row.contact_id = contact_id
        row.created_at = row.updated_at = now
        row._bits = (position + 1) << _POSITION_SHIFT | state
        row._times = None
        row._message = message
        row.user_id, row.username, row.email, row.phone = address
        row.name = name
        row.error_message = row.variables = None
        row.why = why
        return row

    @property
    def id(self) -> str:
        number = self._id
        return number if isinstance(number, str) else numbered_id("rcp", number)

    @property
    def external_message_id(self) -> str | None:
        number = self._message
        return number if number is None or isinstance(number, str) else numbered_id("msg", number)

    @external_message_id.setter
    def external_message_id(self, value: str | int | None) -> None:
        """A message id, or the number one shows (RandomSource.id_number)."""
        self._message = value if value is None or isinstance(value, int) else id_as_number(
            "msg", value)

    @property
    def position(self) -> int:
        """The row's place in its broadcast's rows, in creation order (for the row index);
        -1 before it is added."""
        return (self._bits >> _POSITION_SHIFT) - 1

    @position.setter
    def position(self, value: int) -> None:
        self._bits = (self._bits & _STATE_MASK) | (value + 1) << _POSITION_SHIFT

    @property
    def broadcast_id(self) -> str:
        return self.origin.broadcast_id

    @property
    def broadcast_name(self) -> str:
        return self.origin.broadcast_name

    @property
    def template_id(self) -> str:
        return self.origin.template_id

    @property
    def integration_id(self) -> Integration:
        return self.origin.integration_id

    @property
    def status(self) -> RecipientStatus:
        return (RecipientStatus.PROCESSED if self._bits & _PROCESSED_BIT
                else RecipientStatus.SENDING)

    @property
    def processed(self) -> bool:
        return bool(self._bits & _PROCESSED_BIT)

    def mark_processed(self) -> None:
        self._bits |= _PROCESSED_BIT

    @property
    def untouched(self) -> bool:
        """No flag set and not PROCESSED yet (a row just made)."""
        return not self._bits & _STATE_MASK

    def settle(self, state: int) -> None:
        """Set `state` (flag and PROCESSED bits, `state_bits`) at once, each at the row's
        `created_at` (rowlife.settle_at_once: an outcome played out the moment it was made)."""
        self._bits |= state

    def flags_at_creation(self) -> int | None:
        """The flag bits, when every flag set holds the row's `created_at` (no moment of its own
        kept, as for every row played out at once); None otherwise. Rows that agree on it and on
        `created_at` render their flags alike (http/recipients.row_json keeps that part)."""
        return None if self._times is not None else self._bits & _FLAG_MASK

    def has(self, flag: Flag) -> bool:
        return bool(self._bits & FLAG_BITS[flag])

    def flag_at(self, flag: Flag) -> datetime | None:
        """When `flag` was set, or None."""
        if not self._bits & FLAG_BITS[flag]:
            return None
        times = self._times
        if times is None:
            return self.created_at
        return times[_FLAG_INDEX[flag]] or self.created_at

    def flag_moments(self, flags: tuple[Flag, ...]) -> list[datetime | None]:
        """`flag_at` of each of `flags`, in one call: rendering a row reads every flag."""
        bits, times, created = self._bits, self._times, self.created_at
        if times is None:
            return [created if bits & FLAG_BITS[flag] else None for flag in flags]
        return [(times[_FLAG_INDEX[flag]] or created) if bits & FLAG_BITS[flag] else None
                for flag in flags]

    def set_flag(self, flag: Flag, at: datetime) -> None:
        self._bits |= FLAG_BITS[flag]
        if self._times is None:
            if at == self.created_at:
                return
            self._times = [None] * len(_FLAGS)
        self._times[_FLAG_INDEX[flag]] = at

    @property
    def flags(self) -> dict[Flag, datetime]:
        """Every flag set, with its moment, in `Flag` order (a copy: write with `set_flag`)."""
        bits = self._bits
        return {flag: self.flag_at(flag) or self.created_at for flag in _FLAGS
                if bits & FLAG_BITS[flag]}
