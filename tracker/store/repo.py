"""The store: one object over the database, joining the queries of each noun (releases,
procedures and their names, deadlines, messages, leases, the audit log), each in a module of
its own. Other modules ask the Store; they never build queries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select as sa_select

from tracker.store.audit import AuditLog
from tracker.store.base import StoreBase, make_engine
from tracker.store.deadlines import Deadlines
from tracker.store.leases import Leases
from tracker.store.messages import Messages
from tracker.store.procedures import ProcedureNames, Procedures
from tracker.store.releases import Releases, Saved

__all__ = ["Saved", "Store", "StoreBase", "make_engine"]


class Store(Releases, Procedures, ProcedureNames, Deadlines, Messages, Leases, AuditLog):
    """The database: releases, procedures, events, timelines, facts, deadlines, reminders."""

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

    def ping(self) -> bool:
        """True when the database answers."""
        try:
            with self.engine.connect() as conn:
                conn.execute(sa_select(1))
            return True
        except Exception:  # any driver error means "not reachable"
            return False
