"""Every query the tracker makes. Other modules ask the Store; they never build queries."""

from __future__ import annotations

import heapq
import itertools
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func
from sqlalchemy import event as sa_event
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, create_engine, select

from tracker.domain import (
    Deadline,
    Derivation,
    Event,
    Extraction,
    Procedure,
    ProcedureState,
    Sourced,
    Step,
    Timeline,
)
from tracker.identity import NameRow
from tracker.store.audit import AuditLog
from tracker.store.procedures import ProcedureNames
from tracker.store.tables import (
    DeadlineHistoryRow,
    DeadlineRow,
    EventRow,
    FactRow,
    JobRunRow,
    ProcedureRow,
    QuarantineRow,
    ReleaseRow,
    ReminderLogRow,
    SightingRow,
    SourceStateRow,
    TimelineRow,
)
from tracker.store.versions import StateCache, new_token
from tracker.vocabulary import LIVE, Closed, Status, status_on


def _table(model: type[SQLModel]) -> Any:
    """The Core table of a model: inserts through it skip the ORM's per-row bookkeeping."""
    return model.__table__  # type: ignore[attr-defined]


_INSERT_RELEASE = _table(ReleaseRow).insert().returning(_table(ReleaseRow).c.id)
_INSERT_SIGHTING = _table(SightingRow).insert()
# Built once: statements rebuilt per call pay for their cache key every time.
_FIND_SIGHTING = sa_select(_table(SightingRow).c.id, _table(SightingRow).c.release_id).where(
    _table(SightingRow).c.source_id == bindparam("s"),
    _table(SightingRow).c.external_id == bindparam("e"),
)
_R = _table(ReleaseRow).c
_EV = _table(EventRow).c
_TL = _table(TimelineRow).c
_PR = _table(ProcedureRow).c
_FA = _table(FactRow).c
_PROC_ROW = sa_select(_PR.key, _PR.company, _PR.product, _PR.agency).where(
    _PR.key == bindparam("k")
)
# A new state token where the procedure's is still `old`; the key comes back where it was.
# An UPDATE takes the row's lock (PostgreSQL: it waits for another writer, then tests the
# committed token; SQLite: the database's write lock is held already).
_SWAP_TOKEN = (
    _table(ProcedureRow)
    .update()
    .where(_PR.key == bindparam("k"), _PR.state_token == bindparam("old"))
    .values(state_token=bindparam("t"))
    .returning(_PR.key)
)
_SET_TOKEN = (
    _table(ProcedureRow)
    .update()
    .where(_PR.key == bindparam("k"))
    .values(state_token=bindparam("t"))
)
_PROC_EVENTS = (
    sa_select(
        _EV.type,
        _EV.agency,
        _EV.outcome,
        _EV.product,
        _EV.date,
        _EV.evidence,
        _EV.sentence,
        _EV.detail,
        _R.release_date,
        _R.ingested_at,
        func.coalesce(_R.url, _R.name).label("ref"),
    )
    .join_from(_table(EventRow), _table(ReleaseRow), _EV.release_id == _R.id)
    .where(_EV.procedure_key == bindparam("k"))
    .order_by(_EV.id)
)
_PROC_TIMELINES = (
    sa_select(
        _TL.start,
        _TL.end,
        _TL.milestone,
        _TL.agency,
        _TL.expression,
        _TL.evidence,
        _TL.sentence,
        _TL.offset_days,
        _TL.anchor,
        _TL.anchor_date,
        _TL.assumptions,
        _TL.estimate,
        _R.release_date,
        _R.ingested_at,
        func.coalesce(_R.url, _R.name).label("ref"),
    )
    .join_from(_table(TimelineRow), _table(ReleaseRow), _TL.release_id == _R.id)
    .where(_TL.procedure_key == bindparam("k"))
    .order_by(_TL.id)
)
_PROC_FACTS = sa_select(_FA.name, _FA.value).where(_FA.procedure_key == bindparam("k"))
_LOG = _table(ReminderLogRow)
_LOG_KEYS = ("deadline_key", "kind", "tag", "recipient")
_INSERT_LOG = {
    name: module.insert(_LOG)
    .on_conflict_do_nothing(index_elements=list(_LOG_KEYS))
    .returning(_LOG.c.id)
    for name, module in (("sqlite", sqlite_dialect), ("postgresql", pg_dialect))
}
_INSERT_SOURCE = {
    name: module.insert(_table(SourceStateRow)).on_conflict_do_nothing(index_elements=["source_id"])
    for name, module in (("sqlite", sqlite_dialect), ("postgresql", pg_dialect))
}
# A takeover succeeds only if the row is still as it was read: of two daemons taking over the
# same expired claim, one wins.
_TAKE_OVER_LOG = (
    _LOG.update()
    .where(
        _LOG.c.id == bindparam("row_id"),
        _LOG.c.status == bindparam("old_status"),
        _LOG.c.claimed_at == bindparam("old_claimed"),
    )
    .values(status="claimed", claimed_at=bindparam("now"), claim_token=bindparam("token"))
    .returning(_LOG.c.id)
)
_LOG_WHERE = (
    _LOG.c.deadline_key == bindparam("k"),
    _LOG.c.kind == bindparam("kd"),
    _LOG.c.tag == bindparam("t"),
    _LOG.c.recipient == bindparam("r"),
)
# Just before sending: still ours? Then the lease restarts now.
_CONFIRM_LOG = (
    _LOG.update()
    .where(*_LOG_WHERE, _LOG.c.status == "claimed", _LOG.c.claim_token == bindparam("token"))
    .values(claimed_at=bindparam("now"))
    .returning(_LOG.c.id)
)
_FINISH_LOG = (
    _LOG.update()
    .where(*_LOG_WHERE)
    .values(
        status=bindparam("status"),
        error=bindparam("error"),
        retry_after=bindparam("retry_after"),
        sent_at=bindparam("sent_at"),
        attempts=_LOG.c.attempts + bindparam("bump"),
    )
)
_LATEST_CHANGE = sa_select(
    func.max(_table(DeadlineRow).c.updated_at),
    func.max(_table(DeadlineRow).c.id),
    sa_select(func.max(_table(DeadlineHistoryRow).c.id)).scalar_subquery(),
)
_FIND_TEXT = sa_select(_table(ReleaseRow).c.id).where(_table(ReleaseRow).c.sha256 == bindparam("h"))
# ON CONFLICT DO NOTHING ... RETURNING: a row comes back only when this call inserted it
# (rowcount is not reliable across drivers for these statements).
_INSERT_PROCEDURE = {
    name: module.insert(_table(ProcedureRow))
    .on_conflict_do_nothing(index_elements=["key"])
    .returning(_table(ProcedureRow).c.id)
    for name, module in (("sqlite", sqlite_dialect), ("postgresql", pg_dialect))
}


