"""Is the daemon well? What `/healthz` answers: ok, or degraded with each problem named.

Degraded when the database does not answer, when a job failed its last `FAILED_RUNS` runs,
when a source has been failing that many fetches in a row, when the inbox holds an item
older than `STALE_POLLS` polls (it should have been read or refused by then), or when the
disk under the data folder has less than `MIN_FREE_BYTES` free. The answer names jobs,
sources and counts, never a tracked company, product, deadline or file name.

`Monitor` is what `/healthz` asks: it answers at once, on the event loop, with a verdict at
most about a second old, checked again in a thread of its own (a request never waits for
the database, nor for a thread while the server is busy sending feeds). A check that has
not finished after `Monitor.STUCK_AFTER` seconds (a database that hangs) is degraded too.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from tracker import clock

logger = logging.getLogger(__name__)

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


class Monitor:
    """The latest verdict, kept fresh in the background: `latest` returns at once with one
    checked less than about `MAX_AGE` seconds ago (the first call waits for the first
    check). When the verdict is older, the call starts a new check in a thread and returns
    the one it has; a check that has not finished after `STUCK_AFTER` seconds is itself a
    problem."""

    MAX_AGE = 1.0
    STUCK_AFTER = 10.0

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store, self.settings = store, settings
        self._verdict: Health | None = None
        self._checked = 0.0  # monotonic time the verdict was made
        self._since: float | None = None  # monotonic time the check under way began
        self._lock = threading.Lock()

    async def latest(self) -> Health:
        """The newest verdict (see the class); safe on the event loop."""
        from starlette.concurrency import run_in_threadpool

        if self._verdict is None:
            await run_in_threadpool(self._check)
        now = clock.monotonic()
        if now - self._checked > self.MAX_AGE and not self._lock.locked():
            threading.Thread(target=self._check, name="health", daemon=True).start()
        verdict = self._verdict
        assert verdict is not None
        since = self._since
        if since is not None and now - since > self.STUCK_AFTER:
            stuck = f"health check: no answer for {now - since:.0f} s (database not answering?)"
            return replace(verdict, problems=[*verdict.problems, stuck])
        return verdict

    def _check(self) -> None:
        with self._lock:  # one check at a time; one just made serves the callers waiting
            if self._verdict is not None and clock.monotonic() - self._checked <= self.MAX_AGE:
                return
            self._since = clock.monotonic()
            try:
                verdict = check(self.store, self.settings, clock.now())
            except Exception as e:  # whatever broke, /healthz says so
                logger.exception("health check failed")
                verdict = Health(problems=[f"health check: failed ({type(e).__name__})"])
            self._verdict, self._checked, self._since = verdict, clock.monotonic(), None


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
