"""Wire schemas of the public request bodies, strict like the real API, with messages that name
the field."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)

from emulator.domain.entities import Integration
from emulator.domain.errors import ApiError
from emulator.domain.kinds import SegmentColor
from emulator.http.errors import validation_error
from emulator.scenario.schema import FaultSpec, OutcomeRuleSpec
from emulator.support.addresses import check_email, check_phone
from emulator.support.durations import MAX_DURATION
from emulator.support.jsonvalues import check_finite, check_text
from emulator.support.moments import check_moment


def _no_nul(value: str) -> str:
    return check_text(value, "")


def _utc(value: datetime) -> datetime:
    try:
        return check_moment(value)
    except OverflowError:
        raise ValueError("the date is out of range once converted to UTC") from None


def _in_our_words(value: Any, handler: ValidatorFunctionWrapHandler) -> datetime:
    """pydantic's date-time errors ("Input should have timezone info") in the project's words.
    Only a JSON string with a time part is a date-time (the inner parse is lax only so that it
    reads strings)."""
    if not isinstance(value, str) or len(value) <= len("2026-01-05"):
        raise ValueError(f"must be a date-time with a timezone: {_MOMENT_EXAMPLE}")
    try:
        parsed: datetime = handler(value)
    except ValidationError as error:
        if any(item["type"] == "timezone_aware" for item in error.errors()):
            raise ValueError(f"must include a timezone: {_MOMENT_EXAMPLE}") from None
        raise ValueError(f"must be a date-time with a timezone: {_MOMENT_EXAMPLE}") from None
    return parsed


_MOMENT_EXAMPLE = "Z for UTC or an offset, as in 2026-01-05T12:00:00Z or 2026-01-05T14:00:00+02:00"

M = TypeVar("M", bound=BaseModel)

Text = Annotated[str, AfterValidator(_no_nul)]
Id = Annotated[Text, Field(min_length=1, max_length=256)]
Email = Annotated[Text, Field(max_length=256), AfterValidator(check_email)]
Phone = Annotated[Text, Field(max_length=256), AfterValidator(check_phone)]
JsonObject = Annotated[dict[str, Any], AfterValidator(check_finite)]
Moment = Annotated[AwareDatetime, Strict(False), WrapValidator(_in_our_words), AfterValidator(_utc)]


class _Body(BaseModel):
    """A request body. Optional fields are left out by clients (the API description shows them
    as absent-or-given, http/openapi.py); `NULLABLE` names those where an explicit null means
    something. `EXAMPLE` is the request the API explorer fills in."""

    # Built on the first request that reads such a body, not at start-up.
    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)
    NULLABLE: ClassVar[frozenset[str]] = frozenset()
    EXAMPLE: ClassVar[dict[str, Any] | None] = None


class SendBody(_Body):
    """One trigger of a transactional broadcast: who (a contact or channel id, an email or a
    phone, with an optional name) and the template variables."""

    EXAMPLE: ClassVar[dict[str, Any] | None] = {
        "email": "ada@example.com", "name": "Ada Lovelace", "variables": {"otp": "123456"}}

    contact_channel_id: Id | None = None
    contact_id: Id | None = None
    phone: Phone | None = None
    email: Email | None = None
    name: Annotated[Text, Field(max_length=256)] | None = None
    variables: JsonObject | None = None
    template_ids: Annotated[list[Id], Field(min_length=1)] | None = None
    background: bool | None = None

    def given(self) -> list[str]:
        """The fields sent with a value (`null` counts as not sent), in declaration order."""
        return [name for name in type(self).model_fields if getattr(self, name) is not None]


class CreateBroadcastBody(_Body):
    """A new broadcast (DRAFT). `type` is the emulator's extension (default `MARKETING`)."""

    EXAMPLE: ClassVar[dict[str, Any] | None] = {
        "name": "Summer sale", "segment_ids": ["seg_vip"],
        "scheduled_at": "2030-01-07T09:00:00Z"}

    name: Annotated[Text, Field(min_length=1, max_length=255)]
    scheduled_at: Moment | None = None
    segment_ids: Annotated[list[Id], Field(max_length=10)] | None = None
    send_to_all: bool | None = None
    type: Literal["MARKETING", "TRANSACTIONAL"] | None = None


class ChannelBody(_Body):
    user_id: Annotated[Text, Field(min_length=1, max_length=256)] | None = None
    name: Annotated[Text, Field(max_length=256)] | None = None
    email: Email | None = None
    phone: Phone | None = None


class CreateContactBody(_Body):
    """A new contact with one channel: an email or a phone, and an optional name."""

    EXAMPLE: ClassVar[dict[str, Any] | None] = {
        "channel": {"email": "grace@example.com", "name": "Grace Hopper"}}
    channel: ChannelBody
    segment_ids: Annotated[list[Id], Field(max_length=100)] | None = None


class UpdateContactBody(_Body):
    """At least one field; `name: null` clears the name."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset({"name"})
    EXAMPLE: ClassVar[dict[str, Any] | None] = {"name": "Grace B. Hopper", "unsubscribed": True}
    name: Annotated[Text, Field(max_length=256)] | None = None
    blocked: bool | None = None
    unsubscribed: bool | None = None



class UpdateSegmentBody(_Body):
    """At least one field."""

    EXAMPLE: ClassVar[dict[str, Any] | None] = {"name": "VIP customers"}
    name: Annotated[Text, Field(min_length=1, max_length=128)] | None = None
    color: SegmentColor | None = None


class TemplateBody(_Body):
    """Control surface: add a template to a broadcast (the public API cannot)."""

    id: Id | None = None
    integration_id: Annotated[Integration, Field(strict=False)]
    config: JsonObject = Field(default_factory=dict)


class ResetBody(_Body):
    org_id: Id | None = None


class ClockBody(_Body):
    mode: Literal["virtual", "real"]
    start: Moment | None = None


class NewOrgBody(_Body):
    name: Annotated[Text, Field(min_length=1, max_length=256)] | None = None
    parent: Id | None = None
    copy_of: Id | None = None
    # A whole scenario (a JSON object, or YAML text as an export answers it) and which of its
    # orgs to build, for a test's own scenario.
    scenario: JsonObject | Annotated[str, Field(max_length=16 * 1024 * 1024)] | None = None
    org: Id | None = None
    clock: ClockBody | None = None


class AdvanceBody(_Body):
    seconds: Annotated[float, Field(ge=0, le=MAX_DURATION)]
    org_id: Id | None = None


class FaultBody(FaultSpec):
    """One rule in the scenario's `faults:` shape, and how many times it fires (None: until
    removed)."""

    times: int | None = Field(default=None, ge=1)


class OutcomesBody(_Body):
    outcomes: list[OutcomeRuleSpec]


def parse_body(model: type[M], raw: bytes) -> M:
    """An empty body is `{}`; malformed JSON, a non-object, or a bad field is a 400 that names
    the field."""
    try:
        return model.model_validate_json(raw or b"{}")
    except ValidationError as error:
        raise validation_error(error) from None
    except RecursionError:
        raise ApiError(400, "the body is nested too deeply") from None
