"""A feed item whose page fails is retried with backoff before it is quarantined, and
`tracker sources retry` gives a quarantined item back to its source (a real HTTP server,
real files)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tracker.pipeline import Context, ingest_inbox, ingest_source
from tracker.retry import retry_quarantined
from tracker.settings import SourceSettings
from tracker.sources.feed import FeedSource

from .test_sources import Server, _http

NOW = datetime(2024, 6, 3, 12, tzinfo=UTC)
PAGE = (
    "<html><body><p>BOSTON, June 2, 2024 -- Acme Biologics, Inc. (Nasdaq: ACMB) said today "
    "that the FDA set a PDUFA target action date of June 28, 2031 for Zentra.</p></body></html>"
)


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.close()


def _feed(base: str) -> str:
    return (
        "<rss version='2.0'><channel><title>Acme news</title>"
        f"<item><guid>acme-1</guid><title>Acme: PDUFA date</title><link>{base}/news/1</link>"
        "<description>Acme said the FDA set a date.</description></item>"
        "</channel></rss>"
    )


def _page_hits(server: Server) -> int:
    return sum(1 for path, _ in server.hits if path == "/news/1")


def test_a_failing_page_is_retried_with_backoff_then_quarantined(
    ctx: Context, server: Server
) -> None:
    server.add("/feed.xml", _feed(server.base), **{"Content-Type": "application/rss+xml"})
    server.add("/news/1", "down", status=503)
    # Configured as a user would, so that `tracker sources retry` finds it.
    ctx.settings.http = _http()
    ctx.settings.sources = [
        SourceSettings(id="acme", type="feed", url=server.base + "/feed.xml", every="15m")
    ]
    source = FeedSource("acme", server.base + "/feed.xml", _http())
    first = ingest_source(ctx, source, NOW)
    assert (first.new, first.failed) == (0, 0)  # not quarantined at the first failure
    assert ctx.store.quarantined() == []
    ingest_source(ctx, source, NOW + timedelta(minutes=1))  # too early: not tried again
    assert _page_hits(server) == 1
    ingest_source(ctx, source, NOW + timedelta(minutes=6))  # 5 minutes on: tried again
    assert _page_hits(server) == 2 and ctx.store.quarantined() == []
    third = ingest_source(ctx, source, NOW + timedelta(minutes=30))  # 20 more: third failure
    assert _page_hits(server) == 3 and third.failed == 1
    (q,) = ctx.store.quarantined()
    assert q.external_id == "acme-1" and "HTTP 503" in q.reason and "tried 3 times" in q.reason
    ingest_source(ctx, source, NOW + timedelta(hours=5))  # given up: no more requests
    assert _page_hits(server) == 3
    # The page is back: retried by hand, the item is stored and leaves the quarantine.
    server.add("/news/1", PAGE)
    report = retry_quarantined(ctx, "acme:acme-1", NOW + timedelta(hours=6))
    assert report.new == 1 and ctx.store.quarantined() == []


def test_a_page_that_comes_back_is_read_at_its_retry(ctx: Context, server: Server) -> None:
    server.add("/feed.xml", _feed(server.base), **{"Content-Type": "application/rss+xml"})
    server.add("/news/1", "gone", status=404)
    source = FeedSource("acme", server.base + "/feed.xml", _http())
    ingest_source(ctx, source, NOW)
    server.add("/news/1", PAGE)
    # The feed now answers 304: the item is fetched again from what the cursor kept.
    server.add("/feed.xml", "", status=304)
    assert ingest_source(ctx, source, NOW + timedelta(minutes=6)).new == 1


def test_retry_gives_an_inbox_file_back(ctx: Context, tmp_path: Path) -> None:
    inbox = ctx.folder("inbox")
    path = inbox / "acme.txt"
    path.write_bytes(b"\xff\xfe\x00garbage")  # refused as binary
    ingest_inbox(ctx, NOW)
    ingest_inbox(ctx, NOW + timedelta(seconds=30))
    failed = ctx.settings.home / "failed"
    assert (failed / "acme.txt").exists() and (failed / "acme.txt.error.txt").exists()
    (q,) = ctx.store.quarantined("inbox")
    # Fixed in place (as an operator would), then retried: read at once, no second poll.
    (failed / "acme.txt").write_text(PAGE.replace("<html><body><p>", "").split("</p>")[0])
    os.utime(failed / "acme.txt", (NOW.timestamp(), NOW.timestamp()))
    report = retry_quarantined(ctx, f"inbox:{q.external_id}", NOW + timedelta(minutes=1))
    assert report.new == 1, report.errors
    assert (inbox / "processed" / "acme.txt").exists()
    assert not (failed / "acme.txt.error.txt").exists()
    assert ctx.store.quarantined() == []


def test_retry_names_what_it_cannot_find(ctx: Context) -> None:
    from tracker.errors import NotFoundError

    with pytest.raises(NotFoundError, match="no quarantined item"):
        retry_quarantined(ctx, "inbox:nothing.txt:0", NOW)
    with pytest.raises(NotFoundError, match="no source"):
        retry_quarantined(ctx, "nosuch:x", NOW)


def test_retry_finds_a_file_renamed_for_a_namesake(ctx: Context) -> None:
    inbox, failed = ctx.folder("inbox"), ctx.settings.home / "failed"
    ids = []
    for n, junk in enumerate((b"\xff\xfe\x00first", b"\xff\xfe\x00second")):
        (inbox / "acme.txt").write_bytes(junk)  # refused as binary, twice under one name
        ingest_inbox(ctx, NOW + timedelta(minutes=n))
        ingest_inbox(ctx, NOW + timedelta(minutes=n, seconds=30))
        ids.append(
            next(q.external_id for q in ctx.store.quarantined("inbox") if q.external_id not in ids)
        )
    assert (failed / "acme.txt").read_bytes().endswith(b"first")
    assert (failed / "acme.1.txt").read_bytes().endswith(b"second")
    # Unchanged, the second is the one whose content the id names: it goes back (under
    # its own name) and fails again; the first stays where it was.
    report = retry_quarantined(ctx, f"inbox:{ids[1]}", NOW + timedelta(minutes=5))
    assert report.failed == 1
    assert (failed / "acme.txt").read_bytes().endswith(b"first")
    assert (failed / "acme.1.txt").read_bytes().endswith(b"second")
    assert sorted(q.external_id for q in ctx.store.quarantined("inbox")) == sorted(ids)
    # The first removed and the second fixed in place: found by its namesake's name.
    (failed / "acme.txt").unlink()
    (failed / "acme.txt.error.txt").unlink()
    (failed / "acme.1.txt").write_text(PAGE.replace("<html><body><p>", "").split("</p>")[0])
    report = retry_quarantined(ctx, f"inbox:{ids[1]}", NOW + timedelta(minutes=6))
    assert report.new == 1, report.errors
    assert (inbox / "processed" / "acme.txt").exists()
    assert not (failed / "acme.1.txt").exists() and not (failed / "acme.1.txt.error.txt").exists()