def make_engine(url: str) -> Engine:
    """An engine with the pragmas the daemon needs (WAL, foreign keys, busy timeout)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @sa_event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            if ":memory:" not in url and url != "sqlite://":
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


class Store(AuditLog, ProcedureNames):
    """The database: releases, procedures, events, timelines, facts, deadlines, reminders."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._kept = StateCache()  # procedures' states between releases (`versions`)

    def migrate(self, now: datetime) -> list[str]:
        """Bring the schema up to date (see `tracker.store.migrations`); returns the
        migrations applied now."""
        from tracker.store.migrations import upgrade

        return upgrade(self.engine, now)

    def pending_migrations(self) -> list[str]:
        """Migrations the database has not had yet."""
        from tracker.store.migrations import pending

        return pending(self.engine)

    def close(self) -> None:
        """Release every connection."""
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on any error."""
        with Session(self.engine, expire_on_commit=False) as s:
            try:
                yield s
                s.commit()
            except BaseException:
                s.rollback()
                raise

    @contextmanager
    def _using(self, session: Session | None) -> Iterator[Session]:
        """The caller's session (its transaction), or a new one that commits."""
        if session is not None:
            yield session
        else:
            with self.session() as s:
                yield s

    @contextmanager
    def transaction(self, session: Session | None = None) -> Iterator[Session]:
        """One release's transaction: a savepoint of the caller's batch session (one failing
        release never takes others with it), or a session of its own that commits."""
        if session is not None:
            with session.begin_nested():
                yield session
        else:
            with self.session() as s:
                yield s

    # releases

    def save_release(
        self,
        s: Session,
        x: Extraction,
        source_id: str,
        external_id: str,
        url: str | None,
        now: datetime,
        groups: dict[Procedure, tuple[list[Event], list[Timeline]]],
        names: Iterable[NameRow] = (),
    ) -> Saved:
        """Store a release with its events and timelines, in the caller's transaction.

        The outcome is "new", "duplicate" (the same text seen elsewhere: one release, another
        sighting), "unchanged" (seen here before) or "changed" (its text was corrected: events
        re-read, history kept). For each procedure the release touched, the state its
        deadlines derive from comes back: the state kept from the previous release extended
        by this one's items when the procedure's token shows it current, else read whole.
        `names` are the names the release taught (`tracker.identity.Naming.resolve`).
        """
        conn = s.connection()
        sight = conn.execute(_FIND_SIGHTING, {"s": source_id, "e": external_id}).first()
        same_id = conn.execute(_FIND_TEXT, {"h": x.text_sha256}).scalar()
        if same_id is None and url and url.startswith(("http://", "https://")) and not sight:
            # The same address seen through another source (a feed and a news page).
            same_id = s.execute(
                sa_select(SightingRow.release_id).where(SightingRow.url == _canonical(url))  # type: ignore[call-overload]
            ).scalar()
        # Where a reader finds the release: its web address when it has one.
        ref = url if url and url.startswith(("http://", "https://")) else x.source
        forgotten: set[str] = set()
        if sight is not None:
            sighting = s.get(SightingRow, sight[0])
            assert sighting is not None
            sighting.last_seen = now
            s.add(sighting)
            if same_id is not None:
                if sighting.release_id == same_id:
                    return Saved("unchanged", ref)
                sighting.release_id = same_id  # corrected into a text seen elsewhere
                return Saved("duplicate", ref)
            release = s.get(ReleaseRow, sighting.release_id)
            assert release is not None and release.id is not None
            forgotten = self._forget_contents(s, release.id)
            _fill_release(release, x)
            s.add(release)
            s.flush()
            release_id, outcome = release.id, "changed"
        elif same_id is not None:
            s.add(_sighting(source_id, external_id, url, same_id, now))
            return Saved("duplicate", ref)
        else:
            release_id, outcome = self._insert_release(s, x, source_id, external_id, url, now)
        tokens = {p.key: new_token() for p in groups}
        created = {p.key for p in groups if self._ensure_procedure(s, p, tokens[p.key])}
        self.learn_names(names, now, session=s)
        touched = sorted(forgotten | {p.key for p in groups})
        known = [k for k in touched if k not in created]
        released = x.release.date or now.astimezone(UTC).date()
        added: dict[str, tuple[list[Sourced], list[Sourced]]] = {}
        event_rows: list[dict[str, Any]] = []
        timeline_rows: list[dict[str, Any]] = []
        for p, (events, timelines) in groups.items():
            items = added.setdefault(p.key, ([], []))
            for e in events:
                event_rows.append(_event_values(p.key, release_id, e))
                items[0].append(Sourced(_as_stored(e), released, ref))
            for t in timelines:
                timeline_rows.append(_timeline_values(p.key, release_id, t))
                items[1].append(Sourced(_as_stored_timeline(t), released, ref))
        # Core bulk inserts: the ORM's per-object work would cost more than the extraction.
        if event_rows:
            conn.execute(_table(EventRow).insert(), event_rows)
        if timeline_rows:
            conn.execute(_table(TimelineRow).insert(), timeline_rows)
        # A state kept for a procedure is its state if the procedure's token is still the one
        # it was kept under: the new token is written only where it is (compare and set,
        # under the row's lock), and the others get theirs and are read back whole.
        kept_for = {} if outcome == "changed" else self._kept.take_all(known)
        fresh_tokens = {k: new_token() for k in known}
        current = {
            k
            for k in sorted(kept_for)
            if conn.execute(
                _SWAP_TOKEN, {"k": k, "old": kept_for[k][0], "t": fresh_tokens[k]}
            ).first()
        }
        stale = [k for k in known if k not in current]
        if stale:
            conn.execute(_SET_TOKEN, [{"k": k, "t": fresh_tokens[k]} for k in stale])
        tokens.update(fresh_tokens)
        self._kept.count(len(current), len(stale))
        from tracker.store.agency import agency_refs, agency_word, annotated

        published, is_agency = agency_word(conn, ref)
        # A corrected release is read back whole: its address and name may have changed.
        mine = {ref} if is_agency and outcome != "changed" else set()
        states: dict[str, ProcedureState] = {}
        procs = {p.key: p for p in groups}
        for key in touched:
            evs, tls = added.get(key, ([], []))
            kept: tuple[ProcedureState, set[str]] | None = None
            if outcome != "changed" and key in created:
                # A procedure this release opens: everything known is in hand already.
                kept = ProcedureState(procs[key], evs, tls), set(mine if evs else ())
            elif key in current:
                kept = kept_for[key][1], kept_for[key][2]
                kept[0].events.extend(evs)
                kept[0].timelines.extend(tls)
                kept[1].update(mine if evs else ())
            if kept is None:
                state = self._read_state(conn, key)
                kept = state, agency_refs(conn, {e.release_ref for e in state.events})
            self._kept.keep(key, tokens[key], *kept)
            states[key] = annotated(published, *kept)
        return Saved(outcome, ref, states, frozenset(created))

    @staticmethod
    def _insert_release(
        s: Session,
        x: Extraction,
        source_id: str,
        external_id: str,
        url: str | None,
        now: datetime,
    ) -> tuple[int, str]:
        conn = s.connection()
        release_id = conn.execute(
            _INSERT_RELEASE,
            {
                "sha256": x.text_sha256,
                "source_id": source_id,
                "external_id": external_id,
                "ingested_at": now,
                "url": url if url and url.startswith(("http://", "https://")) else None,
                **_release_values(x),
            },
        ).scalar_one()
        conn.execute(
            _INSERT_SIGHTING,
            {
                "source_id": source_id,
                "external_id": external_id,
                "url": _canonical(url) if url else None,
                "release_id": release_id,
                "first_seen": now,
                "last_seen": now,
            },
        )
        return int(release_id), "new"

    @staticmethod
    def _forget_contents(s: Session, release_id: int) -> set[str]:
        """Delete a release's events and timelines; returns the procedures they touched."""
        keys: set[str] = set()
        for table in (EventRow, TimelineRow):
            rows: Any = s.exec(select(table).where(col(table.release_id) == release_id)).all()
            for row in rows:
                keys.add(row.procedure_key)
                s.delete(row)
        s.flush()
        return keys

    def quarantine(self, source_id: str, external_id: str, reason: str, now: datetime) -> None:
        """Record an item that could not be read, with the reason (latest wins)."""
        with self.session() as s:
            row = s.exec(
                select(QuarantineRow).where(
                    QuarantineRow.source_id == source_id, QuarantineRow.external_id == external_id
                )
            ).first()
            row = row or QuarantineRow(
                source_id=source_id, external_id=external_id, reason="", at=now
            )
            row.reason, row.at = reason[:2000], now
            s.add(row)

    def quarantined(self, source_id: str | None = None) -> list[QuarantineRow]:
        """Quarantined items, newest first."""
        with Session(self.engine) as s:
            q = select(QuarantineRow).order_by(col(QuarantineRow.at).desc())
            if source_id:
                q = q.where(QuarantineRow.source_id == source_id)
            return list(s.exec(q).all())

    def seen(self, source_id: str, external_id: str) -> bool:
        """True if this source has delivered this item before."""
        with Session(self.engine) as s:
            return (
                s.exec(
                    select(SightingRow.id).where(
                        SightingRow.source_id == source_id, SightingRow.external_id == external_id
                    )
                ).first()
                is not None
            )

    def source_state(self, source_id: str) -> SourceStateRow:
        """A source's cursor and counters (a fresh one if it never ran)."""
        with Session(self.engine) as s:
            row = s.get(SourceStateRow, source_id)
            return row or SourceStateRow(source_id=source_id)

    def take_source(self, source_id: str, now: datetime, seconds: float) -> bool:
        """Lease a source for one run: of several daemons, one polls it per interval."""
        table = _table(SourceStateRow)
        with self.session() as s:
            conn = s.connection()
            conn.execute(
                _INSERT_SOURCE[conn.dialect.name], {"source_id": source_id, "cursor": "{}"}
            )
            won = conn.execute(
                table.update()
                .where(
                    table.c.source_id == source_id,
                    (table.c.lease_until.is_(None)) | (table.c.lease_until <= now),
                )
                .values(lease_until=now + timedelta(seconds=seconds))
                .returning(table.c.source_id)
            ).first()
            return won is not None

    def take_publication(self, key: str, version: str, now: datetime, seconds: float) -> bool:
        """Claim the job of publishing `key` at `version`: False when that version is already
        published or another daemon is publishing it (its lease not yet run out)."""
        table = _table(SourceStateRow)
        with self.session() as s:
            conn = s.connection()
            conn.execute(_INSERT_SOURCE[conn.dialect.name], {"source_id": key, "cursor": ""})
            won = conn.execute(
                table.update()
                .where(
                    table.c.source_id == key,
                    table.c.cursor != version,
                    (table.c.lease_until.is_(None)) | (table.c.lease_until <= now),
                )
                .values(lease_until=now + timedelta(seconds=seconds))
                .returning(table.c.source_id)
            ).first()
            return won is not None

    def publication_done(self, key: str, version: str, now: datetime) -> None:
        """Record `key` as published at `version` and release the claim."""
        table = _table(SourceStateRow)
        with self.session() as s:
            s.connection().execute(
                table.update()
                .where(table.c.source_id == key)
                .values(cursor=version, lease_until=None, last_run=now, last_ok=now)
            )

    def save_source_state(self, row: SourceStateRow) -> None:
        """Store a source's cursor and counters."""
        with self.session() as s:
            s.merge(row)

    @staticmethod
    def _ensure_procedure(s: Session, proc: Procedure, token: str | None = None) -> bool:
        """Create the procedure (with its first state token) if it is new; True when it was."""
        values = {
            "key": proc.key,
            "company": proc.company,
            "product": proc.product,
            "agency": proc.agency,
            "state_token": token,
        }
        dialect = s.get_bind().dialect.name
        if dialect in _INSERT_PROCEDURE:
            inserted = s.connection().execute(_INSERT_PROCEDURE[dialect], values).first()
            return inserted is not None
        if s.exec(select(ProcedureRow.id).where(ProcedureRow.key == proc.key)).first() is None:
            s.add(ProcedureRow(**values))  # type: ignore[arg-type]
            s.flush()
            return True
        return False

    def procedure(self, key: str) -> Procedure | None:
        """A procedure by key."""
        with Session(self.engine) as s:
            row = s.exec(select(ProcedureRow).where(ProcedureRow.key == key)).first()
            return Procedure(row.key, row.company, row.product, row.agency) if row else None

    def procedure_keys(self) -> list[str]:
        """Every procedure key."""
        with Session(self.engine) as s:
            return list(s.exec(select(ProcedureRow.key).order_by(ProcedureRow.key)).all())

    def procedure_state(self, key: str, session: Session | None = None) -> ProcedureState:
        """Everything known about a procedure, for the rule engine (read whole, the
        caller's own: `save_release` hands a release's writer the states kept between
        releases)."""
        from tracker.store.agency import agency_refs, annotated, published

        with self._using(session) as s:
            conn = s.connection()
            state = self._read_state(conn, key)
            refs = agency_refs(conn, {e.release_ref for e in state.events})
            return annotated(published(conn), state, refs)

    @staticmethod
    def _read_state(conn: Any, key: str) -> ProcedureState:
        """A procedure's events, timelines and facts as stored, in reading order; the
        release's date, else the day it was read, dates each."""
        p = conn.execute(_PROC_ROW, {"k": key}).mappings().one()
        state = ProcedureState(Procedure(p["key"], p["company"], p["product"], p["agency"]))
        for r in conn.execute(_PROC_EVENTS, {"k": key}).mappings():
            item = Event(
                r["type"],
                r["agency"],
                r["outcome"],
                r["product"],
                r["date"],
                r["evidence"],
                r["sentence"],
                r["detail"],
            )
            when = r["release_date"] or r["ingested_at"].date()
            state.events.append(Sourced(item, when, r["ref"]))
        for r in conn.execute(_PROC_TIMELINES, {"k": key}).mappings():
            raw = r["assumptions"]
            tl = Timeline(
                r["start"],
                r["end"],
                r["milestone"],
                r["agency"],
                r["expression"],
                r["evidence"],
                r["sentence"],
                r["offset_days"],
                r["anchor"],
                r["anchor_date"],
                tuple(json.loads(raw)) if raw and raw != "[]" else (),
                r["estimate"],
            )
            when = r["release_date"] or r["ingested_at"].date()
            state.timelines.append(Sourced(tl, when, r["ref"]))
        for r in conn.execute(_PROC_FACTS, {"k": key}).mappings():
            state.facts[r["name"]] = r["value"]
        return state

    def set_fact(
        self, key: str, name: str, value: date, now: datetime, session: Session | None = None
    ) -> date | None:
        """Record (or replace) a fact about a procedure; returns the value it replaced."""
        with self._using(session) as s:
            row = s.exec(
                select(FactRow).where(FactRow.procedure_key == key, FactRow.name == name)
            ).first()
            if row is None:
                s.add(FactRow(procedure_key=key, name=name, value=value, set_at=now))
                return None
            before = row.value
            row.value, row.set_at = value, now
            s.add(row)
            return before

    def unset_fact(self, key: str, name: str, session: Session | None = None) -> date | None:
        """Forget a recorded fact; returns the value it had (None when there was none)."""
        with self._using(session) as s:
            row = s.exec(
                select(FactRow).where(FactRow.procedure_key == key, FactRow.name == name)
            ).first()
            if row is None:
                return None
            s.delete(row)
            return row.value

    def facts(self, key: str) -> dict[str, date]:
        """The facts recorded for a procedure."""
        with Session(self.engine) as s:
            rows = s.exec(select(FactRow).where(FactRow.procedure_key == key)).all()
            return {r.name: r.value for r in rows}

    # deadlines

    def reconcile(
        self,
        procedure: Procedure,
        derived: list[Derivation],
        now: datetime,
        session: Session | None = None,
        fresh: bool = False,
    ) -> dict[str, int]:
        """Bring a procedure's stored deadlines in line with a fresh derivation.

        A changed deadline keeps its key, gets a new revision and leaves its old
        state in the history. A deadline no longer derived is cancelled, never deleted.
        """
        counts = {"new": 0, "changed": 0, "unchanged": 0, "cancelled": 0}
        with self._using(session) as s:
            conn = s.connection()
            # Core rows, compared as stored: only a row that changes is loaded as an object.
            rows: dict[str, Any] = (
                {}
                if fresh
                else {r.key: r for r in conn.execute(_PROC_DEADLINES, {"k": procedure.key})}
            )
            inserts: list[dict[str, Any]] = []
            merged = _merged_rows(procedure.key, rows)
            for d in derived:
                row = rows.pop(d.key, None)
                if row is None and d.key in merged:
                    # A deadline that came with a merged procedure keeps its key and history.
                    row = rows.pop(merged.pop(d.key).key)
                    d = replace(d, key=row.key)
                values = _deadline_values(procedure.key, d, now)
                if row is None:
                    inserts.append(values)
                    counts["new"] += 1
                    continue
                if _as_stored_already(row, values):
                    counts["unchanged"] += 1
                    continue
                orm = s.get(DeadlineRow, row.id)
                assert orm is not None
                if orm.closed:
                    d = replace(d, status=Closed(orm.closed).status)  # a person closed it
                elif orm.manual and d.status in LIVE:
                    # A hand-set date is owed until that date, whatever the derived one says.
                    d = replace(d, status=Status.OPEN)
                if _differs(orm, d):
                    self._revise(s, orm, d, now)
                    counts["changed"] += 1
                else:
                    counts["unchanged"] += 1
            for row in rows.values():
                if row.status not in ("cancelled", "met") and not row.manual:
                    orm = s.get(DeadlineRow, row.id)
                    assert orm is not None
                    own = orm.key.startswith(procedure.key + "/")
                    _history(s, orm, _NO_LONGER if own else _DUPLICATE, now)
                    orm.status, orm.revision, orm.updated_at = "cancelled", orm.revision + 1, now
                    s.add(orm)
                    counts["cancelled"] += 1
            if inserts:
                conn.execute(_table(DeadlineRow).insert(), inserts)
        return counts

    @staticmethod
    def _revise(s: Session, row: DeadlineRow, d: Derivation, now: datetime) -> None:
        moved = (row.start, row.end) != (d.start, d.end)
        reason = "superseded" if moved else f"status {row.status} -> {d.status}"
        _history(s, row, reason, now)
        if not (row.manual and moved):
            row.start, row.end = d.start, d.end
            row.basis, row.rule, row.title = d.basis, d.rule, d.title
            row.evidence, row.source, row.estimate = d.evidence, d.source, d.estimate
            row.assumptions = json.dumps(list(d.assumptions))
            row.steps = json.dumps([[st.label, st.text] for st in d.steps])
            row.notes = json.dumps(list(d.notes))
            row.release_ref = d.release_ref
            row.evidence_kind = d.evidence_kind
        row.status = d.status
        row.revision += 1
        row.updated_at = now
        s.add(row)

    def _deadline_row(self, s: Session, key: str) -> DeadlineRow:
        row = s.exec(select(DeadlineRow).where(DeadlineRow.key == key)).first()
        if row is None:
            from tracker.errors import NotFoundError

            raise NotFoundError(f"no deadline with key '{key}'")
        return row

    def set_deadline_date(
        self,
        key: str,
        start: date,
        end: date,
        now: datetime,
        who: str | None = None,
        note: str | None = None,
        session: Session | None = None,
    ) -> tuple[date, date]:
        """Set a deadline's date by hand; recalculations never overwrite it, and it is owed
        (open) until that date. Returns the dates it had before."""
        with self._using(session) as s:
            row = self._deadline_row(s, key)
            before = (row.start, row.end)
            _history(s, row, "date set by hand", now)
            row.start, row.end, row.manual = start, end, True
            row.manual_by, row.manual_at, row.manual_note = who, now, note
            if row.status in LIVE or row.status == Status.MISSED:
                row.status = Status.OPEN
            row.revision += 1
            row.updated_at = now
            s.add(row)
            return before

    def unset_deadline_date(
        self, key: str, now: datetime, session: Session | None = None
    ) -> tuple[date, date]:
        """Give a hand-set deadline back to the derivation (the next one sets its date)."""
        with self._using(session) as s:
            row = self._deadline_row(s, key)
            if not row.manual:
                from tracker.errors import UsageError

                raise UsageError(f"deadline '{key}' has no hand-set date")
            before = (row.start, row.end)
            _history(s, row, "hand-set date removed", now)
            row.manual, row.manual_by, row.manual_at, row.manual_note = False, None, None, None
            row.revision += 1
            row.updated_at = now
            s.add(row)
            return before

    def close_deadline(
        self,
        key: str,
        how: Closed,
        now: datetime,
        who: str | None = None,
        note: str | None = None,
        session: Session | None = None,
    ) -> str:
        """A person marks a deadline done (met) or not applicable (cancelled); returns the
        status it had."""
        with self._using(session) as s:
            row = self._deadline_row(s, key)
            before = row.closed or row.status
            _history(s, row, f"marked {how.value} by hand", now)
            row.closed, row.closed_by, row.closed_at, row.closed_note = how.value, who, now, note
            row.status = how.status
            row.revision += 1
            row.updated_at = now
            s.add(row)
            return before

    def reopen_deadline(self, key: str, now: datetime, session: Session | None = None) -> str:
        """Undo a person's close (the next derivation gives the status back); returns what the
        close was."""
        with self._using(session) as s:
            row = self._deadline_row(s, key)
            if not row.closed:
                from tracker.errors import UsageError

                raise UsageError(f"deadline '{key}' was not closed by hand")
            before = row.closed
            _history(s, row, f"{row.closed} mark removed", now)
            row.closed, row.closed_by, row.closed_at, row.closed_note = None, None, None, None
            row.status = Status.OPEN
            row.revision += 1
            row.updated_at = now
            s.add(row)
            return before

    def deadlines(
        self, include_all: bool = True, today: date | None = None, procedure_key: str | None = None
    ) -> list[Deadline]:
        """Stored deadlines ordered by end date; only open ones from `today` unless include_all."""
        with Session(self.engine) as s:
            q = select(DeadlineRow, ProcedureRow).join(
                ProcedureRow, col(ProcedureRow.key) == col(DeadlineRow.procedure_key)
            )
            if procedure_key:
                q = q.where(DeadlineRow.procedure_key == procedure_key)
            if not include_all:
                q = q.where(DeadlineRow.status == "open")
                if today is not None:
                    q = q.where(DeadlineRow.end >= today)
            q = q.order_by(col(DeadlineRow.end), col(DeadlineRow.key))
            out = []
            for row, prow in s.exec(q).all():
                out.append(_to_deadline(row, prow, today))
            return out

    def _query_deadlines(self, where: Any, today: date | None) -> list[Deadline]:
        with self.engine.connect() as conn:
            q = _DEADLINE_SELECT.where(where).order_by(_DL.c.end, _DL.c.key)
            return [_row_deadline(r, today) for r in conn.execute(q)]

    def deadline_pages(
        self,
        today: date | None,
        statuses: Iterable[str] | None = ("open",),
        start: date | None = None,
        end: date | None = None,
        region: str | None = None,
        after: tuple[date, str] | None = None,
        batch: int = 500,
    ) -> Iterator[Deadline]:
        """Deadlines by (end, key), read a batch at a time from the position `after` (keyset
        paging on the (status, end, key) index): the first page of the upcoming deadlines
        costs the same on a thousand rows as on a million. `start`/`end` keep the deadlines
        whose window meets that span; `region` keeps one authority's procedures."""
        where: list[Any] = []
        if statuses is not None:
            where.append(_DL.c.status.in_(list(statuses)))
        if start is not None:
            where.append(_DL.c.end >= start)
        if end is not None:
            where.append(_DL.c.start <= end)
        if region is not None:
            where.append(_PR.c.agency == region)
        return self._pages(where, today, after, batch)

    def _pages(
        self, where: list[Any], today: date | None, after: tuple[date, str] | None, batch: int
    ) -> Iterator[Deadline]:
        """Deadlines matching `where` by (end, key), one short query per batch: memory stays
        flat however many there are, and no read transaction stays open in between."""
        while True:
            page = list(where)
            if after is not None:
                page.append(
                    (_DL.c.end > after[0]) | ((_DL.c.end == after[0]) & (_DL.c.key > after[1]))
                )
            with self.engine.connect() as conn:
                rows = conn.execute(
                    _DEADLINE_SELECT.where(*page).order_by(_DL.c.end, _DL.c.key).limit(batch)
                ).all()
            for r in rows:
                yield _row_deadline(r, today)
            if len(rows) < batch:
                return
            after = (rows[-1].end, rows[-1].key)

    def upcoming(self, today: date, limit: int = 100) -> list[Deadline]:
        """The next `limit` open deadlines from `today` on, soonest first."""
        return list(itertools.islice(self.deadline_pages(today, start=today, batch=limit), limit))

    def iter_current_deadlines(
        self, today: date, changed_since: datetime, statuses: Iterable[str] = ("open",)
    ) -> Iterator[Deadline]:
        """What a calendar shows, a batch at a time by (end, key): deadlines in `statuses`
        and any changed since `changed_since` (recently closed ones stay a while, marked).
        One stream per status walks the (status, end, key) index, one more takes the few
        other recently changed rows; merged in order, so no query scans the history."""
        wanted = sorted(set(statuses))
        streams = [self._pages([_DL.c.status == st], today, None, 1000) for st in wanted]
        recent = [_DL.c.updated_at >= changed_since, _DL.c.status.not_in(wanted)]
        streams.append(self._pages(recent, today, None, 1000))
        return heapq.merge(*streams, key=lambda d: (d.end, d.key))

    def reminder_deadlines(self, today: date, horizon_days: int) -> list[Deadline]:
        """What reminders can concern: open deadlines up to the longest lead time ahead, and
        any deadline someone was told about (it may have moved, closed or passed)."""
        told = select(ReminderLogRow.deadline_key).where(ReminderLogRow.status == "sent")
        near = (
            (col(DeadlineRow.status) == "open")
            & (col(DeadlineRow.end) >= today)
            & (col(DeadlineRow.end) <= today + timedelta(days=horizon_days))
        )
        return self._query_deadlines(near | col(DeadlineRow.key).in_(told), today)

    def mark_passed(self, today: date, now: datetime) -> int:
        """Open deadlines whose date is behind us become passed (history kept): nothing says
        whether the step was taken. Returns how many."""
        with self.session() as s:
            rows = s.exec(
                select(DeadlineRow).where(
                    DeadlineRow.status == Status.OPEN,
                    DeadlineRow.end < today,
                    col(DeadlineRow.closed).is_(None),
                )
            ).all()
            for row in rows:
                _history(s, row, "its date passed with no news", now)
                row.status, row.revision, row.updated_at = Status.PASSED, row.revision + 1, now
                s.add(row)
            return len(rows)

    def deadline(self, key: str) -> Deadline | None:
        """One deadline by key."""
        with Session(self.engine) as s:
            hit = s.exec(
                select(DeadlineRow, ProcedureRow)
                .join(ProcedureRow, col(ProcedureRow.key) == col(DeadlineRow.procedure_key))
                .where(DeadlineRow.key == key)
            ).first()
            return _to_deadline(hit[0], hit[1], None) if hit else None

    def history(self, key: str) -> list[DeadlineHistoryRow]:
        """The past revisions of a deadline, oldest first."""
        with Session(self.engine) as s:
            return list(
                s.exec(
                    select(DeadlineHistoryRow)
                    .where(DeadlineHistoryRow.deadline_key == key)
                    .order_by(col(DeadlineHistoryRow.revision))
                ).all()
            )

    # reminders

    def reminder_log(
        self, deadline_keys: Iterable[str] | None = None
    ) -> dict[tuple[str, str, str, str], ReminderLogRow]:
        """Messages claimed, sent, deferred or rejected, by (deadline, kind, tag, to): every
        one, or those about `deadline_keys` (and the digests), read by the indexed key."""
        with Session(self.engine) as s:
            if deadline_keys is None:
                rows = list(s.exec(select(ReminderLogRow)))
            else:
                wanted = sorted({*deadline_keys, "digest"})
                rows = []
                for i in range(0, len(wanted), 500):
                    q = select(ReminderLogRow).where(
                        col(ReminderLogRow.deadline_key).in_(wanted[i : i + 500])
                    )
                    rows += s.exec(q)
            return {(r.deadline_key, r.kind, r.tag, r.recipient): r for r in rows}

    def claim_messages(
        self,
        wanted: list[tuple[tuple[str, str, str, str], str, date | None]],
        now: datetime,
        lease: timedelta = timedelta(minutes=10),
        token: str = "",
    ) -> set[tuple[str, str, str, str]]:
        """Claim messages before sending them, in one transaction; returns those claimed.

        Each entry is ((deadline_key, kind, tag, recipient), message_id, sent_end). A message
        sent, rejected, claimed by a live run or deferred until later is not claimed; a claim
        older than `lease` (its sender died) and a deferral that is due are taken over, by
        one run only. `token` names the run: `confirm_message` checks it before each send.
        """
        claimed: set[tuple[str, str, str, str]] = set()
        if not wanted:
            return claimed
        with self.session() as s:
            conn = s.connection()
            existing: dict[tuple[str, str, str, str], Any] = {}
            deadline_keys = sorted({keys[0] for keys, _mid, _end in wanted})
            for i in range(0, len(deadline_keys), 500):
                q = sa_select(_LOG).where(_LOG.c.deadline_key.in_(deadline_keys[i : i + 500]))
                for r in conn.execute(q):
                    existing[(r.deadline_key, r.kind, r.tag, r.recipient)] = r
            for keys, mid, sent_end in wanted:
                row = existing.get(keys)
                if row is None:
                    values = dict(
                        zip(_LOG_KEYS, keys, strict=True),
                        message_id=mid,
                        status="claimed",
                        sent_end=sent_end,
                        claimed_at=now,
                        attempts=0,
                        claim_token=token,
                    )
                    if conn.execute(_INSERT_LOG[conn.dialect.name], values).first() is not None:
                        claimed.add(keys)
                    continue
                stale = row.status == "claimed" and row.claimed_at + lease <= now
                due = row.status == "deferred" and (
                    row.retry_after is None or row.retry_after <= now
                )
                if (stale or due) and conn.execute(
                    _TAKE_OVER_LOG,
                    {
                        "row_id": row.id,
                        "old_status": row.status,
                        "old_claimed": row.claimed_at,
                        "now": now,
                        "token": token,
                    },
                ).first():
                    claimed.add(keys)
        return claimed

    def confirm_message(self, keys: tuple[str, str, str, str], token: str, now: datetime) -> bool:
        """Just before sending: True if the claim is still this run's (its lease restarts);
        False if another run took it over meanwhile, and must not be sent."""
        with self.engine.begin() as conn:
            values = {**dict(zip(("k", "kd", "t", "r"), keys, strict=True)), "token": token}
            return conn.execute(_CONFIRM_LOG, {**values, "now": now}).first() is not None

    def claim_message(
        self,
        deadline_key: str,
        kind: str,
        tag: str,
        recipient: str,
        message_id: str,
        sent_end: date | None,
        now: datetime,
    ) -> bool:
        """Claim one message (see `claim_messages`)."""
        keys = (deadline_key, kind, tag, recipient)
        return keys in self.claim_messages([(keys, message_id, sent_end)], now)

    def finish_messages(
        self,
        results: list[tuple[tuple[str, str, str, str], str, str | None, datetime | None]],
        now: datetime,
    ) -> None:
        """Record claimed messages as sent, deferred (retry later) or rejected, in one go."""
        if not results:
            return
        with self.session() as s:
            conn = s.connection()
            for keys, status, error, retry_after in results:
                conn.execute(
                    _FINISH_LOG,
                    {
                        **dict(zip(("k", "kd", "t", "r"), keys, strict=True)),
                        "status": status,
                        "error": error,
                        "retry_after": retry_after,
                        "sent_at": now if status == "sent" else None,
                        "bump": 0 if status == "sent" else 1,
                    },
                )

    def rejected_messages(self) -> list[ReminderLogRow]:
        """Messages the mail server refused for good, newest first."""
        with Session(self.engine) as s:
            return list(
                s.exec(
                    select(ReminderLogRow)
                    .where(ReminderLogRow.status == "rejected")
                    .order_by(col(ReminderLogRow.claimed_at).desc())
                )
            )

    def version(self) -> str:
        """A token that changes whenever any deadline does: the latest `updated_at`, and the
        newest deadline and revision ids (every change adds a history row or a deadline),
        so a change stamped no later than the last one (a clock set back) still shows.
        Three indexed lookups; a feed or the calendar rebuilds only when it moves."""
        with self.engine.connect() as conn:
            return "|".join(str(v) for v in conn.execute(_LATEST_CHANGE).one())

    def job_health(self) -> dict[str, dict[str, Any]]:
        """Per job: its latest run, latest success and latest failure."""
        out: dict[str, dict[str, Any]] = {}
        with Session(self.engine) as s:
            rows = s.exec(select(JobRunRow).order_by(col(JobRunRow.finished_at).desc()).limit(500))
            for r in rows:
                job = out.setdefault(
                    r.job_id, {"last_run": r.finished_at.isoformat(), "summary": r.summary}
                )
                job.setdefault(
                    "last_success" if r.ok else "last_failure", r.finished_at.isoformat()
                )
        return out

    def ping(self) -> bool:
        """True when the database answers."""
        try:
            with self.engine.connect() as conn:
                conn.execute(sa_select(1))
            return True
        except Exception:  # any driver error means "not reachable"
            return False

    def releases(self, limit: int = 100) -> list[ReleaseRow]:
        """The latest releases."""
        with Session(self.engine) as s:
            return list(s.exec(select(ReleaseRow).order_by(col(ReleaseRow.id).desc()).limit(limit)))

    def events(self, procedure_key: str | None = None, limit: int = 500) -> list[EventRow]:
        """Stored events, newest first, optionally of one procedure."""
        with Session(self.engine) as s:
            q = select(EventRow).order_by(col(EventRow.id).desc()).limit(limit)
            if procedure_key:
                q = q.where(EventRow.procedure_key == procedure_key)
            return list(s.exec(q))

    def procedures(self) -> list[Procedure]:
        """Every procedure."""
        with Session(self.engine) as s:
            return [
                Procedure(p.key, p.company, p.product, p.agency)
                for p in s.exec(select(ProcedureRow).order_by(ProcedureRow.key))
            ]

    def record_job(
        self, job_id: str, started: datetime, finished: datetime, ok: bool, summary: str
    ) -> None:
        """Record one job run."""
        with self.session() as s:
            s.add(
                JobRunRow(
                    job_id=job_id,
                    started_at=started,
                    finished_at=finished,
                    ok=ok,
                    summary=summary[:2000],
                )
            )


