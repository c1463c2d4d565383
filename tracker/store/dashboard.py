"""Read-only queries the dashboard pages need beyond the Store's own: a procedure's releases
in order, what one release yielded, where it was seen, a procedure's facts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, or_, select

from tracker.domain import Deadline, Procedure
from tracker.identity import slug
from tracker.store.base import _rows
from tracker.store.deadlines import _DEADLINE_SELECT, _DL, _PR, _row_deadline
from tracker.store.repo import Store
from tracker.store.tables import (
    EventRow,
    FactRow,
    ProcedureAliasRow,
    ReleaseRow,
    ReleaseTextRow,
    SightingRow,
    TimelineRow,
)


@dataclass(frozen=True)
class DeadlineQuery:
    """What the Upcoming page asks for; every part is applied by the database."""

    statuses: Iterable[str] | None = ("open",)
    start: date | None = None
    end_before: date | None = None
    region: str | None = None
    procedure_keys: Iterable[str] | None = None
    basis: str = ""  # stated, rule or hand (set by hand)
    estimate: bool | None = None
    text: str = ""


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class Dashboard:
    """Queries for the pages; every one reads, none writes."""

    def __init__(self, store: Store) -> None:
        self.engine = store.engine

    def find_deadlines(
        self, q: DeadlineQuery, today: date | None, after: tuple[date, str] | None, limit: int
    ) -> list[Deadline]:
        """Up to `limit` deadlines matching `q` by (end, key), from the position `after`."""
        where = []
        if q.statuses is not None:
            where.append(_DL.c.status.in_(list(q.statuses)))
        if q.start is not None:
            where.append(_DL.c.end >= q.start)
        if q.end_before is not None:
            where.append(_DL.c.end < q.end_before)
        if q.region is not None:
            where.append(_PR.c.agency == q.region)
        if q.procedure_keys is not None:
            where.append(_DL.c.procedure_key.in_(sorted(q.procedure_keys)))
        if q.basis == "hand":
            where.append(_DL.c.manual.is_(True))
        elif q.basis:
            where.append((_DL.c.basis == q.basis) & _DL.c.manual.is_(False))
        if q.estimate is not None:
            where.append(_DL.c.estimate.is_(q.estimate))
        if q.text:
            pattern = _like(q.text.lower())
            where.append(
                or_(
                    *(
                        c.ilike(pattern, escape="\\")
                        for c in (
                            _DL.c.title,
                            _DL.c.evidence,
                            _DL.c.procedure_key,
                            _PR.c.company,
                            _PR.c.product,
                        )
                    )
                )
            )
        if after is not None:
            where.append(
                (_DL.c.end > after[0]) | ((_DL.c.end == after[0]) & (_DL.c.key > after[1]))
            )
        query = _DEADLINE_SELECT.where(*where).order_by(_DL.c.end, _DL.c.key).limit(limit)
        with self.engine.connect() as conn:
            return [_row_deadline(r, today) for r in conn.execute(query)]

    def release(self, release_id: int) -> ReleaseRow | None:
        """One release by id."""
        with Session(self.engine) as s:
            return s.get(ReleaseRow, release_id)

    def release_text(self, release_id: int) -> str | None:
        """A release's whole text as read, or None (stored before texts were kept)."""
        with Session(self.engine) as s:
            row = s.get(ReleaseTextRow, release_id)
            return row.text if row is not None else None

    def sightings(self, release_id: int) -> list[SightingRow]:
        """Where a release was seen (source and item), first seen first."""
        return _rows(
            self.engine,
            SightingRow,
            col(SightingRow.release_id) == release_id,
            col(SightingRow.first_seen),
        )

    def events(
        self, procedure_key: str | None = None, release_id: int | None = None
    ) -> list[EventRow]:
        """Events of a procedure or of a release, in reading order."""
        return self._in_reading_order(EventRow, procedure_key, release_id)

    def timelines(
        self, procedure_key: str | None = None, release_id: int | None = None
    ) -> list[TimelineRow]:
        """Stated timelines of a procedure or of a release, in reading order."""
        return self._in_reading_order(TimelineRow, procedure_key, release_id)

    def _in_reading_order(
        self, table: Any, procedure_key: str | None, release_id: int | None
    ) -> list[Any]:
        with Session(self.engine) as s:
            q = select(table).order_by(col(table.release_id), col(table.sentence), col(table.id))
            if procedure_key is not None:
                q = q.where(col(table.procedure_key) == procedure_key)
            if release_id is not None:
                q = q.where(col(table.release_id) == release_id)
            return list(s.exec(q))

    def procedure_releases(self, procedure_key: str) -> list[ReleaseRow]:
        """The releases that told something about a procedure, oldest first."""
        with Session(self.engine) as s:
            ids = select(EventRow.release_id).where(EventRow.procedure_key == procedure_key)
            tids = select(TimelineRow.release_id).where(TimelineRow.procedure_key == procedure_key)
            q = (
                select(ReleaseRow)
                .where(or_(col(ReleaseRow.id).in_(ids), col(ReleaseRow.id).in_(tids)))
                .order_by(col(ReleaseRow.release_date), col(ReleaseRow.id))
            )
            return list(s.exec(q))

    def facts(self, procedure_key: str) -> list[FactRow]:
        """The facts people recorded for a procedure."""
        with Session(self.engine) as s:
            return list(
                s.exec(
                    select(FactRow)
                    .where(FactRow.procedure_key == procedure_key)
                    .order_by(col(FactRow.name))
                )
            )

    def release_procedures(self, release_id: int) -> list[str]:
        """The procedures a release told something about."""
        with Session(self.engine) as s:
            keys = set(
                s.exec(select(EventRow.procedure_key).where(EventRow.release_id == release_id))
            )
            keys |= set(
                s.exec(
                    select(TimelineRow.procedure_key).where(TimelineRow.release_id == release_id)
                )
            )
            return sorted(keys)

    def product_names(self, p: Procedure) -> list[str]:
        """The other names a procedure's product goes by (learned from releases or given
        in the browser), as written, in the order they were learned."""
        if not p.product:
            return []
        with Session(self.engine) as s:
            rows = s.exec(
                select(ProcedureAliasRow.name)
                .where(
                    ProcedureAliasRow.kind == "product",
                    ProcedureAliasRow.scope == slug(p.company),
                    ProcedureAliasRow.target == p.product,
                    ProcedureAliasRow.alias != slug(p.product),
                )
                .order_by(col(ProcedureAliasRow.id))
            )
            return list(rows)
