"""APScheduler wiring: which pipeline step runs when. All durable state is in our database."""

from __future__ import annotations

import logging
import time as _time
from collections.abc import Callable
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler

from tracker import clock, pipeline
from tracker.sources.base import Source

logger = logging.getLogger(__name__)

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}


def run_job(
    ctx: pipeline.Context, job_id: str, step: Callable[[pipeline.Context, datetime], str]
) -> None:
    """Run one job: log one summary line and record the run. Never lets an error escape."""
    started = clock.now()
    t0 = _time.perf_counter()
    try:
        summary = step(ctx, started)
        ok = True
    except Exception as e:
        logger.exception("job %s failed", job_id)
        summary, ok = f"failed: {e}", False
    logger.info("job %s %s in %.2fs", job_id, summary, _time.perf_counter() - t0)
    try:
        ctx.store.record_job(job_id, started, clock.now(), ok, summary)
    except Exception:
        logger.exception("job %s: could not record the run", job_id)


def source_step(source: Source, seconds: int = 0) -> Callable[[pipeline.Context, datetime], str]:
    """The job of one source: ingest it; when anything arrived, rewrite the calendar and send
    what is owed, so a release dropped in the inbox reaches the outbox within one poll."""

    def step(ctx: pipeline.Context, now: datetime) -> str:
        # Local folders belong to this host; shared sources are leased for most of an interval
        # so that several daemons on one database poll each once.
        inbox = source.id == "inbox"
        report = pipeline.ingest_source(
            ctx, source, now, force=inbox, lease_seconds=None if inbox else seconds * 0.9
        )
        if report.new or report.changed:
            pipeline.publish_calendar(ctx, now)
            reminders = pipeline.send_due_reminders(ctx, now)
            return f"{report.summary()} reminders {reminders.summary()}"
        return report.summary()

    return step


def remind_step(ctx: pipeline.Context, now: datetime) -> str:
    """Mark deadlines whose date is behind us passed, rewrite the calendar, send reminders."""
    ctx.store.mark_passed(pipeline.local_today(ctx.settings, now), now)
    pipeline.publish_calendar(ctx, now)
    return pipeline.send_due_reminders(ctx, now).summary()


def build_scheduler(ctx: pipeline.Context) -> BackgroundScheduler:
    """The daemon's scheduler with its fixed jobs; nothing runs until it is started."""
    from tracker.sources import configured_sources

    sched = BackgroundScheduler(job_defaults=JOB_DEFAULTS, timezone=ctx.settings.tracker.timezone)
    now = clock.now()
    for source, seconds in configured_sources(ctx.settings):
        job_id = f"ingest:{source.id}"
        sched.add_job(
            run_job,
            "interval",
            seconds=seconds,
            args=(ctx, job_id, source_step(source, seconds)),
            id=job_id,
            name=job_id,
            replace_existing=True,
            next_run_time=now,
            jitter=None if source.id == "inbox" else min(30, seconds // 10),
        )
    sched.add_job(
        run_job,
        "interval",
        seconds=ctx.settings.reminders.check_seconds,
        args=(ctx, "remind", remind_step),
        id="remind",
        name="remind",
        replace_existing=True,
        next_run_time=now,
    )
    return sched