@dataclass(frozen=True)
class Saved:
    """What storing a release did: its outcome, how its events name it, and the state of
    each procedure it touched (for the engine), with those it opened."""

    outcome: str
    ref: str
    states: dict[str, ProcedureState] = field(default_factory=dict)
    created: frozenset[str] = frozenset()


def _as_stored(e: Event) -> Event:
    """An event as the store reads it back (what it keeps of it)."""
    return Event(e.type, e.agency, e.outcome, e.product, e.date, e.evidence, e.sentence, e.detail)


def _as_stored_timeline(t: Timeline) -> Timeline:
    """A timeline as the store reads it back (what it keeps of it)."""
    return Timeline(
        t.start,
        t.end,
        t.milestone,
        t.agency,
        t.expression,
        t.evidence,
        t.sentence,
        t.offset_days,
        t.anchor,
        t.anchor_date,
        tuple(t.assumptions),
        t.estimate,
    )


def _release_values(x: Extraction) -> dict[str, Any]:
    return {
        "name": x.source,
        "title": x.release.title,
        "release_date": x.release.date,
        "company": x.release.company,
        "ticker": x.release.ticker,
    }


def _fill_release(row: ReleaseRow, x: Extraction) -> None:
    row.sha256 = x.text_sha256
    for k, v in _release_values(x).items():
        setattr(row, k, v)


