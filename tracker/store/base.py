"""The database connection every part of the store shares: the engine with its pragmas, and
the sessions (a caller's transaction, a release's savepoint)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine, select

from tracker.store.versions import StateCache

_Model = TypeVar("_Model", bound=SQLModel)


def _table(model: type[SQLModel]) -> Any:
    """The Core table of a model: inserts through it skip the ORM's per-row bookkeeping."""
    return model.__table__  # type: ignore[attr-defined]


def _rows(engine: Engine, table: type[_Model], where: Any, order: Any) -> list[_Model]:
    """The rows of `table` where `where` holds, in `order`, read in a session of their own."""
    with Session(engine) as s:
        return list(s.exec(select(table).where(where).order_by(order)).all())


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


class StoreBase:
    """The engine and its sessions; each noun of the store (`Releases`, `Deadlines`, ...)
    builds on it and `tracker.store.Store` joins them."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._kept = StateCache()  # procedures' states between releases (`versions`)

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
