"""Is the daemon well? What `/healthz` answers: ok, or degraded with each problem named.

Degraded when the database does not answer, when a job failed its last `FAILED_RUNS` runs,
when a source has been failing that many fetches in a row, when the inbox holds an item
older than `STALE_POLLS` polls (it should have been read or refused by then), or when the
disk under the data folder has less than `MIN_FREE_BYTES` free. The answer names jobs,
sources and counts, never a tracked company, product, deadline or file name.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

if TYPE_CHECKING:
    from tracker.settings import Settings
    from tracker.store import Store

FAILED_RUNS = 3
STALE_POLLS = 3
MIN_STALE_SECONDS = 60.0
MIN_FREE_BYTES = 32 * 1024 * 1024
_RECENT_RUNS = 2000  # job runs looked at (the latest), enough for every job's last few


@dataclass
class Health:
    """The verdict and what it rests on."""

    problems: list[str] = field(default_factory=list)
    database: bool = True
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems

    @property
    def status(self) -> str:
        """ "ok" or "degraded"."""
        return "ok" if self.ok else "degraded"

    def as_json(self) -> dict[str, Any]:
        """The `/healthz` body."""
        return {
            "status": self.status,
            "problems": list(self.problems),
            "database": self.database,
            "jobs": self.jobs,
        }


def check(
    store: Store,
    settings: Settings,
    now: datetime,
    failed_runs: int = FAILED_RUNS,
    stale_polls: int = STALE_POLLS,
    min_free_bytes: int = MIN_FREE_BYTES,
) -> Health:
    """The daemon's health now."""
    health = Health()
    health.database = store.ping()
    if not health.database:
        health.problems.append("database: not reachable")
    else:
        _jobs(store, health, failed_runs)
        _sources(store, health, failed_runs)
    _inbox(settings, now, health, stale_polls)
    _disk(settings, health, min_free_bytes)
    return health


def _jobs(store: Store, health: Health, failed_runs: int) -> None:
    from tracker.store.tables import JobRunRow

    runs: dict[str, list[tuple[bool, datetime]]] = {}
    query = (
        select(JobRunRow.job_id, JobRunRow.ok, JobRunRow.finished_at)  # type: ignore[call-overload]
        .order_by(JobRunRow.id.desc())  # type: ignore[union-attr]
        .limit(_RECENT_RUNS)
    )
    with store.engine.connect() as conn:
        for job_id, ok, finished in conn.execute(query):
            runs.setdefault(job_id, []).append((bool(ok), finished))
    for job_id, latest in sorted(runs.items()):
        failing = 0
        for ok, _ in latest:
            if ok:
                break
            failing += 1
        last_ok = next((t for ok, t in latest if ok), None)
        last_bad = next((t for ok, t in latest if not ok), None)
        health.jobs[job_id] = {
            "last_run": _iso(latest[0][1]),
            "last_success": _iso(last_ok),
            "last_failure": _iso(last_bad),
            "failing_runs": failing,
        }
        if failing >= failed_runs:
            health.problems.append(f"job {job_id}: failed its last {failing} runs")


def _sources(store: Store, health: Health, failed_runs: int) -> None:
    from tracker.store.tables import SourceStateRow

    query = select(SourceStateRow.source_id, SourceStateRow.failures)  # type: ignore[call-overload]
    with store.engine.connect() as conn:
        for source_id, failures in conn.execute(query):
            if (failures or 0) >= failed_runs:
                health.problems.append(
                    f"source {source_id}: failed its last {failures} fetches (backing off)"
                )


def _inbox(settings: Settings, now: datetime, health: Health, stale_polls: int) -> None:
    from tracker.sources.folder import PROCESSED

    inbox = settings.home / "inbox"
    limit = max(stale_polls * settings.inbox.poll_seconds, MIN_STALE_SECONDS)
    stale = 0
    try:
        with os.scandir(inbox) as entries:
            for e in entries:
                if e.name.startswith(".") or e.name == PROCESSED:
                    continue
                try:
                    mtime = e.stat(follow_symlinks=False).st_mtime
                except OSError:
                    continue
                if now.timestamp() - mtime > limit:
                    stale += 1
    except FileNotFoundError:
        return
    except OSError as e:
        health.problems.append(f"inbox: cannot be listed ({e.strerror})")
        return
    if stale:
        health.problems.append(
            f"inbox: {stale} item{'s' * (stale != 1)} waiting longer than {limit:.0f} s"
        )


def _disk(settings: Settings, health: Health, min_free_bytes: int) -> None:
    home = settings.home
    try:
        free = shutil.disk_usage(home if home.exists() else home.parent).free
    except OSError as e:
        health.problems.append(f"disk: cannot be measured ({e.strerror})")
        return
    if free < min_free_bytes:
        health.problems.append(
            f"disk: {free // (1024 * 1024)} MB free under the data folder "
            f"(under {min_free_bytes // (1024 * 1024)} MB)"
        )


def _iso(t: datetime | None) -> str | None:
    return t.isoformat() if t is not None else None
