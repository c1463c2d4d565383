"""SQLModel tables. Natural keys carry unique constraints so re-runs are idempotent."""

from __future__ import annotations

import datetime as dt
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, DateTime, Index, Text, TypeDecorator, UniqueConstraint
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite forgets the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _ts(nullable: bool = False) -> Any:
    return Column(UTCDateTime(), nullable=nullable)


class ReleaseRow(SQLModel, table=True):
    """A release, stored once per normalised-text hash."""

    __tablename__ = "release"
    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(index=True, unique=True, max_length=64)
    source_id: str = Field(max_length=200)
    external_id: str = Field(max_length=1000)
    # How a release without a web address is named; unique among those (`releases`).
    name: str = Field(max_length=1000, index=True)
    title: str | None = Field(default=None, sa_column=Column(Text))
    release_date: dt.date | None = None
    company: str | None = Field(default=None, max_length=300)
    ticker: str | None = Field(default=None, max_length=20)
    url: str | None = Field(default=None, sa_column=Column(Text))
    ingested_at: datetime = Field(sa_column=_ts())


class ReleaseTextRow(SQLModel, table=True):
    """A release's whole text as read (normalised), for its page on the dashboard. Releases
    stored before this table have none: their page shows the sentences read."""

    __tablename__ = "release_text"
    release_id: int = Field(foreign_key="release.id", primary_key=True)
    text: str = Field(sa_column=Column(Text, nullable=False))


class SightingRow(SQLModel, table=True):
    """One place a release was seen: a source and its id there. Many sightings, one release."""

    __tablename__ = "sighting"
    __table_args__ = (UniqueConstraint("source_id", "external_id"),)
    id: int | None = Field(default=None, primary_key=True)
    source_id: str = Field(max_length=200)
    external_id: str = Field(max_length=1000)
    release_id: int = Field(foreign_key="release.id", index=True)
    url: str | None = Field(default=None, sa_column=Column(Text))
    first_seen: datetime = Field(sa_column=_ts())
    last_seen: datetime = Field(sa_column=_ts())


class SourceStateRow(SQLModel, table=True):
    """A source's cursor (ETag, Last-Modified, ...) and its last run, moved only after commits."""

    __tablename__ = "source_state"
    source_id: str = Field(primary_key=True, max_length=200)
    cursor: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    last_run: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    last_ok: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    failures: int = 0
    seen: int = 0
    new: int = 0
    failed: int = 0
    next_run: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    lease_until: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class QuarantineRow(SQLModel, table=True):
    """An item a source could not turn into a release, with the reason."""

    __tablename__ = "quarantine"
    __table_args__ = (UniqueConstraint("source_id", "external_id"),)
    id: int | None = Field(default=None, primary_key=True)
    source_id: str = Field(max_length=200)
    external_id: str = Field(max_length=1000)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    at: datetime = Field(sa_column=_ts())


class ProcedureRow(SQLModel, table=True):
    """A matter: one product before one agency (region)."""

    __tablename__ = "procedure"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True, unique=True, max_length=400)
    company: str | None = Field(default=None, max_length=300)
    product: str | None = Field(default=None, max_length=300)
    agency: str = Field(max_length=20)
    # A fresh random value whenever its events, timelines or facts change, in the same
    # transaction (`tracker.store.versions`): a state kept in memory is the procedure's
    # while the token it was kept under is.
    state_token: str | None = Field(default=None, max_length=32)


class EventRow(SQLModel, table=True):
    """A regulatory event read from a release, attached to its procedure."""

    __tablename__ = "event"
    id: int | None = Field(default=None, primary_key=True)
    procedure_key: str = Field(index=True, max_length=400)
    release_id: int = Field(foreign_key="release.id", index=True)
    type: str = Field(max_length=40)
    agency: str = Field(max_length=20)
    outcome: str | None = Field(default=None, max_length=20)
    product: str | None = Field(default=None, max_length=300)
    date: dt.date | None = None
    evidence: str = Field(sa_column=Column(Text, nullable=False))
    sentence: int = 0
    detail: str | None = Field(default=None, max_length=40)


