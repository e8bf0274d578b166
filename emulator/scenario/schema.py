"""The scenario file's shape (docs/scenarios.md), validated with pydantic.

Strict, with unknown keys refused, because users write these files by hand and a typo must not be
silently ignored.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    create_model,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from emulator.domain.entities import BroadcastStatus, BroadcastType, Integration
from emulator.domain.kinds import SegmentColor
from emulator.domain.outcome import EVENT_NAMES, TIMING_KEYS, Outcome
from emulator.support.addresses import check_email, check_phone
from emulator.support.durations import MAX_DURATION, parse_duration
from emulator.support.jsonvalues import check_finite
from emulator.support.moments import check_moment

JsonObject = Annotated[dict[str, Any], AfterValidator(check_finite)]
Id = Annotated[str, Field(min_length=1, max_length=256, pattern=r"^[^\s/]+$")]
Email = Annotated[str, Field(max_length=256), AfterValidator(check_email)]
Phone = Annotated[str, Field(max_length=256), AfterValidator(check_phone)]


class _Spec(BaseModel):
    # defer_build: only the model a scenario is validated with compiles a validator (with its
    # parts inside), on first use, instead of every part compiling its own at import.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)

    @classmethod
    def default(cls, **values: Any) -> Self:
        """A field's default instance, made without validation: calling the model would
        compile its validator at import, which is what defer_build is for (values must be
        what validation would give: tests/scenario/test_prebuilt.py checks them)."""
        return cls.model_construct(**values)


class RateLimitSpec(_Spec):
    requests: int = Field(ge=1, le=1_000_000_000)
    per_seconds: float = Field(gt=0, le=MAX_DURATION)


DEFAULT_SEND_LIMIT = RateLimitSpec.default(requests=100, per_seconds=60.0)


class RateLimitsSpec(_Spec):
    send: RateLimitSpec | None = DEFAULT_SEND_LIMIT
    general: RateLimitSpec | None = None


class ChannelSpec(_Spec):
    id: Id | None = None
    type: Integration = Field(strict=False)
    user_id: str | None = Field(default=None, max_length=256)
    name: str | None = Field(default=None, max_length=256)
    username: str | None = Field(default=None, max_length=256)
    email: Email | None = None
    phone: Phone | None = None
    country: str | None = None
    language: str | None = None
    platform_data: JsonObject = Field(default_factory=dict)


class ContactSpec(_Spec):
    id: Id | None = None
    name: str | None = Field(default=None, max_length=256)
    email: Email | None = None
    phone: Phone | None = None
    channels: list[ChannelSpec] = Field(default_factory=list)
    blocked: bool = False
    unsubscribed: bool = False
    segments: list[Id] = Field(default_factory=list)
    properties: JsonObject = Field(default_factory=dict)


class SegmentSpec(_Spec):
    id: Id | None = None
    name: str = Field(min_length=1, max_length=128)
    color: SegmentColor = "neutral"


class TemplateSpec(_Spec):
    id: Id | None = None
    integration_id: Integration = Field(strict=False)
    config: JsonObject = Field(default_factory=dict)


class BroadcastSpec(_Spec):
    id: Id | None = None
    name: str = Field(min_length=1, max_length=255)
    type: BroadcastType = Field(default=BroadcastType.MARKETING, strict=False)
    status: BroadcastStatus = Field(default=BroadcastStatus.DRAFT, strict=False)
    properties: JsonObject = Field(default_factory=dict)  # variable -> default (any JSON)
    templates: list[TemplateSpec] = Field(default_factory=list)
    segment_ids: list[Id] = Field(default_factory=list, max_length=10)
    send_to_all: bool = False
    scheduled_at: datetime | None = Field(default=None, strict=False)
    # The reason a marketing send of this broadcast ends FAILED (to test failure handling).
    fail_with: str | None = Field(default=None, min_length=1, max_length=1024)

    @field_validator("scheduled_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        return None if value is None else check_moment(value)


class GenerateSpec(_Spec):
    count: int = Field(ge=0, le=1_000_000)
    segments: dict[str, float] = Field(default_factory=dict)
    email_domain: str = Field(default="example.test", pattern=r"^[A-Za-z0-9.\-]+$")

    @field_validator("segments")
    @classmethod
    def _ratios(cls, value: dict[str, float]) -> dict[str, float]:
        for name, ratio in value.items():
            if not 0 <= ratio <= 1:
                raise ValueError(f"the ratio of '{name}' must be from 0 to 1")
        return value


class OrgSpec(_Spec):
    id: Id | None = None
    name: str | None = Field(default=None, max_length=256)
    api_keys: list[Annotated[str, Field(min_length=1, max_length=256)]] | None = None
    parent: Id | None = None
    segments: list[SegmentSpec] = Field(default_factory=list)
    contacts: list[ContactSpec] = Field(default_factory=list)
    broadcasts: list[BroadcastSpec] = Field(default_factory=list)
    generate: GenerateSpec | None = None


Duration = Annotated[float, BeforeValidator(parse_duration)]
OUTCOME_NAMES = tuple(o.value for o in Outcome)



class ClockSpec(_Spec):
    mode: Literal["real", "virtual"] = "real"
    start: datetime | None = Field(default=None, strict=False)

    @field_validator("start")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        return None if value is None else check_moment(value)


class WhenSpec(_Spec):
    """Every key present must match; email and phone are glob patterns."""

    email: str | None = None
    phone: str | None = None
    integration_id: Integration | None = Field(default=None, strict=False)
    broadcast_id: str | None = None
    template_id: str | None = None
    contact_id: str | None = None
    org_id: str | None = None


# `sent_after`, `delivered_after` …: one optional duration per flag an outcome can delay, made
# from the one list (emulator/domain/outcome.py, TIMING_KEYS).
if TYPE_CHECKING:
    TimingSpec = _Spec
else:
    TimingSpec = create_model("TimingSpec", __base__=_Spec,
                              **dict.fromkeys(TIMING_KEYS, (Duration | None, None)))


class OutcomeRuleSpec(_Spec):
    when: WhenSpec = WhenSpec.default()
    # One outcome name, a weighted choice {name: weight}, or a sequence [name, ...].
    outcome: Any
    timing: TimingSpec = TimingSpec.default()
    error_message: str | None = Field(default=None, max_length=1024)
    # `file:line` where the rule stood, set by the loader (`ScenarioSpec.located`): a field of
    # the model, but no key: input naming it is refused as unknown, and dumps leave it out.
    source: SkipJsonSchema[str | None] = Field(default=None, exclude=True, repr=False)

    @field_validator("source", mode="before")
    @classmethod
    def _not_a_key(cls, value: Any) -> Any:
        raise PydanticCustomError("extra_forbidden", "Extra inputs are not permitted")

    @field_validator("outcome")
    @classmethod
    def _outcome(cls, value: Any) -> Any:
        names = ", ".join(OUTCOME_NAMES)
        if isinstance(value, str):
            if value not in OUTCOME_NAMES:
                raise ValueError(f"unknown outcome '{value}'; one of: {names}")
            return value
        if isinstance(value, list) and value:
            for item in value:
                if item not in OUTCOME_NAMES:
                    raise ValueError(f"unknown outcome '{item}' in the sequence; one of: {names}")
            return value
        if isinstance(value, dict) and value:
            return _weights(value, names)
        raise ValueError("give an outcome name, a non-empty list of names, or a mapping of "
                         "names to weights")


def _weights(value: dict[Any, Any], names: str) -> dict[Any, Any]:
    """A weighted choice: known outcome names, each weighed 0 or more, together more than 0."""
    for name, weight in value.items():
        if name not in OUTCOME_NAMES:
            raise ValueError(f"unknown outcome '{name}' in the weights; one of: {names}")
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0:
            raise ValueError(f"the weight of '{name}' must be a number of 0 or more")
    if sum(value.values()) <= 0:
        raise ValueError("the weights must add up to more than 0")
    return value


class FaultWhenSpec(_Spec):
    method: str | None = None
    path: str | None = None


class FaultRespondSpec(_Spec):
    status: int = Field(ge=400, le=599)
    message: str | None = None
    retry_after: int | None = Field(default=None, ge=0)


class FaultSpec(_Spec):
    when: FaultWhenSpec = FaultWhenSpec.default()
    every: int | None = Field(default=None, ge=1)
    nth: int | None = Field(default=None, ge=1)
    probability: float | None = Field(default=None, ge=0, le=1)
    respond: FaultRespondSpec | None = None
    delay: Duration | None = None
    drop: bool = False

    @model_validator(mode="after")
    def _one_trigger_one_effect(self) -> FaultSpec:
        triggers = [n for n in ("every", "nth", "probability") if getattr(self, n) is not None]
        if len(triggers) > 1:
            raise ValueError(f"give at most one of every, nth, probability (got {triggers})")
        effects = [n for n, on in (("respond", self.respond is not None),
                                   ("drop", self.drop)) if on]
        if len(effects) > 1:
            raise ValueError("give either respond or drop, not both")
        if not effects and self.delay is None:
            raise ValueError("give what the fault does: respond, delay or drop")
        return self


class WebhookSpec(_Spec):
    url: str = Field(pattern=r"^https?://[^\s]+$")
    secret: str | None = None
    events: list[Literal[EVENT_NAMES]] | None = None  # type: ignore[valid-type]
    max_attempts: int = Field(default=5, ge=1, le=20)
    timeout: Duration = 5.0


class ScenarioSpec(_Spec):
    seed: int = Field(default=0, ge=-(2**63), le=2**63 - 1)
    clock: ClockSpec = ClockSpec.default()
    magic_addresses: bool = True
    rate_limits: RateLimitsSpec = RateLimitsSpec.default()
    orgs: list[OrgSpec] = Field(default_factory=list)
    outcomes: list[OutcomeRuleSpec] = Field(default_factory=list)
    faults: list[FaultSpec] = Field(default_factory=list)
    webhooks: list[WebhookSpec] = Field(default_factory=list)

    @property
    def rule_sources(self) -> list[str | None]:
        """Where each outcome rule stood in its file (None: not known)."""
        return [rule.source for rule in self.outcomes]

    def located(self, sources: list[str | None]) -> ScenarioSpec:
        """This scenario with each outcome rule's `source` set (an empty list: none known)."""
        if sources and len(sources) != len(self.outcomes):
            raise ValueError(f"{len(sources)} rule sources for {len(self.outcomes)} outcome "
                             "rules")
        if not all(source is None or isinstance(source, str) for source in sources):
            raise ValueError("rule sources are strings or nulls")
        return self.model_copy(update={"outcomes": [
            rule.model_copy(update={"source": source})
            for rule, source in zip(self.outcomes, sources or [None] * len(self.outcomes),
                                    strict=True)]})
