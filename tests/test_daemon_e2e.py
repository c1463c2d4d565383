"""End to end: the real daemon as a subprocess, a release in its inbox, a calendar and an e-mail out."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
WAIT = 60.0


def wait_for(condition: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    """Poll until `condition` holds; fail after `timeout` seconds (a bounded wait)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def daemon(home: Path, log: Path, port: int = 0) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "TRACKER_HOME": str(home),
        "TRACKER_INBOX__POLL_SECONDS": "1",
        "TRACKER_REMINDERS__CHECK_SECONDS": "3600",
        "TRACKER_CONFIG": str(home / "none.toml"),
        "TRACKER_WEB__PORT": str(port or free_port()),
    }
    (home / "none.toml").parent.mkdir(parents=True, exist_ok=True)
    (home / "none.toml").write_text("")
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "run.py"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0, log.read_text()


def test_release_to_calendar_and_reminder(tmp_path: Path) -> None:
    home, log = tmp_path / "var", tmp_path / "daemon.log"
    today = datetime.now(ZoneInfo("America/New_York")).date()
    goal = today + timedelta(days=5)
    release = (
        f"BOSTON, Mass., {today:%B} {today.day}, {today.year} /PRNewswire/ -- Acme "
        f"Biologics, Inc. (Nasdaq: ACMB) said today that the U.S. Food and Drug "
        f"Administration has set a PDUFA target action date of {goal:%B} {goal.day}, "
        f"{goal.year} for Zentra(R).\n"
    )
    calendar = home / "calendars" / "all.ics"
    outbox = home / "outbox"
    port = free_port()
    with daemon(home, log, port):
        wait_for(lambda: (home / "inbox").is_dir(), "the inbox folder")
        (home / "inbox" / "acme.txt").write_text(release)
        wait_for(
            lambda: (
                calendar.exists() and f"DTSTART;VALUE=DATE:{goal:%Y%m%d}" in calendar.read_text()
            ),
            "the deadline in calendars/all.ics",
        )
        wait_for(lambda: len(list(outbox.glob("*.eml"))) == 1, "one reminder in outbox/")
        # The same deadline through the real feed server.
        from tracker.store import Store
        from tracker.web import feed_token

        token = feed_token(Store(f"sqlite:///{home / 'tracker.db'}"))  # kept in the database
        feed = f"http://127.0.0.1:{port}/{token}/calendar.ics"
        with urllib.request.urlopen(feed, timeout=10) as r:
            assert f"DTSTART;VALUE=DATE:{goal:%Y%m%d}" in r.read().decode()
            etag = r.headers["ETag"]
        again = urllib.request.Request(feed, headers={"If-None-Match": etag})
        try:
            urllib.request.urlopen(again, timeout=10)
            raise AssertionError("expected 304 Not Modified")
        except urllib.error.HTTPError as e:
            assert e.code == 304
    (eml,) = outbox.glob("*.eml")
    text = eml.read_bytes()
    # Sent after its 7-day lead time (the goal is 5 days away): it says so plainly.
    assert b"Zentra" in text and b"Reminder: 5 days left." in text and b"days ahead" not in text
    assert (home / "inbox" / "processed" / "acme.txt").exists()
    started = log.read_text()
    assert "rule pack eu-centralised" in started and "job ingest:inbox" in started

    # A restart owes nothing more: no second copy of the reminder.
    before = log.read_text().count("job remind sent=")
    with daemon(home, log):
        wait_for(lambda: log.read_text().count("job remind sent=") > before, "a reminder run")
    assert len(list(outbox.glob("*.eml"))) == 1
    assert "job remind sent=0" in log.read_text().split("tracker stopped")[-2]
