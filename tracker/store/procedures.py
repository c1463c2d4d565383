"""Procedures: each one's state (its events, stated timelines and facts, what the rules
derive from), the names (aliases) that take a release to it, and one procedure merged into
another with its whole history, or split out again.

A merge moves the merged procedure's rows (events, timelines, facts, deadlines, notes, audit
entries) to the other procedure by changing their `procedure_key` only: every row keeps its
id, every deadline its key, its history and its reminders. The ids moved are kept with the
merge (`procedure_merge`), so a split gives back exactly what came from the merged
procedure; what releases brought after the merge stays where they were read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import bindparam, func
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, select

from tracker.domain import Event, Procedure, ProcedureState, Sourced, Timeline
from tracker.errors import UsageError
from tracker.identity import Known, NameRow
from tracker.store.base import StoreBase
from tracker.store.tables import (
    AuditRow,
    DeadlineRow,
    EventRow,
    FactRow,
    ProcedureAliasRow,
    ProcedureMergeRow,
    ProcedureNoteRow,
    ProcedureRow,
    ReleaseRow,
    TimelineRow,
)
from tracker.store.versions import touch

# What a merge moves: every row that names the procedure.
_MOVED: tuple[type[SQLModel], ...] = (
    EventRow,
    TimelineRow,
    FactRow,
    DeadlineRow,
    ProcedureNoteRow,
    AuditRow,
)
_CHUNK = 500


def _table(model: type[SQLModel]) -> Any:
    return model.__table__  # type: ignore[attr-defined]


_AL = _table(ProcedureAliasRow)
_INSERT_NAME = {
    name: module.insert(_AL).on_conflict_do_nothing(index_elements=["kind", "scope", "alias"])
    for name, module in (("sqlite", sqlite_dialect), ("postgresql", pg_dialect))
}


@dataclass(frozen=True, slots=True)
class Merge:
    """A procedure merged into another, by whom and when."""

    key: str
    into: str
    company: str | None
    product: str | None
    agency: str
    who: str
    at: datetime
    moved: dict[str, int]  # rows moved, per table


class _HasEngine(Protocol):
    engine: Engine

    def _using(self, session: Session | None) -> AbstractContextManager[Session]: ...


class ProcedureNames:
    """Names and merges, mixed into the `Store`."""

    def known_names(
        self: _HasEngine,
        companies: Iterable[str],
        products: Iterable[str],
        session: Session | None = None,
    ) -> Known:
        """What the database knows of these company and product slugs (indexed look-ups of
        those names only), and every merge."""
        wanted, product_set = set(companies), set(products)
        with self._using(session) as s:
            conn = s.connection()
            # One look-up for both kinds, then one for the owners of products not named here.
            known_companies: dict[str, str] = {}
            product_rows: list[tuple[str, str, str]] = []
            for chunk in _chunks(sorted(wanted | product_set)):
                for r in conn.execute(
                    sa_select(_AL.c.kind, _AL.c.scope, _AL.c.alias, _AL.c.target).where(
                        _AL.c.kind.in_(("company", "product")), _AL.c.alias.in_(chunk)
                    )
                ):
                    if r.kind == "company" and r.scope == "":
                        known_companies[r.alias] = r.target
                    elif r.kind == "product" and r.alias in product_set:
                        product_rows.append((r.scope, r.alias, r.target))
            known_companies = {k: v for k, v in known_companies.items() if k in wanted}
            scopes = sorted({scope for scope, _a, _t in product_rows})
            company_of = {k: v for k, v in known_companies.items() if k in scopes}
            company_of.update(_names(conn, "company", [c for c in scopes if c not in company_of]))
            owners: dict[str, set[str]] = {}
            for scope, alias, _target in product_rows:
                if scope in company_of:
                    owners.setdefault(alias, set()).add(company_of[scope])
            merges = _table(ProcedureMergeRow)
            redirects: dict[str, str] = {
                str(k): str(v) for k, v in conn.execute(sa_select(merges.c.key, merges.c.into))
            }
        return Known(
            companies=known_companies,
            products={(scope, alias): target for scope, alias, target in product_rows},
            owners={k: tuple(sorted(v)) for k, v in owners.items()},
            redirects=redirects,
        )

    def learn_names(
        self: _HasEngine, rows: Iterable[NameRow], now: datetime, session: Session | None = None
    ) -> None:
        """Remember names (a name already known keeps what it stood for)."""
        values = [
            {
                "kind": r.kind,
                "scope": r.scope[:300],
                "alias": r.alias[:300],
                "name": r.name[:300],
                "target": r.target[:300],
                "created_at": now,
            }
            for r in rows
        ]
        if not values:
            return
        with self._using(session) as s:
            conn = s.connection()
            conn.execute(_INSERT_NAME[conn.dialect.name], values)

    def merges(self: _HasEngine) -> list[Merge]:
        """Every procedure merged into another, oldest first."""
        with Session(self.engine) as s:
            rows = s.exec(select(ProcedureMergeRow).order_by(col(ProcedureMergeRow.id))).all()
            return [_merge(r) for r in rows]

    def merge_of(self: _HasEngine, key: str) -> Merge | None:
        """The merge of the procedure `key` into another, if it was merged."""
        with Session(self.engine) as s:
            row = s.exec(select(ProcedureMergeRow).where(ProcedureMergeRow.key == key)).first()
            return _merge(row) if row else None

    def merge_procedures(
        self: _HasEngine,
        into: str,
        key: str,
        who: str,
        now: datetime,
        session: Session | None = None,
    ) -> dict[str, int]:
        """Merge procedure `key` into `into`: its rows move with their ids, its key resolves
        to `into` from now on. A fact both record with the same value is kept once (the
        merged procedure's copy is kept with the merge, for a split). Returns rows moved per
        table."""
        with self._using(session) as s:
            proc = s.exec(select(ProcedureRow).where(ProcedureRow.key == key)).one()
            theirs = {
                f.name: f
                for f in s.exec(select(FactRow).where(FactRow.procedure_key == into)).all()
            }
            kept: list[dict[str, Any]] = []
            for fact in s.exec(select(FactRow).where(FactRow.procedure_key == key)).all():
                if fact.name in theirs:
                    if theirs[fact.name].value != fact.value:
                        raise UsageError(
                            f"both procedures record a {fact.name} ({theirs[fact.name].value} "
                            f"and {fact.value}): unset one first"
                        )
                    kept.append(
                        {"name": fact.name, "value": str(fact.value), "set_at": str(fact.set_at)}
                    )
                    s.delete(fact)
            s.flush()
            moved: dict[str, Any] = {}
            conn = s.connection()
            for model in _MOVED:
                t = _table(model)
                ids = list(
                    conn.execute(sa_select(t.c.id).where(t.c.procedure_key == key)).scalars()
                )
                for chunk in _chunks(ids):
                    conn.execute(t.update().where(t.c.id.in_(chunk)).values(procedure_key=into))
                moved[t.name] = ids
            moved["kept_facts"] = kept
            touch(conn, [into])  # its events and timelines changed (`versions`)
            s.add(
                ProcedureMergeRow(
                    key=key,
                    into=into,
                    company=proc.company,
                    product=proc.product,
                    agency=proc.agency,
                    moved=json.dumps(moved),
                    who=who,
                    at=now,
                )
            )
            s.delete(proc)
            s.flush()
            return {name: len(ids) for name, ids in moved.items() if name != "kept_facts"}

    def split_procedure(
        self: _HasEngine, key: str, session: Session | None = None
    ) -> tuple[str, dict[str, int]]:
        """Undo the merge of `key`: the procedure comes back with every row that came from
        it (wherever later merges took them); its key is its own again. Returns the
        procedure it had been merged into, and rows given back per table."""
        with self._using(session) as s:
            m = s.exec(select(ProcedureMergeRow).where(ProcedureMergeRow.key == key)).first()
            if m is None:
                raise UsageError(f"procedure '{key}' was not merged into another")
            moved = json.loads(m.moved)
            conn = s.connection()
            back: dict[str, int] = {}
            for model in _MOVED:
                t = _table(model)
                ids = moved.get(t.name, [])
                n = 0
                for chunk in _chunks(ids):
                    n += conn.execute(
                        t.update().where(t.c.id.in_(chunk)).values(procedure_key=key)
                    ).rowcount
                back[t.name] = n
            for fact in moved.get("kept_facts", []):
                s.add(
                    FactRow(
                        procedure_key=key,
                        name=fact["name"],
                        value=date.fromisoformat(fact["value"]),
                        set_at=datetime.fromisoformat(fact["set_at"]),
                    )
                )
            s.add(ProcedureRow(key=key, company=m.company, product=m.product, agency=m.agency))
            into = m.into
            touch(conn, [m.into])  # its events and timelines changed (`versions`)
            s.delete(m)
            s.flush()
            return into, back


def _names(conn: Any, kind: str, aliases: list[str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for chunk in _chunks(aliases):
        q = sa_select(_AL.c.alias, _AL.c.target).where(
            _AL.c.kind == kind, _AL.c.scope == "", _AL.c.alias.in_(chunk)
        )
        out += [(r.alias, r.target) for r in conn.execute(q)]
    return out


def _chunks(values: list[Any]) -> Iterable[list[Any]]:
    for i in range(0, len(values), _CHUNK):
        yield values[i : i + _CHUNK]


def _merge(r: ProcedureMergeRow) -> Merge:
    moved = json.loads(r.moved)
    counts = {k: len(v) for k, v in moved.items() if k != "kept_facts"}
    return Merge(r.key, r.into, r.company, r.product, r.agency, r.who, r.at, counts)


# --- procedures, their states and facts --------------------------------------------------

_R = _table(ReleaseRow).c
_PR = _table(ProcedureRow).c
_FA = _table(FactRow).c
_PROC_ROW = sa_select(_PR.key, _PR.company, _PR.product, _PR.agency).where(
    _PR.key == bindparam("k")
)


def _with_release(table: type[SQLModel], *columns: str) -> Any:
    """A procedure's rows of `table` (events or timelines: the `columns` named), oldest
    first, each with its release's date, ingest time and address ("ref": url, else name)."""
    c = _table(table).c
    return (
        sa_select(
            *(c[name] for name in columns),
            _R.release_date,
            _R.ingested_at,
            func.coalesce(_R.url, _R.name).label("ref"),
        )
        .join_from(_table(table), _table(ReleaseRow), c.release_id == _R.id)
        .where(c.procedure_key == bindparam("k"))
        .order_by(c.id)
    )


_PROC_EVENTS = _with_release(
    EventRow, "type", "agency", "outcome", "product", "date", "evidence", "sentence", "detail"
)
_PROC_TIMELINES = _with_release(
    TimelineRow,
    "start",
    "end",
    "milestone",
    "agency",
    "expression",
    "evidence",
    "sentence",
    "offset_days",
    "anchor",
    "anchor_date",
    "assumptions",
    "estimate",
)
_PROC_FACTS = sa_select(_FA.name, _FA.value).where(_FA.procedure_key == bindparam("k"))
# ON CONFLICT DO NOTHING ... RETURNING: a row comes back only when this call inserted it
# (rowcount is not reliable across drivers for these statements).
_INSERT_PROCEDURE = {
    name: module.insert(_table(ProcedureRow))
    .on_conflict_do_nothing(index_elements=["key"])
    .returning(_table(ProcedureRow).c.id)
    for name, module in (("sqlite", sqlite_dialect), ("postgresql", pg_dialect))
}


class Procedures(StoreBase):
    """Procedures, the state each derives from, and their facts."""

    def procedure(self, key: str) -> Procedure | None:
        """A procedure by key."""
        with Session(self.engine) as s:
            row = s.exec(select(ProcedureRow).where(ProcedureRow.key == key)).first()
            return Procedure(row.key, row.company, row.product, row.agency) if row else None

    def procedure_keys(self) -> list[str]:
        """Every procedure key."""
        with Session(self.engine) as s:
            return list(s.exec(select(ProcedureRow.key).order_by(ProcedureRow.key)).all())

    def procedures(self) -> list[Procedure]:
        """Every procedure."""
        with Session(self.engine) as s:
            return [
                Procedure(p.key, p.company, p.product, p.agency)
                for p in s.exec(select(ProcedureRow).order_by(ProcedureRow.key))
            ]

    def procedure_state(self, key: str, session: Session | None = None) -> ProcedureState:
        """Everything known about a procedure, for the rule engine (read whole, the
        caller's own: `save_release` hands a release's writer the states kept between
        releases)."""
        from tracker.store.agency import agency_refs, annotated, published

        with self._using(session) as s:
            conn = s.connection()
            state = read_state(conn, key)
            refs = agency_refs(conn, {e.release_ref for e in state.events})
            return annotated(published(conn), state, refs)

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


def ensure_procedure(s: Session, proc: Procedure, token: str | None = None) -> bool:
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


def read_state(conn: Any, key: str) -> ProcedureState:
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
