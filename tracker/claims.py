"""Reminder claims a restarted daemon recognises as its own dead ones.

A run's claim token (32 characters, the column's size) carries where it runs: a hash of
the host name (8), the process id (8, hex) and randomness (16). At start, a daemon looks
at the claims still held under its host's prefix: one whose process is gone (crashed,
killed) is released at once, as a due deferral the next reminder run takes over, instead
of waiting for its whole lease (`[reminders] claim_lease_seconds`, 600 s). Claims of live
processes on the host, and of other hosts, are left to their leases.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import socket
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select, update

if TYPE_CHECKING:
    from tracker.store import Store

logger = logging.getLogger(__name__)


def host_prefix(host: str | None = None) -> str:
    """Eight hex characters naming this host."""
    return hashlib.sha256((host or socket.gethostname()).encode()).hexdigest()[:8]


def run_token(pid: int | None = None) -> str:
    """A claim token for one reminder run of this process."""
    return f"{host_prefix()}{(pid or os.getpid()) & 0xFFFFFFFF:08x}{secrets.token_hex(8)}"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def release_dead_claims(store: Store, now: datetime) -> int:
    """Release this host's claims whose process is gone; how many were released."""
    from tracker.store.tables import ReminderLogRow

    table = ReminderLogRow.__table__  # type: ignore[attr-defined]
    prefix = host_prefix()
    released = 0
    with store.session() as s:
        conn = s.connection()
        rows = conn.execute(
            select(table.c.id, table.c.claim_token).where(
                table.c.status == "claimed", table.c.claim_token.like(f"{prefix}%")
            )
        ).all()
        for row_id, token in rows:
            try:
                pid = int(token[8:16], 16)
            except (TypeError, ValueError):
                continue
            if _alive(pid):
                continue
            done = conn.execute(
                update(table)
                .where(table.c.id == row_id, table.c.claim_token == token)
                .values(status="deferred", retry_after=now, claim_token=None)
            )
            released += done.rowcount or 0
    if released:
        logger.info("released %d reminder claim(s) of a process of this host that died", released)
    return released
