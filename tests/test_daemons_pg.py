"""Three daemons on one PostgreSQL database, one killed mid-way: each reminder once."""

from __future__ import annotations

import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text

URL = os.environ.get("TRACKER_TEST_POSTGRES_URL", "")
ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(not URL, reason="TRACKER_TEST_POSTGRES_URL is not set")
# 60 in the suite; the soak run (benchmarks/README.md) sets 10,000.
RELEASES = int(os.environ.get("TRACKER_SOAK_REMINDERS", "60"))


class Inbox:
    def __init__(self) -> None:
        self.ids: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.ids.append(str(msg["Message-ID"]))
        return "250 OK"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(condition: Any, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def test_three_daemons_one_killed_each_reminder_once(tmp_path: Path) -> None:
    name = f"tracker_daemons_{uuid.uuid4().hex[:8]}"
    admin = create_engine(URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db = URL.rsplit("/", 1)[0] + f"/{name}"
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=_port())
    smtp.start()
    procs: list[subprocess.Popen[bytes]] = []
    try:
        folder = tmp_path / "releases"
        folder.mkdir()
        today = datetime.now(ZoneInfo("America/New_York")).date()
        for i in range(RELEASES):
            goal = today + timedelta(days=5 + i % 8)
            (folder / f"r{i:05d}.txt").write_text(
                f"BOSTON, {today:%B} {today.day}, {today.year} /PRNewswire/ -- Acme{i} Inc. "
                f"(Nasdaq: AC{i:03d}) said today that the FDA set a PDUFA target action date of "
                f"{goal:%B} {goal.day}, {goal.year} for Drug{i}(R).\n"
            )
        (tmp_path / "none.toml").write_text("")
        base = {
            **os.environ,
            "TRACKER_STORE__URL": db,
            "TRACKER_CONFIG": str(tmp_path / "none.toml"),
            "TRACKER_WEB__ENABLED": "false",
            "TRACKER_MAIL__BACKEND": "smtp",
            "TRACKER_MAIL__HOST": "127.0.0.1",
            "TRACKER_MAIL__PORT": str(smtp.port),
            "TRACKER_REMINDERS__CHECK_SECONDS": "1",
            "TRACKER_REMINDERS__CLAIM_LEASE_SECONDS": "5",
        }
        subprocess.run(
            [sys.executable, "run.py", "--home", str(tmp_path / "loader"), "ingest", str(folder)],
            cwd=ROOT,
            env=base,
            check=True,
            capture_output=True,
        )
        for n in range(3):
            env = {**base, "TRACKER_HOME": str(tmp_path / f"daemon{n}")}
            log = (tmp_path / f"daemon{n}.log").open("wb")
            procs.append(
                subprocess.Popen(
                    [sys.executable, "run.py"],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        _wait(lambda: len(inbox.ids) >= max(10, RELEASES // 3), "a third of the reminders")
        procs[0].send_signal(signal.SIGKILL)
        _wait(lambda: len(set(inbox.ids)) >= RELEASES, "every reminder", 120 + RELEASES / 20)
        # Until every claim is settled as sent (the killed daemon's in-flight one taken over
        # and resent after its lease), no further message can go out: then count.
        settled = create_engine(db)

        def all_sent() -> bool:
            with settled.connect() as conn:
                rows = conn.execute(text("SELECT status, count(*) FROM reminder_log GROUP BY 1"))
                return dict(rows.all()) == {"sent": RELEASES}

        _wait(all_sent, "every claim settled as sent")
        settled.dispose()
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(timeout=60)
        smtp.stop()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    counts = Counter(inbox.ids)
    assert len(counts) == RELEASES
    # Only a message in flight when the daemon was killed may come twice, same Message-ID.
    assert sum(c - 1 for c in counts.values()) <= 1, counts.most_common(3)
    assert all(p.returncode in (0, -signal.SIGKILL) for p in procs)
