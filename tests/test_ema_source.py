"""The EMA CHMP highlights source against a real HTTP server on 127.0.0.1: listings as RSS
and as a news page, both page shapes, conditional GET, 404, 5xx with backoff, timeouts and
malformed pages quarantined with the reason."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from tracker.pipeline import Context, ingest_source
from tracker.settings import HttpSection, SourceSettings
from tracker.sources import SOURCE_TYPES
from tracker.sources.ema import EmaHighlightsSource, MalformedPage, parse_highlights

from .ema_pages import highlights_list, highlights_table, listing_html, listing_rss
from .test_sources import Server

NOW = datetime(2025, 10, 20, 9, tzinfo=UTC)
SECTIONS = [
    (
        "New medicines recommended for approval",
        [
            ("Zelvora®", "tovaprimab", "Zelvora Therapeutics B.V.", "for chronic urticaria"),
            ("Brandx", None, None, "for asthma"),
        ],
    ),
    ("Negative opinion on a new medicine", [("Nopexa", "nopexatide", "Grey GmbH", "obesity")]),
    (
        "Outcome of re-examination procedures",
        [
            ("Rexil", "rexilumab", "Rex AG", "the committee confirmed its negative opinion"),
            ("Rexor", "rexorin", "Rex AG", "a positive opinion was adopted"),
            ("Unclear", None, None, "discussed at length"),
        ],
    ),
    ("Withdrawal of applications", [("Wexa", "wexatinib", "Wex Ltd.", "melanoma")]),
    ("Extensions of therapeutic indication", [("Oldy", None, "Merck & Co., Inc.", "children")]),
    ("Other matters", [("Agenda", None, None, "not an item")]),
]


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.close()


def _http(**over: Any) -> HttpSection:
    return HttpSection(**{"timeout_seconds": 2.0, "requests_per_second": 1000.0, **over})


@pytest.mark.parametrize("shape", [highlights_list, highlights_table], ids=["list", "table"])
def test_both_page_shapes_read_alike(shape: Any) -> None:
    doc = parse_highlights(shape("13-16 October 2025", SECTIONS))
    assert (doc.start, doc.end, doc.label) == (
        date(2025, 10, 13),
        date(2025, 10, 16),
        "13-16 October 2025",
    )
    got = [(i.type, i.outcome, i.product, i.substance, i.applicant) for i in doc.items]
    assert got == [
        ("opinion", "positive", "Zelvora", "tovaprimab", "Zelvora Therapeutics B.V"),
        ("opinion", "positive", "Brandx", None, None),
        ("opinion", "negative", "Nopexa", "nopexatide", "Grey GmbH"),
        ("reexamination_outcome", "negative", "Rexil", "rexilumab", "Rex AG"),
        ("reexamination_outcome", "positive", "Rexor", "rexorin", "Rex AG"),
        ("withdrawal", None, "Wexa", "wexatinib", "Wex Ltd"),
        ("opinion", "positive", "Oldy", None, "Merck & Co., Inc"),
    ]
    assert doc.items[-1].extension
    assert doc.skipped == ("Unclear: the re-examination's outcome is not stated",)
    assert all(
        i.evidence.startswith("EMA, CHMP meeting highlights of 13-16 October") for i in doc.items
    )


def test_a_meeting_across_two_months() -> None:
    doc = parse_highlights(highlights_list("28 April - 1 May 2025", SECTIONS[:1]))
    assert (doc.start, doc.end, doc.label) == (
        date(2025, 4, 28),
        date(2025, 5, 1),
        "28 April - 1 May 2025",
    )


@pytest.mark.parametrize(
    ("page", "reason"),
    [
        (
            "<html><h1>Management board, 12 March 2025</h1><h2>Positive</h2></html>",
            "no plenary dates",
        ),
        ("<html><h1>CHMP 13-16 October 2025</h1><p>Nothing.</p></html>", "no section of opinions"),
        ("<html><h1>CHMP 16-13 October 2025</h1><h2>Positive</h2></html>", "no plenary dates"),
    ],
    ids=["no-dates", "no-sections", "reversed-dates"],
)
def test_malformed_pages_say_why(page: str, reason: str) -> None:
    with pytest.raises(MalformedPage, match=reason):
        parse_highlights(page)


def test_rss_listing_conditional_get_and_one_document_per_page(
    ctx: Context, server: Server
) -> None:
    server.add("/h/oct", highlights_list("13-16 October 2025", SECTIONS))
    server.add(
        "/news.xml",
        listing_rss(server.base, [("/h/oct", "Meeting highlights from the CHMP"), ("/x", "Other")]),
        ETag='"v1"',
        **{"Content-Type": "application/rss+xml"},
    )
    source = SOURCE_TYPES["ema-chmp"](
        type("Cfg", (), {"id": "ema", "url": server.base + "/news.xml", "model_extra": {}})(),  # type: ignore[arg-type]
        type("S", (), {"http": _http()})(),  # type: ignore[arg-type]
    )
    assert isinstance(source, EmaHighlightsSource)
    first = ingest_source(ctx, source, NOW)
    assert (first.new, first.failed) == (1, 0), first.errors
    assert not any(path == "/x" for path, _ in server.hits)  # not a highlights link

    def not_modified(handler: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
        assert handler.headers["If-None-Match"] == '"v1"'
        return 304, {}, b""

    server.routes["/news.xml"] = not_modified
    hits = len(server.hits)
    second = ingest_source(ctx, source, NOW + timedelta(hours=6))
    assert (second.new, second.failed) == (0, 0)
    assert len(server.hits) == hits + 1  # the listing only
    # No company release came of it: the page is an agency document, not read as a release.
    assert ctx.store.deadlines(include_all=True) == []


def test_html_listing_follows_same_site_highlights_links(ctx: Context, server: Server) -> None:
    server.add("/h/oct", highlights_table("13-16 October 2025", SECTIONS))
    server.add("/news", listing_html([("/h/oct", "CHMP meeting highlights, October")]))
    report = ingest_source(ctx, EmaHighlightsSource("ema", server.base + "/news", _http()), NOW)
    assert (report.new, report.failed) == (1, 0)
    assert [p for p, _ in server.hits] == ["/news", "/h/oct"]


def test_missing_and_malformed_pages_are_quarantined_with_the_reason(
    ctx: Context, server: Server
) -> None:
    server.add("/h/bad", "<html><h1>Our new offices</h1><p>We moved.</p></html>")
    server.add(
        "/news.xml",
        listing_rss(server.base, [("/h/gone", "highlights"), ("/h/bad", "highlights")]),
        **{"Content-Type": "application/rss+xml"},
    )
    report = ingest_source(ctx, EmaHighlightsSource("ema", server.base + "/news.xml", _http()), NOW)
    assert report.failed == 2
    reasons = {q.external_id.rsplit("/", 1)[-1]: q.reason for q in ctx.store.quarantined("ema")}
    assert "HTTP 404" in reasons["gone"]
    assert "no plenary dates" in reasons["bad"]


def test_a_failing_page_is_retried_with_backoff_then_quarantined(
    ctx: Context, server: Server
) -> None:
    server.add("/h/oct", b"busy", status=500)
    server.add(
        "/news.xml",
        listing_rss(server.base, [("/h/oct", "highlights")]),
        **{"Content-Type": "application/rss+xml"},
    )
    source = EmaHighlightsSource("ema", server.base + "/news.xml", _http())
    assert ingest_source(ctx, source, NOW).failed == 0  # waits 5 minutes, not quarantined
    tries = lambda: sum(p == "/h/oct" for p, _ in server.hits)  # noqa: E731
    assert tries() == 1
    ingest_source(ctx, source, NOW + timedelta(minutes=2), force=True)
    assert tries() == 1  # still waiting
    ingest_source(ctx, source, NOW + timedelta(minutes=6), force=True)
    assert tries() == 2
    report = ingest_source(ctx, source, NOW + timedelta(minutes=30), force=True)
    assert tries() == 3 and report.failed == 1
    (q,) = ctx.store.quarantined("ema")
    assert "HTTP 500 (tried 3 times)" in q.reason
    # Quarantined, it is not fetched again by the next polls...
    server.add("/h/oct", highlights_list("13-16 October 2025", SECTIONS))
    assert ingest_source(ctx, source, NOW + timedelta(hours=1), force=True).new == 0
    assert tries() == 3
    # ...until `tracker sources retry` gives it back.
    from tracker.retry import retry_quarantined

    ctx.settings.sources.append(
        SourceSettings(id="ema", type="ema-chmp", url=server.base + "/news.xml")
    )
    report = retry_quarantined(ctx, "ema:" + server.base + "/h/oct", NOW + timedelta(hours=2))
    assert report.new == 1 and ctx.store.quarantined("ema") == []


def test_listing_errors_back_off_and_timeouts_are_errors(ctx: Context, server: Server) -> None:
    server.add("/news.xml", b"down", status=503)
    source = EmaHighlightsSource("ema", server.base + "/news.xml", _http())
    report = ingest_source(ctx, source, NOW)
    assert report.failed == 1 and "HTTP 503" in report.errors[0]
    state = ctx.store.source_state("ema")
    assert state.next_run is not None and state.next_run > NOW
    assert ingest_source(ctx, source, NOW + timedelta(seconds=30)).skipped
    server.routes["/slow.xml"] = "hang"
    slow = EmaHighlightsSource("slow", server.base + "/slow.xml", _http(timeout_seconds=0.5))
    report = ingest_source(ctx, slow, NOW)
    assert "timed out" in report.errors[0]


def test_retry_after_on_the_listing_is_respected(ctx: Context, server: Server) -> None:
    server.add("/news.xml", b"slow down", status=429, **{"Retry-After": "600"})
    ingest_source(ctx, EmaHighlightsSource("ema", server.base + "/news.xml", _http()), NOW)
    assert ctx.store.source_state("ema").next_run == NOW + timedelta(seconds=600)


def test_a_corrected_page_replaces_its_items_and_a_second_source_adds_none(
    ctx: Context, server: Server
) -> None:
    from tracker.agency import ingest_highlights
    from tracker.domain import RawItem
    from tracker.store.agency import unmatched

    url = server.base + "/h/oct"

    def read(source: str, sections: Any) -> str:
        page = highlights_list("13-16 October 2025", sections).encode()
        item = RawItem(source, url, "oct.html", page, NOW, url=url)
        return ingest_highlights(ctx, item, parse_highlights(page), NOW)

    def products() -> set[str]:
        with ctx.store.session() as s:
            return {u.product for u in unmatched(s)}

    assert read("ema", SECTIONS[:1]) == "new"
    assert products() == {"Zelvora", "Brandx"}
    assert read("ema", SECTIONS[:1]) == "unchanged"
    assert read("ema", SECTIONS[1:2]) == "changed"  # corrected: its items are the new ones
    assert products() == {"Nopexa"}
    assert read("ema-mirror", SECTIONS[1:2]) == "duplicate"  # the same page elsewhere
    assert products() == {"Nopexa"}


def test_the_link_pattern_is_the_class_default_unless_one_is_configured() -> None:
    from tracker.sources.page import PageSource

    base = "http://127.0.0.1:9"
    page = listing_html([("/h/oct", "CHMP meeting highlights, October")]).encode()

    def build(extra: dict[str, str]) -> Any:
        cfg = type("Cfg", (), {"id": "ema", "url": base + "/news", "model_extra": extra})()
        return SOURCE_TYPES["ema-chmp"](cfg, type("S", (), {"http": _http()})())  # type: ignore[arg-type]

    default, own = build({}), build({"link_pattern": "board"})
    assert isinstance(default, PageSource) and default.link.pattern == "highlights"
    assert default.links(page, base + "/news") == [base + "/h/oct"]
    assert own.links(page, base + "/news") == [base + "/news/board-meeting"]
    # A plain page source keeps its own default (release-like links: "news" in the address).
    plain = PageSource("ir", base + "/news", _http())
    assert plain.links(page, base + "/news") == [base + "/news/board-meeting"]
