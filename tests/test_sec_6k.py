"""EDGAR 6-K reports of a foreign private issuer, against a real HTTP server on 127.0.0.1:
the press release is the EX-99.1 exhibit, else the first EX-99 one, else the 6-K itself."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tracker.pipeline import Context, ingest_source
from tracker.sources.sec import SecSource

from .test_sources import Server, _http, _release

NOW = datetime(2024, 6, 3, 12, tzinfo=UTC)


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.close()


def _entry(base: str, n: str, form: str) -> str:
    return (
        f'<entry><title>{form} - Report of foreign private issuer</title><category term="{form}"/>'
        f"<id>urn:tag:sec.gov,2008:accession-number={n}</id>"
        f'<link href="{base}/Archives/{n}-index.htm"/><updated>2024-06-02T00:00:00Z</updated>'
        "</entry>"
    )


def _index(*rows: tuple[str, str]) -> str:
    cells = "".join(
        f'<tr><td>{i}</td><td><a href="/Archives/{name}">{name}</a></td><td>{kind}</td></tr>'
        for i, (name, kind) in enumerate(rows, 1)
    )
    return f"<table><tr><th>Seq</th><th>Document</th><th>Type</th></tr>{cells}</table>"


def test_6k_press_releases_in_their_three_shapes(ctx: Context, server: Server) -> None:
    feed = "".join(
        _entry(server.base, n, form)
        for n, form in (("0001", "6-K"), ("0002", "6-K"), ("0003", "6-K"), ("0004", "20-F"))
    )
    server.add(
        "/edgar.atom",
        f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>{feed}'
        "</feed>",
    )
    server.add("/Archives/0001-index.htm", _index(("f6k.htm", "6-K"), ("ex991.htm", "EX-99.1")))
    server.add("/Archives/0002-index.htm", _index(("g6k.htm", "6-K"), ("ex99.htm", "EX-99")))
    server.add("/Archives/0003-index.htm", _index(("h6k.htm", "6-K"), ("logo.jpg", "GRAPHIC")))
    server.add("/Archives/ex991.htm", _release("Nordic Bio A/S", "the FDA approved Alpha(R)."))
    server.add("/Archives/ex99.htm", _release("Nordic Bio A/S", "the FDA approved Beta(R)."))
    server.add("/Archives/h6k.htm", _release("Nordic Bio A/S", "the FDA approved Gamma(R)."))
    report = ingest_source(ctx, SecSource("edgar", server.base + "/edgar.atom", _http()), NOW)
    assert (report.new, report.failed) == (3, 0), report.errors
    fetched = [p for p, _ in server.hits]
    assert "/Archives/ex991.htm" in fetched and "/Archives/f6k.htm" not in fetched
    assert "/Archives/ex99.htm" in fetched and "/Archives/h6k.htm" in fetched
    assert "/Archives/0004-index.htm" not in fetched  # an annual report is no release
    again = ingest_source(
        ctx, SecSource("edgar", server.base + "/edgar.atom", _http()), NOW + timedelta(hours=1)
    )
    assert again.new == 0


def test_a_6k_without_a_document_is_quarantined_with_the_reason(
    ctx: Context, server: Server
) -> None:
    server.add(
        "/edgar.atom",
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>'
        + _entry(server.base, "0009", "6-K")
        + "</feed>",
    )
    server.add("/Archives/0009-index.htm", _index(("logo.jpg", "GRAPHIC")))
    report = ingest_source(ctx, SecSource("edgar", server.base + "/edgar.atom", _http()), NOW)
    assert report.failed == 1
    (q,) = ctx.store.quarantined("edgar")
    assert "no press release (EX-99 exhibit or 6-K document)" in q.reason
