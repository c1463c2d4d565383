"""The same code path on PostgreSQL: a story, sources, reminders claimed by two daemons.

Runs when TRACKER_TEST_POSTGRES_URL names a server (`.ci/run` sets it when one answers);
each test module gets a database of its own, dropped afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tracker.pipeline import Context, derive_deadlines, ingest_paths, send_due_reminders
from tracker.rules.loader import load_packs
from tracker.settings import load_settings
from tracker.store import Store

from .conftest import FIXTURES

URL = os.environ.get("TRACKER_TEST_POSTGRES_URL", "")
pytestmark = pytest.mark.skipif(not URL, reason="TRACKER_TEST_POSTGRES_URL is not set")
STORY = sorted((FIXTURES / "releases" / "eu-story").glob("*.txt"))
NOW = datetime(2008, 3, 21, 12, tzinfo=UTC)


@pytest.fixture
def pg_ctx(pg_url: str, tmp_path: Path) -> Iterator[Context]:
    settings = load_settings(None, home=str(tmp_path / "home"), environ={}).settings
    settings.store.url = pg_url
    store = Store(pg_url)
    store.migrate(NOW)
    yield Context(settings, store, load_packs())
    store.close()


def test_story_on_postgres(pg_ctx: Context) -> None:
    for path in STORY:
        ingest_paths(pg_ctx, [path], NOW)
    derive_deadlines(pg_ctx, None, datetime(2008, 12, 1, 12, tzinfo=UTC))
    rows = {d.key.rsplit("/", 1)[-1]: d for d in pg_ctx.store.deadlines(include_all=True)}
    assert rows["reexamination-grounds"].status == "met"
    assert [d for d in rows.values() if d.status == "open"] == []
    again = ingest_paths(pg_ctx, STORY, NOW)
    assert again.new == 0  # each release stored once


def test_migrate_twice_is_harmless(pg_url: str) -> None:
    store = Store(pg_url)
    from tracker.store.migrations import MIGRATIONS

    # An empty database is made from the current tables: every migration recorded at once.
    assert store.migrate(NOW) == [m.name for m in MIGRATIONS]
    assert store.migrate(NOW) == []
    store.close()


def test_two_daemons_send_each_reminder_once(pg_ctx: Context, tmp_path: Path) -> None:
    release = tmp_path / "acme.txt"
    release.write_text(
        "BOSTON, June 10, 2024 /PRNewswire/ -- Acme Inc. (Nasdaq: ACME) said today "
        "that the FDA set a PDUFA target action date of June 28, 2024 for Zentra(R).\n"
    )
    now = datetime(2024, 6, 10, 14, tzinfo=UTC)
    ingest_paths(pg_ctx, [release], now)
    other = Context(pg_ctx.settings, Store(pg_ctx.settings.store.url), pg_ctx.packs)
    try:
        first = send_due_reminders(pg_ctx, now)
        second = send_due_reminders(other, now + timedelta(seconds=1))
    finally:
        other.store.close()
    assert (first.sent, second.sent) == (1, 0)
    assert len(list((pg_ctx.settings.home / "outbox").glob("*.eml"))) == 1
    assert pg_ctx.store.deadlines(include_all=True)[0].end == date(2024, 6, 28)


def test_one_daemon_polls_a_source_per_interval(pg_ctx: Context) -> None:
    other = Store(pg_ctx.settings.store.url)
    try:
        assert pg_ctx.store.take_source("agency-press", NOW, 900)
        assert not other.take_source("agency-press", NOW + timedelta(minutes=1), 900)
        assert other.take_source("agency-press", NOW + timedelta(minutes=16), 900)
    finally:
        other.close()


def test_a_deferred_message_is_taken_over_by_one_daemon(pg_ctx: Context) -> None:
    keys = ("d/k", "lead", "7", "ra@example.org")
    assert pg_ctx.store.claim_messages([(keys, "<m@x>", None)], NOW) == {keys}
    pg_ctx.store.finish_messages([(keys, "deferred", "451", NOW + timedelta(minutes=2))], NOW)
    other = Store(pg_ctx.settings.store.url)
    try:
        later = NOW + timedelta(minutes=3)
        won = [
            pg_ctx.store.claim_messages([(keys, "<m@x>", None)], later),
            other.claim_messages([(keys, "<m@x>", None)], later),
        ]
    finally:
        other.close()
    assert sorted(len(w) for w in won) == [0, 1]