class TimelineRow(SQLModel, table=True):
    """A timeline a release states."""

    __tablename__ = "timeline"
    id: int | None = Field(default=None, primary_key=True)
    procedure_key: str = Field(index=True, max_length=400)
    release_id: int = Field(foreign_key="release.id", index=True)
    start: dt.date
    end: dt.date
    milestone: str = Field(max_length=60)
    agency: str | None = Field(default=None, max_length=20)
    expression: str = Field(sa_column=Column(Text, nullable=False))
    evidence: str = Field(sa_column=Column(Text, nullable=False))
    sentence: int = 0
    offset_days: int | None = None
    anchor: str | None = Field(default=None, max_length=100)
    anchor_date: dt.date | None = None
    assumptions: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    estimate: bool = False


class FactRow(SQLModel, table=True):
    """A fact a person recorded for a procedure (a receipt date the releases lack)."""

    __tablename__ = "fact"
    __table_args__ = (UniqueConstraint("procedure_key", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    procedure_key: str = Field(index=True, max_length=400)
    name: str = Field(max_length=60)
    value: dt.date
    set_at: datetime = Field(sa_column=_ts())


class DeadlineRow(SQLModel, table=True):
    """The current revision of a deadline."""

    __tablename__ = "deadline"
    # The upcoming-deadlines query (open, from a date on, by date then key, a page at a time)
    # walks this index in order and stops at the page's end.
    __table_args__ = (Index("ix_deadline_status_end", "status", "end", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True, unique=True, max_length=500)
    procedure_key: str = Field(index=True, max_length=400)
    title: str = Field(sa_column=Column(Text, nullable=False))
    start: dt.date
    end: dt.date = Field(index=True)
    basis: str = Field(max_length=10)
    rule: str | None = Field(default=None, max_length=200)
    status: str = Field(max_length=12, index=True)
    evidence: str = Field(sa_column=Column(Text, nullable=False))
    assumptions: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    steps: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    notes: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    source: str | None = Field(default=None, sa_column=Column(Text))
    estimate: bool = False
    manual: bool = False
    # Who set the date by hand, when, and why (shown by explain, the calendar, the e-mails).
    manual_by: str | None = Field(default=None, max_length=200)
    manual_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    manual_note: str | None = Field(default=None, sa_column=Column(Text))
    # A person's close: "done" (met) or "dismissed" (not applicable), by whom, when, why.
    closed: str | None = Field(default=None, max_length=12)
    closed_by: str | None = Field(default=None, max_length=200)
    closed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    closed_note: str | None = Field(default=None, sa_column=Column(Text))
    revision: int = 0
    release_ref: str | None = Field(default=None, max_length=1000)
    # Whose word the evidence is: "company" or "agency" (none: a company's, stored before
    # the kind was kept); a hand-set date is told by `manual`.
    evidence_kind: str | None = Field(default=None, max_length=12)
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


class DeadlineHistoryRow(SQLModel, table=True):
    """A past revision of a deadline, kept forever."""

    __tablename__ = "deadline_history"
    id: int | None = Field(default=None, primary_key=True)
    deadline_key: str = Field(index=True, max_length=500)
    revision: int
    start: dt.date
    end: dt.date
    status: str = Field(max_length=12)
    basis: str = Field(max_length=10)
    evidence: str = Field(sa_column=Column(Text, nullable=False))
    reason: str = Field(sa_column=Column(Text, nullable=False))
    changed_at: datetime = Field(sa_column=_ts())


class ReminderLogRow(SQLModel, table=True):
    """A message claimed, then sent (or rejected) for one recipient.

    `kind` is lead (a reminder `tag` days ahead), moved (to the date in `tag`), cancelled,
    overdue or digest (`deadline_key` "digest", `tag` the period). The unique key makes a
    second copy impossible; `sent_end` remembers the date the recipient was told.
    """

    __tablename__ = "reminder_log"
    __table_args__ = (UniqueConstraint("deadline_key", "kind", "tag", "recipient"),)
    id: int | None = Field(default=None, primary_key=True)
    deadline_key: str = Field(index=True, max_length=500)
    kind: str = Field(max_length=12)
    tag: str = Field(default="", max_length=40)
    recipient: str = Field(max_length=300, index=True)
    message_id: str = Field(max_length=300)
    status: str = Field(max_length=12)
    sent_end: dt.date | None = None
    attempts: int = 0
    error: str | None = Field(default=None, sa_column=Column(Text))
    claimed_at: datetime = Field(sa_column=_ts())
    sent_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    retry_after: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    # Which run holds the claim: a run sends only while its token is still there.
    claim_token: str | None = Field(default=None, max_length=32)


class JobRunRow(SQLModel, table=True):
    """The outcome of one scheduled job run."""

    __tablename__ = "job_run"
    id: int | None = Field(default=None, primary_key=True)
    job_id: str = Field(index=True, max_length=200)
    started_at: datetime = Field(sa_column=_ts())
    finished_at: datetime = Field(sa_column=_ts())
    ok: bool
    summary: str = Field(sa_column=Column(Text, nullable=False))


class SchemaMigrationRow(SQLModel, table=True):
    """A migration that has been applied."""

    __tablename__ = "schema_migrations"
    name: str = Field(primary_key=True, max_length=200)
    applied_at: datetime = Field(sa_column=_ts())


class WebUserRow(SQLModel, table=True):
    """A person who signs in to the dashboard, with a role and a password hash (never the
    password)."""

    __tablename__ = "web_user"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=100)
    role: str = Field(max_length=10)
    password_hash: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_column=_ts())
    changed_at: datetime = Field(sa_column=_ts())


class WebSessionRow(SQLModel, table=True):
    """A signed-in browser: the cookie's id is stored hashed, so a copy of the database
    signs no one in. `last_seen` moves at most once a minute (idle expiry)."""

    __tablename__ = "web_session"
    id_hash: str = Field(primary_key=True, max_length=64)
    user_name: str = Field(index=True, max_length=100)
    csrf: str = Field(max_length=64)
    created_at: datetime = Field(sa_column=_ts())
    last_seen: datetime = Field(sa_column=_ts())


class WebSecretRow(SQLModel, table=True):
    """A server secret shared by every daemon on the database (the cookie signing key)."""

    __tablename__ = "web_secret"
    name: str = Field(primary_key=True, max_length=40)
    value: str = Field(max_length=200)


class WebSubscriptionRow(SQLModel, table=True):
    """A user's own calendar feed: a saved filter (company and product slugs, an authority;
    empty for any) served under a token of its own, for as long as the user exists."""

    __tablename__ = "web_subscription"
    id: int | None = Field(default=None, primary_key=True)
    user_name: str = Field(index=True, max_length=100)
    token: str = Field(index=True, unique=True, max_length=64)
    label: str = Field(max_length=200)
    company: str = Field(default="", max_length=300)
    product: str = Field(default="", max_length=300)
    agency: str = Field(default="", max_length=20)
    created_at: datetime = Field(sa_column=_ts())


class AuditRow(SQLModel, table=True):
    """One change a person made (or a release caused), kept forever: who, when, what, on
    which procedure and deadline, the value before and after, and the person's note."""

    __tablename__ = "audit"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    who: str = Field(index=True, max_length=200)
    action: str = Field(max_length=40)
    procedure_key: str | None = Field(default=None, index=True, max_length=400)
    target: str | None = Field(default=None, max_length=500)
    before: str | None = Field(default=None, sa_column=Column(Text))
    after: str | None = Field(default=None, sa_column=Column(Text))
    note: str | None = Field(default=None, sa_column=Column(Text))


class ProcedureNoteRow(SQLModel, table=True):
    """A note a person left on a procedure."""

    __tablename__ = "procedure_note"
    id: int | None = Field(default=None, primary_key=True)
    procedure_key: str = Field(index=True, max_length=400)
    who: str = Field(max_length=200)
    at: datetime = Field(sa_column=_ts())
    text: str = Field(sa_column=Column(Text, nullable=False))


class ProcedureAliasRow(SQLModel, table=True):
    """A name that stands for a company or a product (`kind`): a company's short or former
    name, a product's former or code name, or the name itself. Products are kept per company
    (`scope`, the company's slug; "" for companies). Learned from releases, first come first
    kept: a name is never re-pointed, so procedure keys never change."""

    __tablename__ = "procedure_alias"
    __table_args__ = (
        UniqueConstraint("kind", "scope", "alias"),
        Index("ix_procedure_alias_kind_alias", "kind", "alias"),
    )
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=10)
    scope: str = Field(default="", max_length=300)
    alias: str = Field(max_length=300)  # the slug looked up
    name: str = Field(max_length=300)  # as the release wrote it
    target: str = Field(max_length=300)  # the company's or product's name it stands for
    # When it was learned (none for the names an upgrade took from earlier procedures).
    created_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class ProcedureMergeRow(SQLModel, table=True):
    """A procedure a person merged into another (`into`): its key resolves there for future
    releases. `moved` lists, per table, the ids of the rows that came from it, so a split
    gives back exactly those; the procedure's own company, product and agency are kept."""

    __tablename__ = "procedure_merge"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True, unique=True, max_length=400)
    into: str = Field(index=True, max_length=400)
    company: str | None = Field(default=None, max_length=300)
    product: str | None = Field(default=None, max_length=300)
    agency: str = Field(max_length=20)
    moved: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    who: str = Field(max_length=200)
    at: datetime = Field(sa_column=_ts())


