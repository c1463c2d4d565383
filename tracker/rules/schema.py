"""The rule-pack vocabulary, validated with pydantic when a pack is loaded."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# Details an event may carry (what kind of designation, letter, resubmission, approval).
DETAILS = frozenset(
    {
        "priority-review",
        "accelerated-assessment",
        "fast-track",
        "breakthrough",
        "prime",
        "orphan",
        "class-1",
        "class-2",
        "crl",
        "approvable",
        "not-approvable",
        "refuse-to-file",
        "non",
        "nod",
        "conditional",
        "accelerated-approval",
        "item-1.01",
        "item-1.02",
        "item-5.02",
    }
)
# Event types read beyond CONTRACT.md's vocabulary: stored and used by rules, never printed
# by `tracker extract` (its consumers would count them as errors).
INTERNAL_EVENT_TYPES = frozenset({"sec_item"})
CONTRACT_EVENT_TYPES = frozenset(
    {
        "submission",
        "acceptance",
        "review_designation",
        "goal_date",
        "goal_date_extension",
        "advisory_meeting",
        "trend_vote",
        "opinion",
        "reexamination_request",
        "reexamination_grounds",
        "reexamination_outcome",
        "approval",
        "refusal",
        "resubmission",
        "withdrawal",
    }
)
EVENT_TYPES = INTERNAL_EVENT_TYPES | CONTRACT_EVENT_TYPES
AGENCIES = frozenset(
    {"EMA", "EC", "FDA", "HC", "MHRA", "PMDA", "TGA", "SWISSMEDIC", "NMPA", "SEC", "OTHER"}
)
ROLLS = ("none", "next-working-day", "previous-working-day", "modified-following")
ANCHORS = ("date", "receipt", "filing_date", "submission")
KEBAB = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EventMatch(_Strict):
    """Which events of a procedure a rule reacts to."""

    type: str
    agency: str | None = None
    outcome: Literal["positive", "negative", "mixed"] | None = None
    detail: str | None = None

    @field_validator("detail")
    @classmethod
    def _known_detail(cls, v: str | None) -> str | None:
        if v is not None and v not in DETAILS:
            raise ValueError(f"unknown detail '{v}' (one of {', '.join(sorted(DETAILS))})")
        return v

    @field_validator("type")
    @classmethod
    def _known_type(cls, v: str) -> str:
        if v not in EVENT_TYPES:
            raise ValueError(f"unknown event type '{v}' (one of {', '.join(sorted(EVENT_TYPES))})")
        return v

    @field_validator("agency")
    @classmethod
    def _known_agency(cls, v: str | None) -> str | None:
        if v is not None and v not in AGENCIES:
            raise ValueError(f"unknown agency '{v}'")
        return v


class Trigger(_Strict):
    """An event, or another rule's deadline (`rule = "id"`), that starts the clock."""

    type: str | None = None
    agency: str | None = None
    outcome: Literal["positive", "negative", "mixed"] | None = None
    detail: str | None = None
    rule: str | None = None
    # For a rule trigger: "done-or-due" takes the day the obligation was met when known,
    # "due" always the computed date (a filing date is day 60 whenever FDA says so).
    at: Literal["done-or-due", "due"] = "done-or-due"

    @model_validator(mode="after")
    def _one_kind(self) -> Trigger:
        if (self.rule is None) == (self.type is None):
            raise ValueError("trigger needs exactly one of type (an event) or rule (a chain)")
        if self.type is not None:
            self.as_match()
        return self

    def as_match(self) -> EventMatch:
        """The trigger as an event match (only for event triggers)."""
        assert self.type is not None
        return EventMatch(
            type=self.type, agency=self.agency, outcome=self.outcome, detail=self.detail
        )


class Offset(_Strict):
    """A signed period: exactly one unit."""

    days: int | None = None
    business_days: int | None = None
    weeks: int | None = None
    months: int | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Offset:
        given = [
            k for k in ("days", "business_days", "weeks", "months") if getattr(self, k) is not None
        ]
        if len(given) != 1:
            raise ValueError("offset needs exactly one of days, business_days, weeks, months")
        return self

    @property
    def unit(self) -> str:
        """The unit name in use."""
        return next(
            k for k in ("days", "business_days", "weeks", "months") if getattr(self, k) is not None
        )

    @property
    def amount(self) -> int:
        """The signed amount."""
        value = getattr(self, self.unit)
        assert isinstance(value, int)
        return value

    def describe(self) -> str:
        """'+60 days', '-15 business days'."""
        return f"{self.amount:+d} {self.unit.replace('_', ' ')}"


