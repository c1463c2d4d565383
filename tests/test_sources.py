"""Sources against a real HTTP server on 127.0.0.1, real files, real mailboxes."""

from __future__ import annotations

import mailbox
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tracker.pipeline import Context, ingest_source
from tracker.settings import HttpSection
from tracker.sources.feed import FeedSource
from tracker.sources.mail import MailSource
from tracker.sources.page import PageSource
from tracker.sources.sec import SecSource

from .conftest import FIXTURES

NOW = datetime(2024, 6, 3, 12, tzinfo=UTC)
RELEASE = (
    "<html><head><style>p {{ color: red }}</style><script>var pdufa = 'June 1, 2031';</script>"
    "</head><body><p>{dateline} -- {company} (Nasdaq: ACMB) said today that {news}</p></body></html>"
)


class Server:
    """A real HTTP server in the test process; routes map a path to (status, headers, body)."""

    def __init__(self) -> None:
        self.routes: dict[str, Any] = {}
        self.hits: list[tuple[str, dict[str, str]]] = []
        self.release = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.hits.append((self.path, dict(self.headers)))
                route = outer.routes.get(self.path)
                if route is None:
                    self.send_error(404)
                    return
                if route == "hang":
                    outer.release.wait(10)  # until the test ends; the client times out first
                    return
                status, headers, body = route(self) if callable(route) else route
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def add(self, path: str, body: str | bytes, status: int = 200, **headers: str) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.routes[path] = (status, {"Content-Type": "text/html; charset=utf-8", **headers}, data)

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.close()


def _http(**over: Any) -> HttpSection:
    base = {"timeout_seconds": 2.0, "requests_per_second": 1000.0, "contact": "ra@example.org"}
    return HttpSection(**{**base, **over})


def _feed(name: str, base: str) -> str:
    return (FIXTURES / "feeds" / name).read_text().replace("{base}", base)


def _release(company: str, news: str, dateline: str = "BOSTON, June 2, 2024 /PRNewswire/") -> str:
    return RELEASE.format(dateline=dateline, company=company, news=news)


def _deadlines(ctx: Context) -> list[tuple[date, str]]:
    return [(d.end, d.status) for d in ctx.store.deadlines(include_all=True)]


