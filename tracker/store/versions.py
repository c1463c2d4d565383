"""Each procedure's state token, and the states kept between releases under it.

What the rules derive a procedure's deadlines from (its events, stated timelines and facts)
changes only together with the procedure row's `state_token`, a fresh random value written in
the same transaction. A state read or extended in memory is kept under the token it matches,
so a later release extends it instead of reading the whole history back: the token read in
that release's transaction tells whether the state kept is still the procedure's.

A random token, not a counter: a transaction (or a savepoint) rolled back takes its token
with it, and no later transaction can write that value again, so a state extended by a
release that was rolled back is never taken for a committed one (a counter bumped again
after a rollback, like a row id SQLite hands out again, would be).

Writers through the ORM (`session.add` of an event, a timeline or a fact, their deletion or
change) bump the token of their procedures when the session flushes; writers through Core
statements call `touch` themselves.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import event as sa_event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session as OrmSession

from tracker.domain import ProcedureState
from tracker.store.tables import EventRow, FactRow, ProcedureRow, TimelineRow

_PR = ProcedureRow.__table__  # type: ignore[attr-defined]
_TOUCH = _PR.update().where(_PR.c.key == bindparam("k")).values(state_token=bindparam("t"))
_WATCHED = (EventRow, TimelineRow, FactRow)


def new_token() -> str:
    """A value no other transaction writes."""
    return uuid.uuid4().hex


def touch(conn: Any, keys: Iterable[str]) -> dict[str, str]:
    """Give procedures a new state token (their events, timelines or facts changed);
    returns the tokens written."""
    tokens = {k: new_token() for k in sorted(set(keys))}
    if tokens:
        conn.execute(_TOUCH, [{"k": k, "t": t} for k, t in tokens.items()])
    return tokens


@sa_event.listens_for(OrmSession, "before_flush")
def _orm_writes(session: OrmSession, _context: Any, _instances: Any) -> None:
    """Bump the token of every procedure whose events, timelines or facts the ORM writes."""
    keys: set[str] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if not isinstance(obj, _WATCHED):
            continue
        keys.add(obj.procedure_key)
        history = sa_inspect(obj).attrs.procedure_key.history
        keys.update(k for k in (*history.added, *history.deleted) if k)
    if keys:
        touch(session.connection(), keys)


class StateCache:
    """Procedures' states by key, each under the token it is the state of (least recently
    used dropped beyond `size`). A state is handed to one writer at a time: `take_all`
    removes it, `keep` puts it back under the token the writer wrote."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._states: OrderedDict[str, tuple[str, ProcedureState, set[str]]] = OrderedDict()
        self.hits = self.misses = 0  # states extended, states read whole (for the tests)

    def take_all(self, keys: Iterable[str]) -> dict[str, tuple[str, ProcedureState, set[str]]]:
        """The states kept for `keys`, with the tokens they were kept under (removed from the
        cache: the caller checks each token against the database's)."""
        with self._lock:
            out = {k: kept for k in keys if (kept := self._states.pop(k, None)) is not None}
        return out

    def count(self, hits: int, misses: int) -> None:
        """Count states extended and states read whole."""
        self.hits += hits
        self.misses += misses

    def keep(self, key: str, token: str, state: ProcedureState, refs: set[str]) -> None:
        """Keep a state under the token just written for it, with its events' releases."""
        with self._lock:
            self._states[key] = (token, state, refs)
            self._states.move_to_end(key)
            while len(self._states) > self.size:
                self._states.popitem(last=False)

    def drop(self, keys: Iterable[str]) -> None:
        """Forget the states of `keys`."""
        with self._lock:
            for k in keys:
                self._states.pop(k, None)