class AgencyDocumentRow(SQLModel, table=True):
    """An agency's own document (EMA's CHMP meeting highlights): a release whose events are
    the agency's word (`kind` of evidence "agency"), with the meeting it reports."""

    __tablename__ = "agency_document"
    id: int | None = Field(default=None, primary_key=True)
    release_id: int = Field(foreign_key="release.id", index=True, unique=True)
    source_id: str = Field(max_length=200)
    kind: str = Field(max_length=40)  # "chmp-highlights", "federal-register", "fda-adcomm"
    ref: str = Field(sa_column=Column(Text, nullable=False))  # its address (the release's ref)
    title: str = Field(sa_column=Column(Text, nullable=False))
    start: dt.date | None = None  # the meeting's first day
    end: dt.date | None = None  # and its last
    read_at: datetime = Field(sa_column=_ts())


class AgencyItemRow(SQLModel, table=True):
    """One item of an agency document (an opinion, a re-examination outcome, a withdrawal),
    with the procedure it was matched to, or why it was not (`tracker sources` lists those)."""

    __tablename__ = "agency_item"
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="agency_document.id", index=True)
    position: int = 0
    type: str = Field(max_length=40)
    outcome: str | None = Field(default=None, max_length=20)
    product: str = Field(max_length=300)
    substance: str | None = Field(default=None, max_length=300)
    applicant: str | None = Field(default=None, max_length=300)
    date: dt.date | None = None
    evidence: str = Field(sa_column=Column(Text, nullable=False))
    procedure_key: str | None = Field(default=None, index=True, max_length=400)
    reason: str | None = Field(default=None, sa_column=Column(Text))


class UnreadReleaseRow(SQLModel, table=True):
    """A release stored without being read: its language is one the reader does not read
    (only its date was taken). `tracker sources` lists them, newest first."""

    __tablename__ = "unread_release"
    id: int | None = Field(default=None, primary_key=True)
    source_id: str = Field(index=True, max_length=200)
    external_id: str = Field(max_length=1000)
    name: str = Field(max_length=1000)
    language: str = Field(max_length=20)
    at: datetime = Field(sa_column=_ts())
