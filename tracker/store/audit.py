"""The audit log and procedure notes: every change a person makes, and every recomputation a
release causes, with who, when, what, before and after. Rows are only ever added."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from tracker.store.tables import AuditRow, ProcedureNoteRow


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the audit log."""

    id: int
    at: datetime
    who: str
    action: str
    procedure_key: str | None
    target: str | None
    before: str | None
    after: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class Note:
    """A note a person left on a procedure."""

    id: int
    procedure_key: str
    who: str
    at: datetime
    text: str


class _HasEngine(Protocol):
    engine: Engine

    def _using(self, session: Session | None) -> AbstractContextManager[Session]: ...


class AuditLog:
    """Audit and notes, mixed into the `Store`."""

    def record(
        self: _HasEngine,
        who: str,
        action: str,
        now: datetime,
        procedure_key: str | None = None,
        target: str | None = None,
        before: Any = None,
        after: Any = None,
        note: str | None = None,
        session: Session | None = None,
    ) -> None:
        """Add one entry (in the caller's transaction when given, so a change and its entry
        land together or not at all)."""
        with self._using(session) as s:
            s.add(
                AuditRow(
                    at=now,
                    who=who,
                    action=action,
                    procedure_key=procedure_key,
                    target=target,
                    before=_text(before),
                    after=_text(after),
                    note=note,
                )
            )

    def audit_entries(
        self: _HasEngine,
        procedure_key: str | None = None,
        who: str | None = None,
        limit: int = 200,
        before_id: int | None = None,
        action: str | None = None,
    ) -> list[AuditEntry]:
        """The newest entries first, filtered; page with `before_id` (the last id seen)."""
        with Session(self.engine) as s:
            q = select(AuditRow).order_by(col(AuditRow.id).desc())
            if procedure_key is not None:
                q = q.where(AuditRow.procedure_key == procedure_key)
            if who is not None:
                q = q.where(AuditRow.who == who)
            if action is not None:
                q = q.where(AuditRow.action == action)
            if before_id is not None:
                q = q.where(col(AuditRow.id) < before_id)
            rows = s.exec(q.limit(max(1, min(limit, 10_000)))).all()
            return [_entry(r) for r in rows]

    def add_note(
        self: _HasEngine,
        procedure_key: str,
        text: str,
        who: str,
        now: datetime,
        session: Session | None = None,
    ) -> None:
        """Leave a note on a procedure."""
        with self._using(session) as s:
            s.add(ProcedureNoteRow(procedure_key=procedure_key, who=who, at=now, text=text))

    def procedure_notes(self: _HasEngine, procedure_key: str) -> list[Note]:
        """A procedure's notes, oldest first."""
        with Session(self.engine) as s:
            rows = s.exec(
                select(ProcedureNoteRow)
                .where(ProcedureNoteRow.procedure_key == procedure_key)
                .order_by(col(ProcedureNoteRow.id))
            ).all()
            return [Note(r.id or 0, r.procedure_key, r.who, r.at, r.text) for r in rows]


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, default=str, sort_keys=True)


def _entry(r: AuditRow) -> AuditEntry:
    return AuditEntry(
        r.id or 0, r.at, r.who, r.action, r.procedure_key, r.target, r.before, r.after, r.note
    )


def entries_csv(entries: list[AuditEntry]) -> str:
    """The entries as CSV (a header line, then one row each, oldest first)."""
    out = io.StringIO()
    fields = ["id", "at", "who", "action", "procedure_key", "target", "before", "after", "note"]
    w = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    w.writeheader()
    for e in sorted(entries, key=lambda x: x.id):
        row = asdict(e)
        row["at"] = e.at.isoformat()
        w.writerow({k: _csv_safe(v) for k, v in row.items()})
    return out.getvalue()


def _csv_safe(value: Any) -> Any:
    """A cell a spreadsheet will not run as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def iter_json(entries: list[AuditEntry]) -> Iterator[str]:
    """One JSON object per line, oldest first."""
    for e in sorted(entries, key=lambda x: x.id):
        row = asdict(e)
        row["at"] = e.at.isoformat()
        yield json.dumps(row, sort_keys=True)