def _canonical(url: str) -> str:
    """An address without fragment, default port, trailing slash or scheme differences."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        return url
    host = (parts.hostname or "").lower()
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    return urlunsplit(("https", host, parts.path.rstrip("/") or "/", parts.query, ""))


def _sighting(
    source_id: str, external_id: str, url: str | None, release_id: int, now: datetime
) -> SightingRow:
    return SightingRow(
        source_id=source_id,
        external_id=external_id,
        url=_canonical(url) if url else None,
        release_id=release_id,
        first_seen=now,
        last_seen=now,
    )


def _event_values(proc_key: str, release_id: int, e: Event) -> dict[str, Any]:
    return {
        "procedure_key": proc_key,
        "release_id": release_id,
        "type": e.type,
        "agency": e.agency,
        "outcome": e.outcome,
        "product": e.product,
        "date": e.date,
        "evidence": e.evidence,
        "sentence": e.sentence,
        "detail": e.detail,
    }


def _timeline_values(proc_key: str, release_id: int, t: Timeline) -> dict[str, Any]:
    return {
        "procedure_key": proc_key,
        "release_id": release_id,
        "start": t.start,
        "end": t.end,
        "milestone": t.milestone,
        "agency": t.agency,
        "expression": t.expression,
        "evidence": t.evidence,
        "sentence": t.sentence,
        "offset_days": t.offset_days,
        "anchor": t.anchor,
        "anchor_date": t.anchor_date,
        "assumptions": json.dumps(list(t.assumptions)),
        "estimate": t.estimate,
    }


def _deadline_values(proc_key: str, d: Derivation, now: datetime) -> dict[str, Any]:
    return {
        "key": d.key,
        "procedure_key": proc_key,
        "title": d.title,
        "start": d.start,
        "end": d.end,
        "basis": d.basis,
        "rule": d.rule,
        "status": d.status,
        "evidence": d.evidence,
        "assumptions": json.dumps(list(d.assumptions)),
        "steps": json.dumps([[st.label, st.text] for st in d.steps]),
        "notes": json.dumps(list(d.notes)),
        "source": d.source,
        "estimate": d.estimate,
        "manual": False,
        "revision": 0,
        "release_ref": d.release_ref,
        "evidence_kind": d.evidence_kind,
        "updated_at": now,
    }


_NO_LONGER = "no longer derived from the procedure's releases"
_DUPLICATE = "merged: the procedure it joined has this deadline under its own key"


def _merged_rows(procedure_key: str, rows: dict[str, DeadlineRow]) -> dict[str, DeadlineRow]:
    """Deadlines of procedures merged into this one, by the key this one derives them under
    ("b/x" as "a/x"): procedure keys are three slugs, a deadline's key adds its own."""
    own = procedure_key + "/"
    out: dict[str, DeadlineRow] = {}
    for key, row in sorted(rows.items()):
        parts = key.split("/", 3)
        if not key.startswith(own) and len(parts) == 4:
            out.setdefault(own + parts[3], row)
    return out


