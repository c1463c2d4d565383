"""Frozen values passed between the stages of the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class RawItem:
    """A document as a source delivered it, before any reading."""

    source_id: str
    external_id: str
    name: str
    body: bytes
    fetched_at: datetime
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of a release, with its position and section.

    `section` is "body", "about" (an "About ..." paragraph) or "legal" (forward-looking
    statements, safe harbour, contacts, trademark notices).
    """

    index: int
    text: str
    section: str = "body"

    @property
    def boilerplate(self) -> bool:
        """True outside the body of the release."""
        return self.section != "body"


@dataclass(frozen=True, slots=True)
class Event:
    """A regulatory event a release reports (or schedules, for meetings)."""

    type: str
    agency: str
    outcome: str | None
    product: str | None
    date: date | None
    evidence: str
    sentence: int = 0
    detail: str | None = None
    country: str | None = None  # the country named for an agency outside the list (OTHER)
    why: str | None = None  # what read it: the lexicon row and the words (extract --explain)


@dataclass(frozen=True, slots=True)
class Timeline:
    """A timeline the release states, resolved to a date or a window."""

    start: date
    end: date
    milestone: str
    agency: str | None
    expression: str
    evidence: str
    sentence: int = 0
    offset_days: int | None = None
    anchor: str | None = None
    anchor_date: date | None = None
    assumptions: tuple[str, ...] = ()
    estimate: bool = False
    why: str | None = None  # the act's words and the clause it was read from (--explain)


@dataclass(frozen=True, slots=True)
class ReleaseInfo:
    """What identifies a release: its dateline date, issuer and headline."""

    date: date | None
    company: str | None
    ticker: str | None
    title: str | None
    product: str | None = None
    language: str = "en"


@dataclass(frozen=True, slots=True)
class Alias:
    """Another name a release gives a company or a product ("Ruconest (formerly Rhucin)")."""

    kind: str  # "company" or "product"
    name: str  # the name the release goes by (the current brand, the full company name)
    alias: str  # the other name: a former name, a code name, a short name
    relation: str  # "former", "aka", "code" or "short"
    why: str | None = None  # the lexicon row that read it


@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything read from one release."""

    source: str
    release: ReleaseInfo
    events: tuple[Event, ...]
    timelines: tuple[Timeline, ...]
    text_sha256: str
    warnings: tuple[str, ...] = ()
    aliases: tuple[Alias, ...] = ()
    # A release with no dateline is read as of the latest day it tells as done; its stated
    # full dates after that day are its deadlines (None: the release date is known).
    reference: date | None = None
    # The document's text as read (normalised), kept for the dashboard's release page; not
    # part of the contract's output and not compared.
    text: str = field(default="", repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Step:
    """One line of a deadline's explanation (trigger, anchor, offset, roll, source)."""

    label: str
    text: str


@dataclass(frozen=True, slots=True)
class Derivation:
    """A deadline as computed from a procedure's events, rules and stated timelines."""

    key: str
    title: str
    start: date
    end: date
    basis: str
    rule: str | None
    evidence: str
    steps: tuple[Step, ...] = ()
    assumptions: tuple[str, ...] = ()
    source: str | None = None
    estimate: bool = False
    status: str = "open"
    release_ref: str | None = None
    notes: tuple[str, ...] = ()
    evidence_kind: str = "company"  # whose word the evidence is: "company" or "agency"


@dataclass(frozen=True, slots=True)
class Procedure:
    """The matter a deadline belongs to: one product before one agency."""

    key: str
    company: str | None
    product: str | None
    agency: str


@dataclass(frozen=True, slots=True)
class Sourced:
    """An event or timeline with the release it came from."""

    item: Event | Timeline
    release_date: date
    release_ref: str
    # Who told it: "company" (a release) or "agency" (the agency's own document, such as
    # EMA's CHMP meeting highlights); `told` is what the other kind said of the same act,
    # shown beside it ("the company's release of 2025-10-17 said 2025-10-17").
    kind: str = "company"
    told: str | None = None


@dataclass
class ProcedureState:
    """Everything known about one procedure: what the rules engine derives from."""

    procedure: Procedure
    events: list[Sourced] = field(default_factory=list)
    timelines: list[Sourced] = field(default_factory=list)
    facts: dict[str, date] = field(default_factory=dict)
    # Agency documents read (CHMP highlights): (first plenary day, last day, document), so the
    # engine knows which plenaries' opinions are out (`tracker.rules.agency`).
    published: tuple[tuple[date, date, str], ...] = ()
    # The engine's index of `events` and `timelines` (`tracker.rules.history.History`),
    # built on first use and extended as the lists grow; not compared. The lists are only
    # ever appended to while an index is kept: replace them to start afresh.
    index: object | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Deadline:
    """A stored deadline, as the calendar, reminders and CLI see it."""

    key: str
    title: str
    start: date
    end: date
    basis: str
    rule: str | None
    status: str
    procedure: Procedure
    evidence: str
    assumptions: tuple[str, ...] = ()
    steps: tuple[Step, ...] = ()
    source: str | None = None
    estimate: bool = False
    revision: int = 0
    updated_at: datetime | None = None
    release_ref: str | None = None
    notes: tuple[str, ...] = field(default=())
    hand_set: str | None = None  # "set by hand by NAME on DATE: note", when a person set it
    hand_set_at: datetime | None = None
    closed: str | None = None  # "done" or "dismissed", when a person closed it
    closed_by: str | None = None  # "marked done by NAME on DATE: note"
    closed_at: datetime | None = None
    # Whose word the evidence is: "company" (a release), "agency" (the agency's own
    # document) or "hand-set" (a person set the date).
    evidence_kind: str = "company"


@dataclass(frozen=True, slots=True)
class ReminderDue:
    """A reminder owed for a deadline at a lead time to one recipient."""

    deadline: Deadline
    days_before: int
    recipient: str
    due_at: datetime

    @property
    def key(self) -> str:
        """The unique identity of this reminder."""
        return f"{self.deadline.key}|{self.days_before}|{self.recipient}"
