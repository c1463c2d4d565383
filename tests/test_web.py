"""The feed server in-process (ASGI client) and a real calendar program importing a feed."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
import time_machine
from fastapi.testclient import TestClient

from tracker.pipeline import Context, derive_deadlines, ingest_paths
from tracker.web import feed_token, feed_urls, make_app

from .conftest import FIXTURES

STORY = sorted((FIXTURES / "releases" / "eu-story").glob("*.txt"))
NOW = datetime(2008, 3, 21, 12, tzinfo=UTC)


@pytest.fixture
def client(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    from tracker.web import Feeds

    # Feeds re-read the data version at most once a second; tests change data faster.
    monkeypatch.setattr(Feeds, "VERSION_TTL", 0.0)
    ingest_paths(ctx, [STORY[0]], NOW)
    return TestClient(make_app(ctx.store, ctx.settings))


@pytest.fixture
def token(ctx: Context) -> str:
    return feed_token(ctx.store, ctx.settings.home)


def _get(client: TestClient, path: str, **headers: str):  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False):
        return client.get(path, headers=headers)


def test_wrong_token_says_nothing(client: TestClient, token: str) -> None:
    for path in ("/nope/calendar.ics", f"/{token}x/calendar.ics", f"/{token}/weird/x.ics", "/x"):
        r = _get(client, path)
        assert (r.status_code, r.text) == (404, "not found")


def test_feed_caching_headers(client: TestClient, token: str) -> None:
    r = _get(client, f"/{token}/calendar.ics")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/calendar; charset=utf-8"
    etag, modified = r.headers["etag"], r.headers["last-modified"]
    cal = icalendar.Calendar.from_ical(r.content)
    assert {str(e["SUMMARY"]) for e in cal.walk("VEVENT")} >= {
        "Detailed grounds for re-examination due: Velocor"
    }
    assert _get(client, f"/{token}/calendar.ics", **{"If-None-Match": etag}).status_code == 304
    assert (
        _get(client, f"/{token}/calendar.ics", **{"If-Modified-Since": modified}).status_code == 304
    )
    assert _get(client, f"/{token}/calendar.ics").headers["etag"] == etag  # nothing changed
    with time_machine.travel(NOW, tick=False):
        head = client.head(f"/{token}/calendar.ics", headers={"Accept-Encoding": "identity"})
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) == len(r.content)


def test_gzip_when_asked(client: TestClient, token: str) -> None:
    with time_machine.travel(NOW, tick=False):
        r = client.get(f"/{token}/calendar.ics", headers={"Accept-Encoding": "gzip"})
    assert r.headers.get("content-encoding") == "gzip"
    assert b"BEGIN:VCALENDAR" in r.content  # the client decompressed it


def test_etag_moves_when_content_does(ctx: Context, client: TestClient, token: str) -> None:
    first = _get(client, f"/{token}/calendar.ics").headers["etag"]
    ingest_paths(ctx, [STORY[1]], datetime(2008, 5, 15, 12, tzinfo=UTC))
    second = _get(client, f"/{token}/calendar.ics").headers["etag"]
    assert first != second


def test_filtered_feeds_and_closed_deadlines(ctx: Context, client: TestClient, token: str) -> None:
    company = _get(client, f"/{token}/company/norvane-therapeutics-inc.ics")
    assert company.status_code == 200 and b"BEGIN:VEVENT" in company.content
    assert b"BEGIN:VEVENT" in _get(client, f"/{token}/agency/ema.ics").content  # EMA is the EU
    assert b"BEGIN:VEVENT" not in _get(client, f"/{token}/agency/fda.ics").content
    assert b"BEGIN:VEVENT" in _get(client, f"/{token}/product/velocor.ics").content
    # The notice was met by the request: it stays (marked) while recent, and always with include.
    body = _get(client, f"/{token}/calendar.ics").text
    assert "Done: Re-examination request due: Velocor" in body
    with time_machine.travel(NOW + timedelta(days=90), tick=False):
        later = client.get(f"/{token}/calendar.ics").text
        kept = client.get(f"/{token}/calendar.ics?include=met").text
    assert "Done: Re-examination request due" not in later
    assert "Done: Re-examination request due" in kept
    assert _get(client, f"/{token}/calendar.ics?include=bogus").status_code == 400


def test_health_api_and_openapi(client: TestClient, token: str) -> None:
    health = _get(client, "/healthz").json()
    assert health["database"] is True and health["status"] == "ok"
    rows = _get(client, f"/api/deadlines?token={token}&status=open").json()
    assert rows and all(r["status"] == "open" for r in rows)
    assert _get(client, "/api/deadlines?token=wrong").status_code == 404
    assert _get(client, f"/api/procedures?token={token}").json()[0]["agency"] == "EU"
    assert _get(client, f"/api/events?token={token}").json()[0]["type"]
    assert _get(client, f"/api/releases?token={token}").json()[0]["date"] == "2008-03-20"
    assert "/api/deadlines" in _get(client, f"/openapi.json?token={token}").json()["paths"]
    assert _get(client, "/openapi.json").status_code == 401


def test_index_is_the_login_form_for_strangers(client: TestClient, token: str) -> None:
    # It used to list every feed path, naming the tracked companies to anyone (issue 13).
    page = _get(client, "/").text
    assert 'action="/login"' in page
    assert "norvane" not in page.lower() and "velocor" not in page.lower() and token not in page


def test_feed_urls_and_rotation(ctx: Context) -> None:
    ingest_paths(ctx, [STORY[0]], NOW)
    urls = feed_urls(ctx.settings, ctx.store)
    _label, http_url, webcal = urls[0]
    assert http_url.startswith("http://127.0.0.1:8080/") and webcal.startswith("webcal://127.0.0.1")
    old = feed_token(ctx.store, ctx.settings.home)
    assert feed_token(ctx.store, ctx.settings.home, rotate=True) != old
    assert len(old) >= 32 and feed_token(ctx.store) != old


def test_calendar_program_imports_the_feed(
    ctx: Context, client: TestClient, token: str, tmp_path: Path
) -> None:
    calcurse = shutil.which("calcurse")
    if calcurse is None:
        pytest.skip("calcurse is not installed (apt-get install calcurse; .ci/run installs it)")
    derive_deadlines(ctx, None, NOW)
    feed = tmp_path / "feed.ics"
    feed.write_bytes(_get(client, f"/{token}/calendar.ics?include=all").content)
    data = tmp_path / "calcurse"
    data.mkdir()
    report = subprocess.run(
        [calcurse, "-D", str(data), "-i", str(feed)], capture_output=True, text=True, timeout=60
    ).stdout
    assert "0 skipped" in report
    listing = subprocess.run(
        [calcurse, "-D", str(data), "-Q", "--from", "01/01/2008", "--days", "400"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    assert "05/19/08:\n * Detailed grounds for re-examination due: Velocor" in listing


def test_recipient_feed_carries_the_recipient_filter(
    ctx: Context, client: TestClient, token: str
) -> None:
    from tracker.settings import RecipientSettings

    ctx.settings.recipients = [
        RecipientSettings(address="eu@example.org", authorities=["EMA"]),
        RecipientSettings(address="fda@example.org", authorities=["FDA"]),
    ]
    eu = _get(client, f"/{token}/recipient/eu-example-org.ics").text
    fda = _get(client, f"/{token}/recipient/fda-example-org.ics").text
    assert "BEGIN:VEVENT" in eu and "BEGIN:VEVENT" not in fda
    assert _get(client, f"/{token}/recipient/nobody-example-org.ics").text.count("VEVENT") == 0


def test_api_deadlines_pages_follow_the_link_header(
    client: TestClient, token: str, ctx: Context
) -> None:
    from benchmarks.corpus import store_deadlines

    store_deadlines(ctx.store, 50, NOW.date(), NOW, spread=7)  # many share a date
    everything = _get(client, f"/api/deadlines?token={token}&limit=5000").json()
    assert len(everything) > 50
    seen, url, pages = [], f"/api/deadlines?token={token}&limit=7", 0
    while url:
        # The link leaves the token out (issue 15): send it again, as a header here.
        r = _get(client, url, Authorization=f"Bearer {token}")
        seen += r.json()
        pages += 1
        url = r.links.get("next", {}).get("url", "")
    assert seen == everything and pages == -(-len(everything) // 7)
    assert [(d["end"], d["key"]) for d in seen] == sorted((d["end"], d["key"]) for d in seen)
    fda = _get(client, f"/api/deadlines?token={token}&agency=fda&from=2008-03-25&to=2008-03-25")
    got = {(d["procedure"]["agency"], d["end"]) for d in fda.json()}
    assert got == {("FDA", "2008-03-25")}
    assert _get(client, f"/api/deadlines?token={token}&after=garbage").status_code == 422


def test_large_feeds_are_served_from_files(
    ctx: Context, client: TestClient, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = _get(client, f"/{token}/calendar.ics")
    from tracker.web import Feeds

    monkeypatch.setattr(Feeds, "IN_MEMORY_LIMIT", 100)
    app = make_app(ctx.store, ctx.settings)
    big = TestClient(app)
    r = _get(big, f"/{token}/calendar.ics")
    assert (r.content, r.headers["etag"]) == (small.content, small.headers["etag"])
    assert r.headers["last-modified"] == small.headers["last-modified"]
    folder = ctx.settings.home / "feeds"
    assert [f.read_bytes() for f in folder.glob("*.ics")] == [small.content]
    assert (
        _get(big, f"/{token}/calendar.ics", **{"If-None-Match": r.headers["etag"]}).status_code
        == 304
    )
    with time_machine.travel(NOW, tick=False):
        head = big.head(f"/{token}/calendar.ics")
    assert int(head.headers["content-length"]) == len(small.content)
    # Each change writes a new file; the one before stays for responses still sending it.
    for n, path in enumerate(STORY[1:3]):
        ingest_paths(ctx, [path], datetime(2008, 5, 15 + n, 12, tzinfo=UTC))
        with time_machine.travel(datetime(2008, 5, 15 + n, 13, tzinfo=UTC), tick=False):
            assert big.get(f"/{token}/calendar.ics").status_code == 200
    assert len(list(folder.glob("*.ics"))) == 2
    assert not list(folder.glob(".tmp-*"))
