"""Named, ordered schema migrations, one code path for SQLite and PostgreSQL.

An empty database is created from the current tables (`tables.py`) and every migration is
recorded as applied: there is nothing to upgrade. A database made by an earlier release is
brought forward by the migrations it has not recorded, in order, each in its own
transaction and recorded in `schema_migrations` with it. A migration is never edited once
released and a name is never reused; a new one goes at the end of `MIGRATIONS`.

On PostgreSQL the whole upgrade holds an advisory lock, so several daemons starting at once
migrate once. A database that records a migration this code does not know was upgraded by a
newer tracker: it is refused rather than written with an older idea of the schema.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, inspect, text
from sqlmodel import SQLModel

from tracker.errors import TrackerError
from tracker.store import tables

# Any fixed number: the key of the PostgreSQL advisory lock held while migrating.
_LOCK_KEY = 0x7472_6163


@dataclass(frozen=True)
class Migration:
    name: str
    summary: str
    apply: Callable[[Connection], None]


def _initial(conn: Connection) -> None:
    """The first release's tables. Only reached on a database that has none of them
    (`upgrade` creates an empty database from the current tables instead)."""
    raise TrackerError("0001_initial cannot be applied to a database that lacks it")


def _add_column(conn: Connection, table: str, column: str) -> None:
    """Add one column of the current table definition, unless it is there already."""
    if column in {c["name"] for c in inspect(conn).get_columns(table)}:
        return
    col = SQLModel.metadata.tables[table].c[column]
    kind = col.type.compile(dialect=conn.dialect)
    conn.execute(text(f'ALTER TABLE {table} ADD COLUMN "{column}" {kind}'))


def _create_missing(conn: Connection, *names: str) -> None:
    for name in names:
        SQLModel.metadata.tables[name].create(conn, checkfirst=True)


def _create_index(conn: Connection, table: str, name: str) -> None:
    if name in {ix["name"] for ix in inspect(conn).get_indexes(table)}:
        return
    (index,) = [ix for ix in SQLModel.metadata.tables[table].indexes if ix.name == name]
    index.create(conn)


def _sources_and_messages(conn: Connection) -> None:
    """Sources (sightings, cursors, quarantine), release addresses, event detail, the
    deadline indexes of the upcoming and feed-version queries, and the reminder log keyed by
    message kind instead of a lead time alone."""
    _add_column(conn, "release", "url")
    _add_column(conn, "event", "detail")
    _create_missing(conn, "sighting", "source_state", "quarantine")
    _create_index(conn, "deadline", "ix_deadline_status_end")
    _create_index(conn, "deadline", "ix_deadline_updated_at")
    columns = {c["name"] for c in inspect(conn).get_columns("reminder_log")}
    if "days_before" not in columns:
        _add_column(conn, "reminder_log", "claim_token")
        return
    # The unique key changes, which SQLite cannot alter in place: copy, recreate, copy back.
    # Every old row was a lead-time reminder; the date it announced is the deadline's
    # current end, the best knowledge there is, so no "moved" notice follows the upgrade.
    conn.execute(text("CREATE TABLE reminder_log_0001 AS SELECT * FROM reminder_log"))
    conn.execute(text("DROP TABLE reminder_log"))
    tables.ReminderLogRow.__table__.create(conn)  # type: ignore[attr-defined]
    conn.execute(
        text(
            "INSERT INTO reminder_log (deadline_key, kind, tag, recipient, message_id, status,"
            " sent_end, attempts, claimed_at, sent_at)"
            " SELECT o.deadline_key, 'lead', CAST(o.days_before AS VARCHAR(40)), o.recipient,"
            ' o.message_id, o.status, d."end", 0, o.claimed_at, o.sent_at'
            " FROM reminder_log_0001 o LEFT JOIN deadline d ON d.key = o.deadline_key"
            " ORDER BY o.id"
        )
    )
    conn.execute(text("DROP TABLE reminder_log_0001"))


def _cases(conn: Connection) -> None:
    """Case management: who set a date by hand, a person's close of a deadline, the audit
    log and procedure notes; and `passed` instead of an unproven `missed`."""
    for column in ("manual_by", "manual_at", "manual_note"):
        _add_column(conn, "deadline", column)
    for column in ("closed", "closed_by", "closed_at", "closed_note"):
        _add_column(conn, "deadline", column)
    _create_missing(conn, "audit", "procedure_note")
    # Until now "missed" only ever meant "its date passed": nothing said it was missed.
    conn.execute(text("UPDATE deadline SET status = 'passed' WHERE status = 'missed'"))


def _aliases(conn: Connection) -> None:
    """Procedures' names and merges: every procedure's company (its name and its core, the
    name without its legal form) and product become names that take later releases to it."""
    from tracker.identity import company_core, slug

    _create_missing(conn, "procedure_alias", "procedure_merge")
    names = tables.ProcedureAliasRow.__table__  # type: ignore[attr-defined]
    seen: set[tuple[str, str, str]] = set()
    rows = []
    procedures = conn.execute(text("SELECT company, product FROM procedure ORDER BY id"))
    for company, product in procedures:
        wanted = [
            ("company", "", s, company, company) for s in (slug(company), company_core(company))
        ]
        if product:
            wanted.append(("product", slug(company), slug(product), product, product))
        for kind, scope, alias, name, target in wanted:
            if target and (kind, scope, alias) not in seen and alias != "unknown":
                seen.add((kind, scope, alias))
                rows.append(
                    {
                        "kind": kind,
                        "scope": scope,
                        "alias": alias,
                        "name": name,
                        "target": target,
                        "created_at": None,
                    }
                )
    if rows:
        conn.execute(names.insert(), rows)


def _state_token(conn: Connection) -> None:
    """A procedure's state token (`tracker.store.versions`); empty until its next change."""
    _add_column(conn, "procedure", "state_token")


