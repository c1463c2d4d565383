"""Read-only queries the dashboard pages need beyond the Store's own: a procedure's releases
in order, what one release yielded, where it was seen, a procedure's facts."""

from __future__ import annotations

from sqlmodel import Session, col, or_, select

from tracker.store.repo import Store
from tracker.store.tables import (
    EventRow,
    FactRow,
    ReleaseRow,
    SightingRow,
    TimelineRow,
)


class Dashboard:
    """Queries for the pages; every one reads, none writes."""

    def __init__(self, store: Store) -> None:
        self.engine = store.engine

    def release(self, release_id: int) -> ReleaseRow | None:
        """One release by id."""
        with Session(self.engine) as s:
            return s.get(ReleaseRow, release_id)

    def sightings(self, release_id: int) -> list[SightingRow]:
        """Where a release was seen (source and item), first seen first."""
        with Session(self.engine) as s:
            return list(
                s.exec(
                    select(SightingRow)
                    .where(SightingRow.release_id == release_id)
                    .order_by(col(SightingRow.first_seen))
                )
            )

    def events(
        self, procedure_key: str | None = None, release_id: int | None = None
    ) -> list[EventRow]:
        """Events of a procedure or of a release, in reading order."""
        with Session(self.engine) as s:
            q = select(EventRow).order_by(
                col(EventRow.release_id), col(EventRow.sentence), col(EventRow.id)
            )
            if procedure_key is not None:
                q = q.where(EventRow.procedure_key == procedure_key)
            if release_id is not None:
                q = q.where(EventRow.release_id == release_id)
            return list(s.exec(q))

    def timelines(
        self, procedure_key: str | None = None, release_id: int | None = None
    ) -> list[TimelineRow]:
        """Stated timelines of a procedure or of a release, in reading order."""
        with Session(self.engine) as s:
            q = select(TimelineRow).order_by(
                col(TimelineRow.release_id), col(TimelineRow.sentence), col(TimelineRow.id)
            )
            if procedure_key is not None:
                q = q.where(TimelineRow.procedure_key == procedure_key)
            if release_id is not None:
                q = q.where(TimelineRow.release_id == release_id)
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