# What `_differs` compares, as stored (a deadline's evidence kind, where it is kept, too).
_COMPARED = (
    "start",
    "end",
    "status",
    "basis",
    "rule",
    "title",
    "evidence",
    "assumptions",
    "notes",
    "steps",
    "evidence_kind",
)


def _as_stored_already(row: Any, values: dict[str, Any]) -> bool:
    """True when a stored row (not closed by a person, not hand-set) already holds what
    `_differs` compares of a derivation, character for character: nothing to revise.
    Anything else is left to `_differs`, which compares by meaning."""
    if row.closed or row.manual:
        return False
    stored = row._mapping
    return all(stored[k] == values[k] for k in _COMPARED if k in values)


def _differs(row: DeadlineRow, d: Derivation) -> bool:
    if row.manual and d.status in LIVE:
        return row.status not in LIVE
    if row.manual:
        return row.status != d.status
    if (row.evidence_kind or "company") != d.evidence_kind:
        return True
    return (
        (row.start, row.end, row.status, row.basis, row.rule, row.title, row.evidence)
        != (
            d.start,
            d.end,
            d.status,
            d.basis,
            d.rule,
            d.title,
            d.evidence,
        )
        or json.loads(row.assumptions) != list(d.assumptions)
        or _explained(row) != _explained(d)
    )