def _evidence_kind(conn: Connection) -> None:
    """Whose word a deadline's evidence is (company, agency); empty for the rows before it,
    which are the companies' (agency documents gave only EMA-sourced events until now, and
    the next derivation of such a procedure fills it in)."""
    _add_column(conn, "deadline", "evidence_kind")


def _release_name_index(conn: Connection) -> None:
    """Releases are looked up by name (a new file of a name already stored gets a name of
    its own). Releases stored before keep the names they have."""
    _create_index(conn, "release", "ix_release_name")


MIGRATIONS: tuple[Migration, ...] = (
    Migration("0001_initial", "releases, procedures, events, deadlines, reminders", _initial),
    Migration(
        "0002_sources_and_messages",
        "sources, message kinds and claims, indexes",
        _sources_and_messages,
    ),
    Migration("0003_cases", "hand-set and closed by whom, audit log, notes, passed", _cases),
    Migration("0004_aliases", "procedures' names (aliases) and merges", _aliases),
    Migration("0005_state_token", "procedures' state tokens", _state_token),
    Migration("0006_evidence_kind", "whose word a deadline's evidence is", _evidence_kind),
    Migration("0007_release_name_index", "releases looked up by name", _release_name_index),
)


def _applied(conn: Connection) -> set[str] | None:
    """Names recorded as applied, or None for a database without our tables."""
    if not inspect(conn).has_table("schema_migrations"):
        return None
    return {row.name for row in conn.execute(text("SELECT name FROM schema_migrations"))}


def pending(engine: Engine) -> list[str]:
    """Migrations this database has not had (all of them for an empty one)."""
    with engine.connect() as conn:
        done = _applied(conn)
    return [m.name for m in MIGRATIONS if done is None or m.name not in done]


def upgrade(engine: Engine, now: datetime) -> list[str]:
    """Bring the database to the current schema; returns the migrations applied now."""
    known = {m.name for m in MIGRATIONS}
    record = tables.SchemaMigrationRow.__table__.insert()  # type: ignore[attr-defined]
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            # Session lock, held across the per-migration transactions below.
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _LOCK_KEY})
            conn.commit()
        try:
            done = _applied(conn)
            conn.commit()
            if done is None:
                SQLModel.metadata.create_all(conn)
                for m in MIGRATIONS:
                    conn.execute(record, {"name": m.name, "applied_at": now})
                conn.commit()
                return [m.name for m in MIGRATIONS]
            unknown = sorted(done - known)
            if unknown:
                raise TrackerError(
                    f"the database was upgraded by a newer tracker (migration {unknown[-1]});"
                    " install that version or newer"
                )
            applied = []
            for m in MIGRATIONS:
                if m.name in done:
                    continue
                with conn.begin():
                    if conn.dialect.name == "sqlite":
                        # pysqlite opens no transaction before DDL by itself: ask for one,
                        # so a failed migration leaves the database as it was.
                        conn.exec_driver_sql("BEGIN IMMEDIATE")
                    m.apply(conn)
                    conn.execute(record, {"name": m.name, "applied_at": now})
                applied.append(m.name)
            # Tables added since with no data to carry over need no migration of their own.
            SQLModel.metadata.create_all(conn)
            conn.commit()
            return applied
        finally:
            if conn.dialect.name == "postgresql":
                conn.rollback()
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _LOCK_KEY})
                conn.commit()
