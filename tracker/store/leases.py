"""Sources' cursors and leases, publications' claims, and job runs."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlmodel import Session, col, select

from tracker.store.base import StoreBase, _table
from tracker.store.tables import (
    JobRunRow,
    SourceStateRow,
)

_INSERT_SOURCE = {
    name: module.insert(_table(SourceStateRow)).on_conflict_do_nothing(index_elements=["source_id"])
    for name, module in (("sqlite", sqlite_dialect), ("postgresql", pg_dialect))
}


class Leases(StoreBase):
    """Sources' cursors and the leases that share them between daemons, publications, job runs."""

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