def _explained(d: DeadlineRow | Derivation) -> tuple[list[Any], list[Any]]:
    """A deadline's notes and steps as stored: the agency's word may change only these."""
    if isinstance(d, DeadlineRow):
        return json.loads(d.notes), json.loads(d.steps)
    return list(d.notes), [[st.label, st.text] for st in d.steps]


def _history(s: Session, row: DeadlineRow, reason: str, now: datetime) -> None:
    s.add(
        DeadlineHistoryRow(
            deadline_key=row.key,
            revision=row.revision,
            start=row.start,
            end=row.end,
            status="superseded" if reason == "superseded" else row.status,
            basis=row.basis,
            evidence=row.evidence,
            reason=reason,
            changed_at=now,
        )
    )


_DL = _table(DeadlineRow)
_PR = _table(ProcedureRow)
# Core rows, not ORM objects: a deadline read this way costs a fraction of a mapped one.
_PROC_DEADLINES = sa_select(_DL).where(_DL.c.procedure_key == bindparam("k"))
_DEADLINE_SELECT = sa_select(_DL, _PR.c.company, _PR.c.product, _PR.c.agency).join_from(
    _DL, _PR, _PR.c.key == _DL.c.procedure_key
)


def _to_deadline(row: Any, prow: Any, today: date | None) -> Deadline:
    hand_set = closed_by = None
    status = status_on(row.status, row.end, today)
    if row.manual:
        status = status_on(Status.OPEN, row.end, today) if status in LIVE else status
        hand_set = _by_whom("set by hand", row.manual_by, row.manual_at, row.manual_note)
    if row.closed:
        closed = Closed(row.closed)
        status = closed.status
        closed_by = _by_whom(
            f"marked {closed.value}", row.closed_by, row.closed_at, row.closed_note
        )
    return Deadline(
        key=row.key,
        title=row.title,
        start=row.start,
        end=row.end,
        basis=row.basis,
        rule=row.rule,
        status=status,
        procedure=Procedure(row.procedure_key, prow.company, prow.product, prow.agency),
        evidence=row.evidence,
        assumptions=tuple(json.loads(row.assumptions)),
        steps=tuple(Step(a, b) for a, b in json.loads(row.steps)),
        source=row.source,
        estimate=row.estimate,
        revision=row.revision,
        updated_at=row.updated_at,
        release_ref=row.release_ref,
        notes=tuple(json.loads(row.notes)),
        hand_set=hand_set,
        hand_set_at=row.manual_at if row.manual else None,
        closed=row.closed,
        closed_by=closed_by,
        closed_at=row.closed_at,
        evidence_kind="hand-set" if row.manual else (row.evidence_kind or "company"),
    )


def _by_whom(what: str, who: str | None, at: datetime | None, note: str | None) -> str:
    """'set by hand by alice on 2026-12-02 09:14 UTC: the agency's letter'."""
    text = what + (f" by {who}" if who else "")
    if at is not None:
        text += f" on {at.astimezone(UTC).strftime('%Y-%m-%d %H:%M')} UTC"
    return text + (f": {note}" if note else "")


def _row_deadline(r: Any, today: date | None) -> Deadline:
    """A deadline from a `_DEADLINE_SELECT` row (its procedure's columns ride along)."""
    return _to_deadline(r, r, today)
