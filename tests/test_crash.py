"""kill -9 in the middle of a backfill, twice: after finishing, everything is stored once."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.corpus import corpus

ROOT = Path(__file__).resolve().parents[1]
# The suite: 400 releases, killed twice. The soak run (benchmarks/README.md): 1,000, more kills.
RELEASES = int(os.environ.get("TRACKER_SOAK_RELEASES", "400"))
KILLS = int(os.environ.get("TRACKER_SOAK_KILLS", "2"))
SEED = int(os.environ.get("TRACKER_SOAK_SEED", "3"))
COUNTS = {
    "release": "SELECT count(*) FROM release",
    "distinct texts": "SELECT count(DISTINCT sha256) FROM release",
    "events": "SELECT count(*) FROM event",
    "timelines": "SELECT count(*) FROM timeline",
    "deadlines": "SELECT count(*) FROM deadline",
    "procedures": "SELECT count(*) FROM procedure",
}


def _ingest(home: Path, folder: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TRACKER_CONFIG": str(home.parent / "none.toml")}
    return subprocess.Popen(
        [sys.executable, "run.py", "--home", str(home), "ingest", str(folder)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _count(db: Path, sql: str) -> int:
    try:
        with sqlite3.connect(db, timeout=30) as conn:
            return int(conn.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:
        return 0  # not created yet


def _counts(db: Path) -> dict[str, int]:
    return {name: _count(db, sql) for name, sql in COUNTS.items()}


def test_kill_9_during_backfill_loses_and_repeats_nothing(tmp_path: Path) -> None:
    (tmp_path / "none.toml").write_text("")
    folder = tmp_path / "releases"
    folder.mkdir()
    for i, text in enumerate(corpus(RELEASES, seed=3)):
        (folder / f"{i:05d}.txt").write_text(text)
    crashed, clean = tmp_path / "crashed", tmp_path / "clean"
    # Kill once that many releases are in (at whatever step the process is then), again...
    targets = sorted(random.Random(SEED).sample(range(RELEASES // 10, RELEASES * 9 // 10), KILLS))
    for target in targets:
        proc = _ingest(crashed, folder)
        deadline = time.monotonic() + 120
        while _count(crashed / "tracker.db", COUNTS["release"]) < target:
            assert proc.poll() is None, "the backfill ended before it could be killed"
            assert time.monotonic() < deadline, "the backfill made no progress"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert _ingest(crashed, folder).wait(timeout=300) == 0
    assert _ingest(clean, folder).wait(timeout=300) == 0
    after_crashes = _counts(crashed / "tracker.db")
    assert after_crashes == _counts(clean / "tracker.db")
    assert after_crashes["release"] == after_crashes["distinct texts"] == RELEASES