def test_rss_feed_conditional_get_and_new_items(ctx: Context, server: Server) -> None:
    server.add(
        "/feed.xml",
        _feed("rss2.xml", server.base),
        ETag='"v1"',
        **{"Content-Type": "application/rss+xml"},
    )
    source = FeedSource("acme", server.base + "/feed.xml", _http())
    first = ingest_source(ctx, source, NOW)
    assert (first.new, first.failed) == (1, 0)
    assert (date(2024, 12, 20), "open") in _deadlines(ctx)

    def not_modified(handler: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
        assert handler.headers["If-None-Match"] == '"v1"'
        return 304, {}, b""

    server.routes["/feed.xml"] = not_modified
    second = ingest_source(ctx, source, NOW + timedelta(minutes=15))
    assert (second.new, second.failed) == (0, 0)
    agent = server.hits[-1][1]["User-Agent"]
    assert agent.startswith("regulatory-deadline-tracker/") and "ra@example.org" in agent


def test_summary_only_items_fetch_their_link(ctx: Context, server: Server) -> None:
    server.add("/atom.xml", _feed("atom-summary-only.xml", server.base))
    server.add(
        "/releases/norabel-opinion.html",
        _release(
            "Bexley plc",
            "the CHMP adopted a positive opinion for Norabel(R).",
            dateline="LONDON, March 2, 2021",
        ),
    )
    report = ingest_source(ctx, FeedSource("bexley", server.base + "/atom.xml", _http()), NOW)
    assert (report.new, report.failed) == (1, 1)  # the empty entry is quarantined
    (q,) = ctx.store.quarantined("bexley")
    assert "no text and no link" in q.reason


def test_rss1_feed(ctx: Context, server: Server) -> None:
    server.add("/rss1.rdf", _feed("rss1.rdf", server.base))
    server.add(
        "/releases/velmira.html",
        _release(
            "Ostara AG",
            "Swissmedic has approved Velmira(R).",
            dateline="ZUG, Switzerland, May 5, 2024",
        ),
    )
    assert (
        ingest_source(ctx, FeedSource("ostara", server.base + "/rss1.rdf", _http()), NOW).new == 1
    )


@pytest.mark.parametrize(
    ("route", "message"),
    [
        (("/f", b"<rss><channel><item><title>cut", 200), "not a readable feed"),
        (("/f", (FIXTURES / "feeds/entity-bomb.xml").read_bytes(), 200), "declares XML entities"),
        (("/f", b"nope", 404), "HTTP 404"),
        (("/f", b"oops", 500), "HTTP 500"),
        (("/f", b"x" * 5000, 200), "over the 2048-byte cap"),
    ],
    ids=["truncated-xml", "entity-bomb", "404", "500", "size-cap"],
)
def test_bad_feeds_are_reported_and_backed_off(
    ctx: Context, server: Server, route: tuple, message: str
) -> None:
    path, body, status = route
    server.add(path, body, status=status)
    source = FeedSource("bad", server.base + path, _http(max_bytes=2048))
    report = ingest_source(ctx, source, NOW)
    assert report.failed == 1 and message in report.errors[0]
    state = ctx.store.source_state("bad")
    assert message in (state.last_error or "")
    assert state.next_run is not None and state.next_run > NOW
    assert ingest_source(ctx, source, NOW + timedelta(seconds=30)).skipped  # backing off


def test_retry_after_is_respected(ctx: Context, server: Server) -> None:
    server.add("/f", b"slow down", status=429, **{"Retry-After": "120"})
    ingest_source(ctx, FeedSource("busy", server.base + "/f", _http()), NOW)
    assert ctx.store.source_state("busy").next_run == NOW + timedelta(seconds=120)


def test_redirect_loop_timeout_and_tls_error(ctx: Context, server: Server) -> None:
    server.add("/a", b"", status=302, Location="/b")
    server.add("/b", b"", status=302, Location="/a")
    server.routes["/hang"] = "hang"
    port = server.base.rsplit(":", 1)[1]
    cases = [
        (server.base + "/a", "too many redirects"),
        (server.base + "/hang", "timed out"),
        (f"https://127.0.0.1:{port}/feed.xml", "ConnectError"),
    ]
    for i, (url, message) in enumerate(cases):
        report = ingest_source(ctx, FeedSource(f"s{i}", url, _http(timeout_seconds=0.5)), NOW)
        assert message in report.errors[0], report.errors


def test_thousands_of_items_are_capped(ctx: Context, server: Server) -> None:
    items = "".join(
        f"<item><guid>n{i}</guid><title>t</title><description>BOSTON, June 2, 2024 -- note {i}."
        "</description></item>"
        for i in range(3000)
    )
    server.add("/big.xml", f"<rss version='2.0'><channel><title>x</title>{items}</channel></rss>")
    report = ingest_source(
        ctx, FeedSource("big", server.base + "/big.xml", _http(max_items=50)), NOW
    )
    assert report.new + report.duplicate + report.failed == 50


def test_page_source_follows_release_links(ctx: Context, server: Server) -> None:
    server.add(
        "/ir",
        '<a href="/news/one.html">Press release one</a> <a href="/careers">Jobs</a>'
        '<a href="http://elsewhere.example/news/x.html">Other site</a>',
    )
    server.add(
        "/news/one.html",
        _release(
            "Acme Biologics, Inc.",
            "the FDA set a PDUFA target action date of December 20, 2024 for Zentra(R).",
        ),
    )
    report = ingest_source(ctx, PageSource("ir", server.base + "/ir", _http()), NOW)
    assert report.new == 1
    assert [p for p, _ in server.hits] == ["/ir", "/news/one.html"]
    # The release's address is where readers are sent, in the calendar and the e-mails.
    assert {d.release_ref for d in ctx.store.deadlines(include_all=True)} == {
        server.base + "/news/one.html"
    }
    # The page's script names a date; scripts are not read.
    assert all(end.year != 2031 for end, _ in _deadlines(ctx))


def test_same_release_from_two_sources_is_one_release(ctx: Context, server: Server) -> None:
    server.add("/feed.xml", _feed("rss2.xml", server.base))
    server.add("/ir", '<a href="/news/acme.html">News release</a>')
    text = _feed("rss2.xml", server.base).split("<![CDATA[")[1].split("]]>")[0]
    server.add("/news/acme.html", f"<html><body>{text}</body></html>")
    assert ingest_source(ctx, FeedSource("feed", server.base + "/feed.xml", _http()), NOW).new == 1
    second = ingest_source(ctx, PageSource("page", server.base + "/ir", _http()), NOW)
    assert (second.new, second.duplicate) == (0, 1)


def test_corrected_release_is_reread_and_history_kept(ctx: Context, server: Server) -> None:
    body = _feed("rss2.xml", server.base)
    server.add("/feed.xml", body)
    source = FeedSource("acme", server.base + "/feed.xml", _http())
    ingest_source(ctx, source, NOW)
    server.add(
        "/feed.xml",
        body.replace("December 20, 2024", "December 27, 2024").replace(
            "acme-2024-06-02", "acme-2024-06-02"
        ),
    )
    # The feed reader skips items it has seen; a correction comes through a re-fetch of the
    # same id, which the store recognises as changed text.
    from tracker.domain import RawItem
    from tracker.pipeline import ingest_item

    corrected = server.routes["/feed.xml"][2].decode().split("<![CDATA[")[1].split("]]>")[0]
    item = RawItem("acme", "acme-2024-06-02", "x.html", corrected.encode(), NOW)
    assert ingest_item(ctx, item, NOW + timedelta(days=1)) == "changed"
    (d,) = [d for d in ctx.store.deadlines(include_all=True) if d.basis == "stated"]
    assert (d.end, d.revision) == (date(2024, 12, 27), 1)
    assert [h.end for h in ctx.store.history(d.key)] == [date(2024, 12, 20)]


def test_mbox_and_maildir(ctx: Context, tmp_path: Path) -> None:
    msg = (
        "From: ir@acme.example\nSubject: Acme news\nMessage-ID: <{n}@acme.example>\n"
        "Content-Type: text/plain; charset=utf-8\n\nBOSTON, June {n}, 2024 -- Acme Inc. said "
        "today that the FDA accepted its NDA for Zentra(R).\n"
    )
    box = mailbox.mbox(str(tmp_path / "inbox.mbox"))
    for n in (1, 2):
        box.add(msg.format(n=n))
    box.close()
    md = mailbox.Maildir(str(tmp_path / "Maildir"))
    md.add(msg.format(n=3))
    assert ingest_source(ctx, MailSource("mbox", tmp_path / "inbox.mbox"), NOW).new == 2
    assert ingest_source(ctx, MailSource("mbox", tmp_path / "inbox.mbox"), NOW).new == 0
    assert ingest_source(ctx, MailSource("md", tmp_path / "Maildir"), NOW).new == 1


def test_sec_edgar_8k_exhibits(ctx: Context, server: Server) -> None:
    atom = (
        f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>'
        f'<entry><title>8-K - Current report</title><category term="8-K"/>'
        f"<id>urn:tag:sec.gov,2008:accession-number=0001</id>"
        f'<link href="{server.base}/Archives/0001-index.htm"/><updated>2024-06-02T00:00:00Z'
        f'</updated></entry><entry><title>10-Q</title><category term="10-Q"/><id>urn:q</id>'
        f'<link href="{server.base}/q.htm"/><updated>2024-05-02T00:00:00Z</updated></entry></feed>'
    )
    server.add("/edgar.atom", atom)
    server.add(
        "/Archives/0001-index.htm",
        '<table><tr><td>1</td><td><a href="/Archives/form8k.htm">'
        'form8k.htm</a></td><td>8-K</td></tr><tr><td>2</td><td><a href="/Archives/ex991.htm">'
        "ex991.htm</a></td><td>EX-99.1</td></tr></table>",
    )
    server.add(
        "/Archives/ex991.htm", _release("Acme Biologics, Inc.", "the FDA approved Zentra(R).")
    )
    report = ingest_source(ctx, SecSource("edgar", server.base + "/edgar.atom", _http()), NOW)
    assert report.new == 1
    assert "/q.htm" not in [p for p, _ in server.hits]


def test_sec_needs_a_contact() -> None:
    from tracker.errors import ConfigError

    with pytest.raises(ConfigError, match="contact"):
        SecSource("edgar", "http://127.0.0.1/x", HttpSection())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_connection_refused_is_an_error_not_a_crash(ctx: Context) -> None:
    report = ingest_source(
        ctx, FeedSource("down", f"http://127.0.0.1:{_free_port()}/f", _http()), NOW
    )
    assert report.failed == 1 and "ConnectError" in report.errors[0]


def test_folder_source_quarantines_oversized_and_legacy_files(ctx: Context, tmp_path: Path) -> None:
    from tracker.sources import folder as folder_module
    from tracker.sources.folder import FolderSource

    inbox = tmp_path / "drop"
    inbox.mkdir()
    (inbox / "big.txt").write_bytes(b"x" * 2048)
    legacy = "BOSTON, June 2, 2024 -- Acme said the FDA\u2019s PDUFA date is June 28, 2024."
    (inbox / "cp1252.txt").write_bytes(legacy.encode("cp1252"))
    old = NOW.timestamp() - 60
    for f in inbox.iterdir():
        import os

        os.utime(f, (old, old))
    cap = folder_module.MAX_FILE_BYTES
    folder_module.MAX_FILE_BYTES = 1024
    try:
        source = FolderSource("drop", inbox)
        ingest_source(ctx, source, NOW - timedelta(seconds=30))  # seen: complete at the next
        report = ingest_source(ctx, source, NOW)
    finally:
        folder_module.MAX_FILE_BYTES = cap
    assert (report.new, report.failed) == (1, 1)
    assert "over the 1024-byte cap" in (tmp_path / "failed" / "big.txt.error.txt").read_text()
    assert (date(2024, 6, 28), "open") in _deadlines(ctx)


def test_source_lease_lets_one_daemon_poll(ctx: Context, server: Server) -> None:
    server.add("/feed.xml", _feed("rss2.xml", server.base))
    source = FeedSource("acme", server.base + "/feed.xml", _http())
    assert ingest_source(ctx, source, NOW, lease_seconds=900).new == 1
    assert ingest_source(ctx, source, NOW + timedelta(minutes=5), lease_seconds=900).skipped
    assert not ingest_source(ctx, source, NOW + timedelta(minutes=16), lease_seconds=900).skipped
