"""Faults done for real where the machine allows: a full disk, a restarted PostgreSQL, the
clock jumping back and forth."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tracker.pipeline import Context, ingest_paths, publish_calendar, send_due_reminders
from tracker.remind.send import atomic_write, atomic_write_chunks

RELEASE = (
    "BOSTON, June 10, 2024 /PRNewswire/ -- Acme Inc. (Nasdaq: ACME) said today that the "
    "FDA set a PDUFA target action date of June 28, 2024 for Zentra(R).\n"
)
NOW = datetime(2024, 6, 10, 14, tzinfo=UTC)


def _mount_tiny_tmpfs(where: Path) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    where.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(where)], capture_output=True
    )
    return done.returncode == 0


def test_full_disk_keeps_the_previous_calendar(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    if not _mount_tiny_tmpfs(disk):
        pytest.skip("mounting a 64 KB tmpfs needs root and mount(8)")
    try:
        path = disk / "all.ics"
        atomic_write(path, b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
        with pytest.raises(OSError):
            # does not fit: written in pieces, as the published calendar is
            atomic_write_chunks(path, (b"x" * 50_000 for _ in range(4)))
        assert path.read_bytes() == b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
        assert [p.name for p in disk.iterdir()] == ["all.ics"]  # no half-written temp file
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_clock_jumps_lose_nothing_and_repeat_nothing(ctx: Context, tmp_path: Path) -> None:
    release = tmp_path / "acme.txt"
    release.write_text(RELEASE)
    ingest_paths(ctx, [release], NOW)
    assert send_due_reminders(ctx, NOW).sent == 1  # the 30-day reminder, late
    # NTP steps the clock back an hour, then forward past the 7-day moment (21 June, 08:00
    # New York), and back again across it.
    assert send_due_reminders(ctx, NOW - timedelta(hours=1)).sent == 0
    seven = datetime(2024, 6, 21, 12, tzinfo=UTC)
    assert send_due_reminders(ctx, seven).sent == 1
    assert send_due_reminders(ctx, seven - timedelta(minutes=30)).sent == 0
    assert send_due_reminders(ctx, seven + timedelta(minutes=30)).sent == 0
    assert len(list((ctx.settings.home / "outbox").glob("*.eml"))) == 2
    publish_calendar(ctx, seven)
    publish_calendar(ctx, NOW)  # a calendar rebuilt "in the past" is still whole
    assert (ctx.settings.home / "calendars" / "all.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")


def test_postgres_restart_under_a_running_store(tmp_path: Path) -> None:
    url = os.environ.get("TRACKER_TEST_POSTGRES_URL", "")
    clusters = Path("/etc/postgresql")
    if not url or os.geteuid() != 0 or not shutil.which("pg_ctlcluster") or not clusters.is_dir():
        pytest.skip("needs TRACKER_TEST_POSTGRES_URL, root and a local cluster (pg_ctlcluster)")
    import uuid

    from sqlalchemy import create_engine, text

    from tracker.rules.loader import load_packs
    from tracker.settings import load_settings
    from tracker.store import Store

    name = f"tracker_restart_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    db = url.rsplit("/", 1)[0] + f"/{name}"
    store = Store(db)
    try:
        store.migrate(NOW)
        settings = load_settings(None, home=str(tmp_path / "home"), environ={}).settings
        ctx = Context(settings, store, load_packs())
        release = tmp_path / "acme.txt"
        release.write_text(RELEASE)
        assert ingest_paths(ctx, [release], NOW).new == 1
        version = next(p.name for p in clusters.iterdir() if (p / "main").is_dir())
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
            check=True,
            capture_output=True,
            timeout=120,
        )
        # The pool's connections died with the server; the store reconnects by itself.
        assert send_due_reminders(ctx, NOW).sent == 1
        assert store.ping()
    finally:
        store.close()
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
