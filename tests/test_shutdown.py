"""Stopping the real daemon with thousands of releases queued: within seconds, nothing lost.

The daemon (`run.py`, a child process) polls an inbox of 3,000 releases; SIGTERM while it
ingests them must end it within 5 s, the release in hand finished and the rest left in the
inbox for the next start. A second signal exits at once.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from .test_daemon_e2e import ROOT, free_port, wait_for

FILES = 3000


def _fill(inbox: Path, files: int = FILES) -> None:
    inbox.mkdir(parents=True)
    for i in range(files):
        (inbox / f"r{i:05d}.txt").write_text(
            f"BOSTON, June 2, 2024 -- Acme{i} Inc. (Nasdaq: AC{i}) said today that the FDA set "
            f"a PDUFA target action date of June 28, 2031 for Zentra{i}.\n"
        )


def _start(home: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "TRACKER_HOME": str(home),
        "TRACKER_INBOX__POLL_SECONDS": "1",
        "TRACKER_REMINDERS__CHECK_SECONDS": "3600",
        "TRACKER_CONFIG": str(home / "none.toml"),
        "TRACKER_WEB__PORT": str(free_port()),
    }
    (home / "none.toml").write_text("")
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "run.py"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )


def _processed(home: Path) -> int:
    folder = home / "inbox" / "processed"
    return len(os.listdir(folder)) if folder.is_dir() else 0


def test_sigterm_stops_within_five_seconds_with_thousands_queued(tmp_path: Path) -> None:
    home, log = tmp_path / "var", tmp_path / "daemon.log"
    _fill(home / "inbox")
    proc = _start(home, log)
    try:
        wait_for(lambda: _processed(home) >= 20, "the daemon ingesting the queue", 120)
        asked = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0, log.read_text()
        took = time.monotonic() - asked
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = log.read_text()
    assert took < 5, f"took {took:.1f} s to stop\n{text[-2000:]}"
    assert "items left for the next start" in text
    done = _processed(home)
    left = len([p for p in os.listdir(home / "inbox") if p.endswith(".txt")])
    assert done + left == FILES and left > 0
    assert not (home / "failed").exists() or os.listdir(home / "failed") == []
    with sqlite3.connect(home / "tracker.db") as db:
        (stored,) = db.execute("select count(*) from release").fetchone()
    # Every file moved to processed/ was stored (a file is moved only after its commit;
    # the one in hand at the signal was finished).
    assert stored == done


def test_a_second_signal_exits_at_once(tmp_path: Path) -> None:
    from . import pdfgen

    home, log = tmp_path / "var", tmp_path / "daemon.log"
    _fill(home / "inbox", 50)
    # A long PDF last in the queue (pdfminer.six takes seconds on it): once the 50 releases
    # before it are in, the first signal arrives while it is read, so stopping would wait
    # for it; the second must not.
    text = (
        "BOSTON, June 2, 2024 -- Acme Inc. said today that the FDA set a PDUFA date of June "
        "28, 2031 for Zentra.\n\n" + "Acme develops medicines for rare conditions. " * 3000
    )
    (home / "inbox" / "z-long.pdf").write_bytes(pdfgen.one_column(text))
    proc = _start(home, log)
    try:
        wait_for(lambda: _processed(home) == 50, "the releases before the PDF", 120)
        proc.send_signal(signal.SIGINT)
        time.sleep(0.3)  # two signals at the same instant are one for the process
        asked = time.monotonic()
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=30)
        took = time.monotonic() - asked
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = log.read_text()
    assert "again, exiting at once" in text, text[-2000:]
    assert took < 2 and code == 128 + signal.SIGINT
    # Nothing half-stored: the PDF's transaction never committed, it is still in the inbox.
    assert (home / "inbox" / "z-long.pdf").exists()
    with sqlite3.connect(home / "tracker.db") as db:
        (stored,) = db.execute("select count(*) from release").fetchone()
    assert stored == _processed(home) == 50