class Example(_Strict):
    """A worked example the tests check: trigger date in, deadline out."""

    trigger_on: date
    expect: date
    receipt_on: date | None = None
    note: str | None = None


class Rule(_Strict):
    """One procedural rule."""

    id: str
    title: str
    milestone: str | None = None
    trigger: list[Trigger]
    requires: EventMatch | None = None
    unless: list[EventMatch] = Field(default_factory=list)
    anchor: Literal["date", "receipt", "filing_date", "submission"] = "date"
    offset: Offset | None = None
    compute: str | None = None
    params: dict[str, int] = Field(default_factory=dict)
    window: Offset | None = None
    roll: Literal["none", "next-working-day", "previous-working-day", "modified-following"]
    met_by: list[EventMatch] = Field(default_factory=list)
    # Later steps that show it was done although no release said so (a hearing after the
    # request, an opinion after the grounds): met, with that release as the evidence.
    implied_by: list[EventMatch] = Field(default_factory=list)
    # Events by which a release says the step was not taken in time.
    missed_by: list[EventMatch] = Field(default_factory=list)
    cancelled_by: list[EventMatch] = Field(default_factory=list)
    superseded_by: list[EventMatch] = Field(default_factory=list)
    source: str
    source_url: str | None = None
    confidence: Literal["verified", "secondary", "unverified"] = "verified"
    estimate: bool = False
    valid_from: date
    valid_until: date | None = None
    examples: list[Example] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _kebab(cls, v: str) -> str:
        if not KEBAB.match(v):
            raise ValueError(f"id '{v}' is not kebab-case")
        return v

    @field_validator("milestone")
    @classmethod
    def _known_milestone(cls, v: str | None) -> str | None:
        from tracker.vocabulary import MILESTONES

        if v is not None and v not in MILESTONES:
            raise ValueError(f"unknown milestone '{v}' (one of {', '.join(sorted(MILESTONES))})")
        return v

    @field_validator("title")
    @classmethod
    def _fields(cls, v: str) -> str:
        for name in re.findall(r"{(\w*)}", v):
            if name not in ("product", "company", "agency"):
                raise ValueError(f"title uses unknown field '{{{name}}}'")
        return v

    @model_validator(mode="after")
    def _offset_or_compute(self) -> Rule:
        if (self.offset is None) == (self.compute is None):
            raise ValueError("a rule needs exactly one of offset or compute")
        if self.compute is not None:
            from tracker.rules.functions import FUNCTIONS

            if self.compute not in FUNCTIONS:
                raise ValueError(
                    f"compute names unknown function '{self.compute}' "
                    f"(one of {', '.join(sorted(FUNCTIONS))})"
                )
        return self

    @field_validator(
        "cancelled_by",
        "met_by",
        "implied_by",
        "missed_by",
        "superseded_by",
        "unless",
        "trigger",
        mode="before",
    )
    @classmethod
    def _listify(cls, v: object) -> object:
        return [v] if isinstance(v, dict) else v

    @property
    def is_estimate(self) -> bool:
        """True when the date is practice or an unverified reading, not binding law."""
        return self.estimate or self.confidence != "verified"


class PackInfo(_Strict):
    """The header of a pack."""

    id: str
    title: str
    version: str
    timezone: str = "UTC"
    calendar: str
    agencies: list[str] = Field(default_factory=list)


class Pack(_Strict):
    """A whole rule pack."""

    pack: PackInfo
    rules: list[Rule]

    @model_validator(mode="after")
    def _chains(self) -> Pack:
        ids = [r.id for r in self.rules]
        dupes = {i for i in ids if ids.count(i) > 1}
        if dupes:
            raise ValueError(f"duplicate rule ids: {', '.join(sorted(dupes))}")
        for r in self.rules:
            for t in r.trigger:
                if t.rule is not None and t.rule not in ids:
                    raise ValueError(f"rule '{r.id}': trigger names unknown rule '{t.rule}'")
        return self

    @property
    def id(self) -> str:
        """The pack id."""
        return self.pack.id

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id."""
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)
