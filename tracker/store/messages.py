"""The reminder log: each message claimed before it is sent, and what became of it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlmodel import Session, col, select

from tracker.store.base import StoreBase, _table
from tracker.store.tables import (
    ReminderLogRow,
)

_LOG = _table(ReminderLogRow)
_LOG_KEYS = ("deadline_key", "kind", "tag", "recipient")
_INSERT_LOG = {
    name: module.insert(_LOG)
    .on_conflict_do_nothing(index_elements=list(_LOG_KEYS))
    .returning(*(_LOG.c[k] for k in _LOG_KEYS))
    for name, module in (("sqlite", sqlite_dialect), ("postgresql", pg_dialect))
}
# A takeover succeeds only if the row is still as it was read: of two daemons taking over the
# same expired claim, one wins.
_TAKE_OVER_LOG = (
    _LOG.update()
    .where(
        _LOG.c.id == bindparam("row_id"),
        _LOG.c.status == bindparam("old_status"),
        _LOG.c.claimed_at == bindparam("old_claimed"),
    )
    .values(status="claimed", claimed_at=bindparam("now"), claim_token=bindparam("token"))
    .returning(_LOG.c.id)
)
_LOG_WHERE = (
    _LOG.c.deadline_key == bindparam("k"),
    _LOG.c.kind == bindparam("kd"),
    _LOG.c.tag == bindparam("t"),
    _LOG.c.recipient == bindparam("r"),
)
# Just before sending: still ours? Then the lease restarts now.
_CONFIRM_LOG = (
    _LOG.update()
    .where(*_LOG_WHERE, _LOG.c.status == "claimed", _LOG.c.claim_token == bindparam("token"))
    .values(claimed_at=bindparam("now"))
    .returning(_LOG.c.id)
)
# A message's result: its keys (deadline, kind, tag, recipient), "sent" / "deferred" /
# "rejected", the error, and when to try again.
MessageResult = tuple[tuple[str, str, str, str], str, str | None, datetime | None]
_FINISH_LOG = (
    _LOG.update()
    .where(*_LOG_WHERE)
    .values(
        status=bindparam("status"),
        error=bindparam("error"),
        retry_after=bindparam("retry_after"),
        sent_at=bindparam("sent_at"),
        attempts=_LOG.c.attempts + bindparam("bump"),
    )
)


class Messages(StoreBase):
    """Messages owed, claimed, sent, deferred or rejected (the reminder log)."""

    def reminder_log(
        self, deadline_keys: Iterable[str] | None = None
    ) -> dict[tuple[str, str, str, str], ReminderLogRow]:
        """Messages claimed, sent, deferred or rejected, by (deadline, kind, tag, to): every
        one, or those about `deadline_keys` (and the digests), read by the indexed key."""
        with Session(self.engine) as s:
            if deadline_keys is None:
                rows = list(s.exec(select(ReminderLogRow)))
            else:
                wanted = sorted({*deadline_keys, "digest"})
                rows = []
                for i in range(0, len(wanted), 500):
                    q = select(ReminderLogRow).where(
                        col(ReminderLogRow.deadline_key).in_(wanted[i : i + 500])
                    )
                    rows += s.exec(q)
            return {(r.deadline_key, r.kind, r.tag, r.recipient): r for r in rows}

    def claim_messages(
        self,
        wanted: list[tuple[tuple[str, str, str, str], str, date | None]],
        now: datetime,
        lease: timedelta = timedelta(minutes=10),
        token: str = "",
    ) -> set[tuple[str, str, str, str]]:
        """Claim messages before sending them, in one transaction; returns those claimed.

        Each entry is ((deadline_key, kind, tag, recipient), message_id, sent_end). A message
        sent, rejected, claimed by a live run or deferred until later is not claimed; a claim
        older than `lease` (its sender died) and a deferral that is due are taken over, by
        one run only. `token` names the run: `confirm_message` checks it before each send.
        """
        claimed: set[tuple[str, str, str, str]] = set()
        if not wanted:
            return claimed
        with self.session() as s:
            conn = s.connection()
            existing: dict[tuple[str, str, str, str], Any] = {}
            deadline_keys = sorted({keys[0] for keys, _mid, _end in wanted})
            for i in range(0, len(deadline_keys), 500):
                q = sa_select(_LOG).where(_LOG.c.deadline_key.in_(deadline_keys[i : i + 500]))
                for r in conn.execute(q):
                    existing[(r.deadline_key, r.kind, r.tag, r.recipient)] = r
            new: list[dict[str, Any]] = []
            for keys, mid, sent_end in wanted:
                row = existing.get(keys)
                if row is None:
                    new.append(
                        dict(
                            zip(_LOG_KEYS, keys, strict=True),
                            message_id=mid,
                            status="claimed",
                            sent_end=sent_end,
                            claimed_at=now,
                            attempts=0,
                            claim_token=token,
                        )
                    )
                    continue
                stale = row.status == "claimed" and row.claimed_at + lease <= now
                due = row.status == "deferred" and (
                    row.retry_after is None or row.retry_after <= now
                )
                if (stale or due) and conn.execute(
                    _TAKE_OVER_LOG,
                    {
                        "row_id": row.id,
                        "old_status": row.status,
                        "old_claimed": row.claimed_at,
                        "now": now,
                        "token": token,
                    },
                ).first():
                    claimed.add(keys)
            if new:
                # One statement for the batch's new rows (the dialect writes them as one
                # multi-row INSERT): a row another run inserted first is skipped by the
                # conflict clause and returns nothing, so it is not ours.
                for r in conn.execute(_INSERT_LOG[conn.dialect.name], new):
                    claimed.add((r.deadline_key, r.kind, r.tag, r.recipient))
        return claimed

    def confirm_message(
        self,
        keys: tuple[str, str, str, str],
        token: str,
        now: datetime,
        finished: Sequence[MessageResult] = (),
    ) -> bool:
        """Just before sending: True if the claim is still this run's (its lease restarts);
        False if another run took it over meanwhile, and must not be sent. `finished`, the
        results of the messages sent just before (as `finish_messages` takes them), are
        recorded in the same transaction: one commit per message sent, not two."""
        with self.engine.begin() as conn:
            for result in finished:
                conn.execute(_FINISH_LOG, _finish_values(result, now))
            values = {**dict(zip(("k", "kd", "t", "r"), keys, strict=True)), "token": token}
            return conn.execute(_CONFIRM_LOG, {**values, "now": now}).first() is not None

    def claim_message(
        self,
        deadline_key: str,
        kind: str,
        tag: str,
        recipient: str,
        message_id: str,
        sent_end: date | None,
        now: datetime,
    ) -> bool:
        """Claim one message (see `claim_messages`)."""
        keys = (deadline_key, kind, tag, recipient)
        return keys in self.claim_messages([(keys, message_id, sent_end)], now)

    def finish_messages(
        self,
        results: Sequence[MessageResult],
        now: datetime,
    ) -> None:
        """Record claimed messages as sent, deferred (retry later) or rejected, in one go."""
        if not results:
            return
        with self.engine.begin() as conn:
            for result in results:
                conn.execute(_FINISH_LOG, _finish_values(result, now))

    def rejected_messages(self) -> list[ReminderLogRow]:
        """Messages the mail server refused for good, newest first."""
        with Session(self.engine) as s:
            return list(
                s.exec(
                    select(ReminderLogRow)
                    .where(ReminderLogRow.status == "rejected")
                    .order_by(col(ReminderLogRow.claimed_at).desc())
                )
            )


def _finish_values(result: MessageResult, now: datetime) -> dict[str, Any]:
    keys, status, error, retry_after = result
    return {
        **dict(zip(("k", "kd", "t", "r"), keys, strict=True)),
        "status": status,
        "error": error,
        "retry_after": retry_after,
        "sent_at": now if status == "sent" else None,
        "bump": 0 if status == "sent" else 1,
    }
