"""Deadlines: reconciled with each derivation (revisions and history kept), set or closed by
hand, and read for the calendar, the reminders and the pages."""

from __future__ import annotations

import heapq
import itertools
import json
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from tracker.domain import (
    Deadline,
    Derivation,
    Procedure,
    Step,
)
from tracker.store.base import StoreBase, _rows, _table
from tracker.store.tables import (
    DeadlineHistoryRow,
    DeadlineRow,
    ProcedureRow,
    ReminderLogRow,
)
from tracker.vocabulary import LIVE, Closed, Status, status_on

_LATEST_CHANGE = sa_select(
    func.max(_table(DeadlineRow).c.updated_at),
    func.max(_table(DeadlineRow).c.id),
    sa_select(func.max(_table(DeadlineHistoryRow).c.id)).scalar_subquery(),
)
_NO_LONGER = "no longer derived from the procedure's releases"
_DUPLICATE = "merged: the procedure it joined has this deadline under its own key"
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
_DL = _table(DeadlineRow)
_PR = _table(ProcedureRow)
# Core rows, not ORM objects: a deadline read this way costs a fraction of a mapped one.
_PROC_DEADLINES = sa_select(_DL).where(_DL.c.procedure_key == bindparam("k"))
_DEADLINE_SELECT = sa_select(_DL, _PR.c.company, _PR.c.product, _PR.c.agency).join_from(
    _DL, _PR, _PR.c.key == _DL.c.procedure_key
)


class Deadlines(StoreBase):
    """Stored deadlines and their history."""

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
                    orm.status = "cancelled"
                    _bump(s, orm, now)
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
        _bump(s, row, now)

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
            _bump(s, row, now)
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
            _bump(s, row, now)
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
            _bump(s, row, now)
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
            _bump(s, row, now)
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
                row.status = Status.PASSED
                _bump(s, row, now)
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
        return _rows(
            self.engine,
            DeadlineHistoryRow,
            col(DeadlineHistoryRow.deadline_key) == key,
            col(DeadlineHistoryRow.revision),
        )

    def version(self) -> str:
        """A token that changes whenever any deadline does: the latest `updated_at`, and the
        newest deadline and revision ids (every change adds a history row or a deadline),
        so a change stamped no later than the last one (a clock set back) still shows.
        Three indexed lookups; a feed or the calendar rebuilds only when it moves."""
        with self.engine.connect() as conn:
            return "|".join(str(v) for v in conn.execute(_LATEST_CHANGE).one())


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


def _bump(s: Session, row: DeadlineRow, now: datetime) -> None:
    """A changed deadline: its next revision, stamped `now` (its history row written before
    the change, by `_history`)."""
    row.revision += 1
    row.updated_at = now
    s.add(row)


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
