"""The long-running process: start-up in order, the scheduler, clean shutdown on signals."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from pathlib import Path
from types import FrameType

from tracker import __version__, clock, stopping
from tracker.log import setup_logging
from tracker.pipeline import open_context
from tracker.scheduler import build_scheduler
from tracker.settings import Loaded

logger = logging.getLogger(__name__)


def run(loaded: Loaded, stop: threading.Event | None = None) -> None:
    """Run until SIGTERM/SIGINT (or `stop` is set); a running job finishes first."""
    s = loaded.settings
    setup_logging(s.tracker.log_level, s.tracker.log_format)
    logger.info("tracker %s starting", __version__)
    logger.info("config sources: %s", ", ".join(loaded.sources))
    if loaded.sources == ["defaults"]:
        logger.warning("only built-in defaults are active (no config/tracker.toml)")
    from tracker.remind.render import address, check_templates

    check_templates(s.tracker.templates_dir or None)  # a broken template stops start-up
    for r in s.effective_recipients():
        address(r.address)  # an invalid recipient too
    ctx = open_context(s, clock.now())
    logger.info("data folder: %s (database %s)", s.home, _safe_url(s.database_url))
    for pack in ctx.packs:
        logger.info("rule pack %s v%s: %d rules", pack.id, pack.pack.version, len(pack.rules))
    stopping.reset()
    _clean_stale_temporaries(s.home)
    from tracker.claims import release_dead_claims

    release_dead_claims(ctx.store, clock.now())  # this host's crashed runs: no lease wait
    sched = build_scheduler(ctx)
    for job in sched.get_jobs():
        logger.info("job %s every %s", job.id, job.trigger)
    web = None
    if s.web.enabled:
        from tracker.web import Server, make_app

        web = Server(make_app(ctx.store, s, ctx), s.web.host, s.web.port)
        web.start()
        logger.info(  # the port really bound, recorded for `tracker feeds`
            "feeds served on http://%s:%d (tracker feeds prints the URLs)", s.web.host, web.port
        )
    stop = stop or threading.Event()

    def _on_signal(signum: int, _frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if stop.is_set():
            # A second signal: exit now. Safe: each release is one transaction (the one in
            # hand is rolled back by the database), files move only after their commit.
            logger.warning("received %s again, exiting at once", name)
            logging.shutdown()
            os._exit(128 + signum)
        logger.info("received %s, stopping (the release in hand finishes first)", name)
        stop.set()
        stopping.request()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _on_signal)
        signal.signal(signal.SIGINT, _on_signal)
    sched.start()
    try:
        while not stop.wait(1.0):
            pass
    finally:
        sched.shutdown(wait=True)
        if web is not None:
            web.stop()
        ctx.store.close()
        logger.info("tracker stopped")


STALE_TEMPORARY_SECONDS = 600


def _clean_stale_temporaries(home: Path) -> None:
    """Remove the `.tmp-*` files an atomic write left behind when its process was killed
    (outbox messages, calendars); only ones old enough that no live writer owns them."""
    cutoff = time.time() - STALE_TEMPORARY_SECONDS
    for folder in ("outbox", "calendars"):
        for tmp in (home / folder).glob(".tmp-*"):
            try:
                if tmp.is_file() and tmp.stat().st_mtime < cutoff:
                    tmp.unlink()
                    logger.info("removed a stale temporary file in %s/", folder)
            except OSError:
                pass


def _safe_url(url: str) -> str:
    """A database URL without its password, for logs."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}"
    return url
