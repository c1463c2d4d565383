"""Serving safely (issue 15): a feed cache bounded by bytes, 404 for feeds of nothing
tracked, every API parameter checked (SQLite and PostgreSQL), next-page links that never
come from the Host header nor carry the token, the feed token rotated live in every app on
the database, `tracker feeds` at the real address, and a real server that closes slow and
idle connections and refuses connections beyond its limit."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import logging
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send

from benchmarks.corpus import store_deadlines
from tracker.cli import cli
from tracker.pipeline import Context, ingest_paths
from tracker.settings import Settings, load_settings
from tracker.store import Store
from tracker.web import Feeds, Server, feed_token, make_app
from tracker.web import feeds as feeds_module
from tracker.web.feeds import FeedToken, NotModifiedFastPath

from .conftest import FIXTURES

STORY = sorted((FIXTURES / "releases" / "eu-story").glob("*.txt"))
NOW = datetime(2008, 3, 21, 12, tzinfo=UTC)


def _until(check: Callable[[], bool], seconds: float = 10.0) -> bool:
    """Poll `check` until it holds or the deadline passes."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return check()


@pytest.fixture
def served(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> tuple[TestClient, str, Feeds]:
    monkeypatch.setattr(Feeds, "VERSION_TTL", 0.0)
    ingest_paths(ctx, [STORY[0]], NOW)
    app = make_app(ctx.store, ctx.settings)
    return TestClient(app), feed_token(ctx.store, ctx.settings.home), app.state.web.feeds


# -- the feed cache ---------------------------------------------------------------------


def test_unknown_company_product_or_agency_is_404_and_not_cached(
    served: tuple[TestClient, str, Feeds],
) -> None:
    client, token, feeds = served
    assert client.get(f"/{token}/company/norvane-therapeutics-inc.ics").status_code == 200
    assert client.get(f"/{token}/agency/fda.ics").status_code == 200  # a known authority
    before = (len(feeds._cache), feeds.cached_bytes)
    for i in range(300):
        for kind in ("company", "product", "agency", "recipient"):
            r = client.get(f"/{token}/{kind}/nobody-{i}.ics")
            assert (r.status_code, r.text) == (404, "not found")
    assert (len(feeds._cache), feeds.cached_bytes) == before


def test_concurrent_requests_for_unknown_names_reload_the_known_values_once(
    served: tuple[TestClient, str, Feeds], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A flood of unknown names meets an expired second in every worker thread at once:
    one of them re-reads the procedures, the others wait for it and use its result (not a
    copy of every procedure per thread)."""
    _client, _token, feeds = served
    monkeypatch.setattr(Feeds, "VERSION_TTL", 1.0)  # the daemon's: once a second at most
    callers = 8
    real = feeds._values
    reloads: list[int] = []
    all_in = threading.Event()

    def slow_values() -> dict[str, set[str]]:
        reloads.append(1)
        if len(reloads) == callers:
            all_in.set()
        # Held until every caller is in here too (without the lock, quickly) or long
        # enough that each of them has reached the lock (with it).
        all_in.wait(0.5)
        return real()

    monkeypatch.setattr(feeds, "_values", slow_values)
    start = threading.Barrier(callers)
    answers: list[bool] = []

    def ask(i: int) -> None:
        start.wait()
        answers.append(feeds.exists("company", f"nobody-{i}"))

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(callers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert answers == [False] * callers
    assert len(reloads) == 1
    assert feeds.exists("company", "norvane-therapeutics-inc")


def test_concurrent_version_checks_read_the_database_once(
    served: tuple[TestClient, str, Feeds], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Worker threads that meet an expired second together read the data's version once;
    the others wait and use it, so a slow, older read can never overwrite a newer one."""
    _client, _token, feeds = served
    monkeypatch.setattr(Feeds, "VERSION_TTL", 1.0)
    feeds.invalidate()
    callers = 8
    real = feeds.store.version
    reads: list[int] = []
    all_in = threading.Event()

    def slow_version() -> object:
        reads.append(1)
        if len(reads) == callers:
            all_in.set()
        all_in.wait(0.5)
        return real()

    monkeypatch.setattr(feeds.store, "version", slow_version)
    start = threading.Barrier(callers)
    versions: list[tuple[object, ...]] = []

    def ask() -> None:
        start.wait()
        versions.append(feeds.version())

    threads = [threading.Thread(target=ask) for _ in range(callers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(versions) == callers and len(set(versions)) == 1
    assert len(reads) == 1


def test_a_carriage_return_in_the_address_reaches_no_calendar(
    served: tuple[TestClient, str, Feeds],
) -> None:
    client, token, _feeds = served
    r = client.get(f"/{token}/company/x%0dBEGIN:VEVENT%0dSUMMARY:pwned.ics")
    assert r.status_code == 404 and "BEGIN" not in r.text


def test_feed_cache_is_bounded_by_bytes_least_recently_used_out(
    served: tuple[TestClient, str, Feeds],
) -> None:
    client, token, feeds = served
    plain = {"Accept-Encoding": "identity"}
    paths = [
        f"/{token}/calendar.ics",
        f"/{token}/company/norvane-therapeutics-inc.ics",
        f"/{token}/product/velocor.ics",
        f"/{token}/agency/eu.ics",
    ]
    one = client.get(paths[0], headers=plain)
    feeds.budget = int(len(one.content) * 2.5)  # room for two feeds and a bit
    for path in paths:
        for include in ("", "?include=met", "?include=all", "?include=cancelled"):
            assert client.get(path + include).status_code == 200  # gzip too: it counts
            assert feeds.cached_bytes <= feeds.budget
    assert 1 <= len(feeds._cache) <= 3
    assert feeds.cached_bytes == sum(c.weight for c in feeds._cache.values())
    # The one used last stays, the one used least recently goes.
    a, b, c = (p + "?include=all" for p in paths[1:])
    feeds.budget = 10**9
    weight = {}
    for path in (a, b, c):
        client.get(path, headers=plain)
        weight[path] = next(reversed(feeds._cache.values())).weight
    feeds._cache.clear()
    feeds._bytes = 0
    feeds.budget = max(weight[a] + weight[b], weight[a] + weight[c])
    for path in (a, b, a, c):
        assert client.get(path, headers=plain).status_code == 200
    kept = {k[:2] for k in feeds._cache}
    assert kept == {("company", "norvane-therapeutics-inc"), ("agency", "eu")}


def _all() -> tuple[str, ...]:
    from tracker.web.feeds import STATUSES

    return STATUSES


def test_gzip_is_made_once_per_feed_version(served: tuple[TestClient, str, Feeds]) -> None:
    client, token, feeds = served
    plain = client.get(f"/{token}/calendar.ics", headers={"Accept-Encoding": "identity"})
    first = client.get(f"/{token}/calendar.ics", headers={"Accept-Encoding": "gzip"})
    assert first.headers["content-encoding"] == "gzip" and first.content == plain.content
    (cached,) = feeds._cache.values()
    made = cached.gzipped
    assert made is not None
    client.get(f"/{token}/calendar.ics", headers={"Accept-Encoding": "gzip, deflate"})
    assert next(iter(feeds._cache.values())).gzipped is made  # the same bytes, not redone
    assert first.headers["vary"] == "Accept-Encoding"


def test_a_feed_is_kept_in_slices_and_sent_as_they_are(
    served: tuple[TestClient, str, Feeds], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each body message of a feed response is one of the cached version's own slices (the
    same object: nothing copied per request), the slices make up the feed, and its gzip form
    is kept in slices that decompress to it."""
    monkeypatch.setattr(feeds_module, "CHUNK", 1024)
    client, token, feeds = served
    whole = client.get(f"/{token}/calendar.ics").content
    (cached,) = feeds._cache.values()
    assert len(cached.pieces) > 2 and all(len(p) == 1024 for p in cached.pieces[:-1])
    assert b"".join(cached.pieces) == whole == cached.body and cached.size == len(whole)
    sent: list[object] = []

    async def record(message: dict[str, object]) -> None:
        if message["type"] == "http.response.body" and message.get("body"):
            sent.append(message["body"])

    asyncio.run(feeds_module.SharedBody(cached.pieces, {}, "text/calendar")({}, None, record))
    assert len(sent) == len(cached.pieces)
    assert all(a is b for a, b in zip(sent, cached.pieces, strict=True))
    zipped = client.get(f"/{token}/calendar.ics", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip" and zipped.content == whole
    assert cached.gzipped is not None and len(cached.gzipped) > 1
    assert gzip.decompress(b"".join(cached.gzipped)) == whole
    assert feeds_module.gzip_slices(cached.pieces) == cached.gzipped  # the same every time


# -- 304 without the app --------------------------------------------------------------


async def _teapot(scope: Scope, receive: Receive, send: Send) -> None:
    """Stands for the rest of the app: whatever reaches it is answered 418."""
    await send({"type": "http.response.start", "status": 418, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def _fast_and_app(
    ctx: Context, monkeypatch: pytest.MonkeyPatch, token_ttl: float
) -> tuple[TestClient, TestClient, str, Feeds]:
    """The app, and its 304 fast path in front of a stand-in for the rest of it. The data's
    version is re-read only when a test says so (`Feeds.invalidate`), and the token after
    `token_ttl` seconds, however slow the machine."""
    monkeypatch.setattr(Feeds, "VERSION_TTL", 600.0)
    monkeypatch.setattr(FeedToken, "TTL", token_ttl)
    ingest_paths(ctx, [STORY[0]], NOW)
    app = make_app(ctx.store, ctx.settings)
    fast = TestClient(NotModifiedFastPath(_teapot, app.state.web))
    feeds: Feeds = app.state.web.feeds
    return TestClient(app), fast, feed_token(ctx.store, ctx.settings.home), feeds


def test_a_fresh_feeds_304_is_answered_before_the_app_with_the_apps_headers(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, fast, token, feeds = _fast_and_app(ctx, monkeypatch, 600.0)
    feed = f"/{token}/company/norvane-therapeutics-inc.ics"
    built = client.get(feed)
    etag, stamp = built.headers["etag"], built.headers["last-modified"]
    feeds.invalidate()  # the app's own 304: the data's version re-read, in a thread
    app_304 = client.get(feed, headers={"If-None-Match": etag})
    fast_304 = fast.get(feed, headers={"If-None-Match": etag})
    assert app_304.status_code == fast_304.status_code == 304 and fast_304.content == b""
    same = {k: v for k, v in app_304.headers.items() if k != "date"}
    assert "last-modified" not in same and same["etag"] == etag  # RFC 9110, 15.4.5
    assert {k: v for k, v in fast_304.headers.items() if k != "date"} == same
    assert fast.get(f"/{token}/company/Norvane-Therapeutics-Inc.ics",
                    headers={"If-Modified-Since": stamp}).status_code == 304  # fmt: skip
    # Everything else goes on to the app: no condition, another version, a feed not built,
    # a wrong token, a wrong status list, an unknown kind.
    for path, headers in [
        (feed, {}),
        (feed, {"If-None-Match": '"other"'}),
        (feed, {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}),
        (f"/{token}/calendar.ics", {"If-None-Match": etag}),
        (f"/{token}x/company/norvane-therapeutics-inc.ics", {"If-None-Match": etag}),
        (f"{feed}?include=bogus", {"If-None-Match": etag}),
        (f"{feed}?include=met", {"If-None-Match": etag}),
        (f"/{token}/weird/norvane-therapeutics-inc.ics", {"If-None-Match": etag}),
    ]:
        assert fast.get(path, headers=headers).status_code == 418, (path, headers)
    assert client.get(f"{feed}?include=bogus", headers={"If-None-Match": etag}).status_code == 400


def test_steady_polls_re_read_the_version_ahead_and_never_go_the_slow_way(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past half its second, a poll answered on the fast path re-reads the data's version
    and the token in a thread, so the polls after the second has run out still end there;
    without a poll in between they would go on to the app (418 here)."""
    from tracker import clock

    now = [1000.0]
    monkeypatch.setattr(clock, "monotonic", lambda: now[0])
    monkeypatch.setattr(FeedToken, "TTL", 1.0)
    ingest_paths(ctx, [STORY[0]], NOW)
    app = make_app(ctx.store, ctx.settings)
    web = app.state.web
    middleware = NotModifiedFastPath(_teapot, web)
    fast, client = TestClient(middleware), TestClient(app)
    token = feed_token(ctx.store, ctx.settings.home)
    web.token.refresh()
    feed = f"/{token}/calendar.ics"
    cond = {"If-None-Match": client.get(feed).headers["etag"]}
    assert fast.get(feed, headers=cond).status_code == 304 and middleware.ahead is None
    now[0] += 0.6  # past half the second: answered here, and the re-read starts
    assert fast.get(feed, headers=cond).status_code == 304
    assert middleware.ahead is not None
    middleware.ahead.join(10)
    assert web.feeds._checked == web.token._read == now[0]
    now[0] += 0.6  # 1.2 s after the first reads: still fresh, thanks to the re-read
    assert fast.get(feed, headers=cond).status_code == 304
    now[0] += 5.0  # no poll for a while: expired, so the app answers (its slow way)
    assert fast.get(feed, headers=cond).status_code == 418


def test_the_304_fast_path_follows_a_token_rotation(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, fast, old, _feeds = _fast_and_app(ctx, monkeypatch, 2.0)
    etag = client.get(f"/{old}/calendar.ics").headers["etag"]
    cond = {"If-None-Match": etag}
    assert fast.get(f"/{old}/calendar.ics", headers=cond).status_code == 304
    new = feed_token(ctx.store, rotate=True)
    # Within a second the fast path stops taking the old token (it leaves the re-read of the
    # token to the app); the app then refuses it and answers the new one.
    assert _until(lambda: fast.get(f"/{old}/calendar.ics", headers=cond).status_code == 418)
    assert _until(lambda: client.get(f"/{new}/calendar.ics", headers=cond).status_code == 304)
    assert client.get(f"/{old}/calendar.ics", headers=cond).status_code == 404
    assert fast.get(f"/{new}/calendar.ics", headers=cond).status_code == 304
    assert fast.get(f"/{old}/calendar.ics", headers=cond).status_code == 418


# -- API parameters, on SQLite and PostgreSQL -------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def api(
    request: pytest.FixtureRequest, settings: Settings, packs: list, tmp_path: Path
) -> Iterator[tuple[TestClient, str]]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'api.db'}"
    else:
        url = request.getfixturevalue("pg_url")
    store = Store(url)
    store.migrate(NOW)
    ctx = Context(settings, store, packs)
    ingest_paths(ctx, STORY[:2], NOW)
    store_deadlines(store, 30, NOW.date(), NOW, spread=5)
    yield TestClient(make_app(store, settings)), feed_token(store, settings.home)
    store.close()


BAD = [
    ("/api/deadlines?limit=-1", "limit", "greater than or equal to 1"),
    ("/api/deadlines?limit=0", "limit", "greater than or equal to 1"),
    ("/api/deadlines?limit=5001", "limit", "less than or equal to 5000"),
    ("/api/deadlines?limit=ten", "limit", "integer"),
    ("/api/deadlines?after=2008-05-19~a%00b", "after", "control characters"),
    ("/api/deadlines?after=garbage", "after", "page position"),
    ("/api/deadlines?after=2008-13-01~x", "after", "page position"),
    ("/api/deadlines?agency=E%00MA", "agency", "control characters"),
    ("/api/deadlines?agency=martians", "agency", "unknown authority"),
    ("/api/deadlines?company=ac%00me", "company", "control characters"),
    ("/api/deadlines?product=v%0delocor", "product", "control characters"),
    ("/api/deadlines?company=" + "x" * 301, "company", "at most 300"),
    ("/api/deadlines?status=open,bogus", "status", "unknown status bogus"),
    ("/api/deadlines?status=op%00en", "status", "control characters"),
    ("/api/deadlines?from=2008-05-01&to=2008-04-01", "to", "before 'from'"),
    ("/api/deadlines?from=yesterday", "from", "date"),
    ("/api/events?limit=-1", "limit", "greater than or equal to 1"),
    ("/api/events?procedure=a%00b", "procedure", "control characters"),
    ("/api/events?procedure=" + "k" * 401, "procedure", "at most 400"),
    ("/api/releases?limit=-1", "limit", "greater than or equal to 1"),
    ("/api/releases?limit=1001", "limit", "less than or equal to 1000"),
]


def test_every_api_parameter_is_checked(api: tuple[TestClient, str]) -> None:
    client, token = api
    auth = {"Authorization": f"Bearer {token}"}
    for path, name, reason in BAD:
        r = client.get(path, headers=auth)
        assert r.status_code == 422, (path, r.status_code, r.text)
        (problem,) = r.json()["detail"]
        assert problem["loc"][-1] == name and reason in problem["msg"], (path, problem)
    good = [
        "/api/deadlines?limit=1",
        "/api/deadlines?limit=5000&status=open,met&agency=fda&from=2008-03-01&to=2009-01-01",
        "/api/deadlines?company=Acme%20Inc.&product=product-3",
        "/api/deadlines?after=2008-03-21~acme/product-1/fda/rule-0",
        "/api/events?limit=1&procedure=norvane-therapeutics-inc/velocor/eu",
        "/api/releases?limit=1000",
    ]
    for path in good:
        r = client.get(path, headers=auth)
        assert r.status_code == 200, (path, r.text)
    named = client.get("/api/deadlines?company=Acme%20Inc.&limit=5000", headers=auth).json()
    assert len(named) == 30  # a company's name works as its slug does


# -- the next page's link ----------------------------------------------------------------


def test_next_link_ignores_the_host_header_and_leaves_the_token_out(
    served: tuple[TestClient, str, Feeds], ctx: Context
) -> None:
    client, token, _feeds = served
    store_deadlines(ctx.store, 20, NOW.date(), NOW, spread=5)
    r = client.get(
        f"/api/deadlines?token={token}&limit=3&status=open",
        headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"},
    )
    link = r.headers["link"]
    assert "evil.example" not in link and token not in link
    assert link.startswith("</api/deadlines?") and link.endswith('>; rel="next"')
    assert "limit=3" in link and "status=open" in link and "after=" in link
    nxt = link[1 : link.index(">")]
    again = client.get(nxt, headers={"Authorization": f"Bearer {token}"})
    assert again.status_code == 200 and len(again.json()) == 3
    ctx.settings.web.public_url = "https://tracker.example.org/"
    r = client.get(
        "/api/deadlines?limit=3",
        headers={"Host": "evil.example", "Authorization": f"Bearer {token}"},
    )
    assert r.headers["link"].startswith("<https://tracker.example.org/api/deadlines?limit=3&after=")


# -- the feed token, rotated live ---------------------------------------------------------


def _two_apps(url: str, home: Path) -> tuple[list[TestClient], Store]:
    """Two daemons' apps on one database, each with its own data folder."""
    store = Store(url)
    store.migrate(NOW)
    clients = []
    for n in (1, 2):
        settings = load_settings(None, home=str(home / f"host{n}"), environ={}).settings
        clients.append(TestClient(make_app(Store(url), settings)))
    return clients, store


def _rotation_reaches_both(url: str, home: Path) -> None:
    clients, store = _two_apps(url, home)
    old = feed_token(store)
    for c in clients:
        assert c.get(f"/{old}/calendar.ics").status_code == 200
    new = feed_token(store, rotate=True)
    for c in clients:
        # The new token works and the old one stops within a second (re-read at most five
        # times a second on an unknown token, once a second otherwise).
        assert _until(lambda c=c: c.get(f"/{new}/calendar.ics").status_code == 200, 5.0)
        assert c.get(f"/api/releases?token={new}").status_code == 200
        assert _until(lambda c=c: c.get(f"/{old}/calendar.ics").status_code == 404, 5.0)
        assert c.get(f"/api/releases?token={old}").status_code == 404


def test_rotation_reaches_every_app_on_the_database_sqlite(tmp_path: Path) -> None:
    _rotation_reaches_both(f"sqlite:///{tmp_path / 'shared.db'}", tmp_path)


def test_rotation_reaches_every_app_on_the_database_postgres(pg_url: str, tmp_path: Path) -> None:
    _rotation_reaches_both(pg_url, tmp_path)


def test_cli_rotate_reaches_a_running_app(tmp_path: Path) -> None:
    home = tmp_path / "home"
    settings = load_settings(None, home=str(home), environ={}).settings
    home.mkdir(parents=True)
    store = Store(settings.database_url)
    store.migrate(NOW)
    client = TestClient(make_app(store, settings))
    old = feed_token(store, home)
    assert client.get(f"/{old}/calendar.ics").status_code == 200
    done = CliRunner().invoke(cli, ["--home", str(home), "feeds", "rotate"])
    assert done.exit_code == 0, done.output
    new = feed_token(store, home)
    assert new != old
    assert _until(lambda: client.get(f"/{new}/calendar.ics").status_code == 200, 5.0)
    assert _until(lambda: client.get(f"/{old}/calendar.ics").status_code == 404, 5.0)


def test_a_token_file_of_an_earlier_version_is_adopted(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "feed-token").write_text("an-old-token-people-subscribed-with\n")
    store = Store(f"sqlite:///{tmp_path / 't.db'}")
    store.migrate(NOW)
    assert feed_token(store, home) == "an-old-token-people-subscribed-with"
    assert feed_token(store, home, rotate=True) != "an-old-token-people-subscribed-with"
    assert not (home / "feed-token").exists()


# -- a real server ------------------------------------------------------------------------


def _settings(tmp_path: Path, **web: object) -> Settings:
    env = {f"TRACKER_WEB__{k.upper()}": str(v) for k, v in web.items()}
    return load_settings(None, home=str(tmp_path / "home"), environ=env).settings


@pytest.fixture
def real_server(tmp_path: Path) -> Iterator[Callable[..., tuple[Server, Settings, Store]]]:
    started: list[tuple[Server, Store]] = []

    def start(**web: object) -> tuple[Server, Settings, Store]:
        settings = _settings(tmp_path, **web)
        settings.home.mkdir(parents=True, exist_ok=True)
        store = Store(settings.database_url)
        store.migrate(NOW)
        server = Server(make_app(store, settings), "127.0.0.1", 0)
        server.start()
        started.append((server, store))
        return server, settings, store

    yield start
    for server, store in started:
        server.stop()
        store.close()


def _closed(sock: socket.socket) -> bool:
    """True once the server has closed `sock` (what it sent before closing is read)."""
    sock.setblocking(False)
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                return True
    except BlockingIOError:
        return False
    except (ConnectionResetError, BrokenPipeError):
        return True


def test_idle_and_slow_connections_are_closed(
    real_server: Callable[..., tuple[Server, Settings, Store]],
) -> None:
    server, _s, _store = real_server(idle_timeout_seconds=0.5, header_timeout_seconds=1.5)
    address = ("127.0.0.1", server.port)
    silent = [socket.create_connection(address) for _ in range(5)]
    slow = [socket.create_connection(address) for _ in range(5)]
    request = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * 10_000
    began = time.monotonic()
    sent = 0

    def trickle_and_check() -> bool:
        nonlocal sent
        for s in slow:  # a byte at a time, never finishing the request
            with contextlib.suppress(OSError):
                s.sendall(request[sent : sent + 1])
        sent += 1
        return all(_closed(s) for s in silent + slow)

    assert _until(trickle_and_check, 15.0), "slow or idle connections were held"
    took = time.monotonic() - began
    assert took >= 1.0  # the trickling ones had their header timeout, not less
    # A kept-alive connection after a response closes when idle too.
    kept = socket.create_connection(address)
    kept.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    assert _until(lambda: _closed(kept), 10.0)
    for s in [*silent, *slow, kept]:
        s.close()


def test_connections_beyond_the_limit_are_refused(
    real_server: Callable[..., tuple[Server, Settings, Store]],
) -> None:
    server, _s, _store = real_server(
        max_connections=3, idle_timeout_seconds=60, header_timeout_seconds=60
    )
    address = ("127.0.0.1", server.port)
    held = [socket.create_connection(address) for _ in range(3)]
    extra = socket.create_connection(address)
    got = b""

    def answered() -> bool:
        nonlocal got
        extra.setblocking(False)
        try:
            got += extra.recv(4096)
        except BlockingIOError:
            return False
        except ConnectionResetError:
            return True
        return b"\r\n\r\n" in got

    assert _until(answered, 10.0)
    assert got.startswith(b"HTTP/1.1 503")
    for s in held:
        s.close()
    extra.close()
    # Room again: a request is served.
    assert _until(lambda: _healthz(address) == 200, 10.0)


def _healthz(address: tuple[str, int]) -> int:
    with socket.create_connection(address, timeout=5) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        head = s.recv(64)
    return int(head.split()[1]) if head.startswith(b"HTTP/1.1") else 0


def test_tracker_feeds_prints_the_port_the_daemon_listens_on(
    real_server: Callable[..., tuple[Server, Settings, Store]], tmp_path: Path
) -> None:
    server, settings, store = real_server()
    assert server.port != 8080
    recorded = json.loads((settings.home / "web-address").read_text())
    assert recorded["url"] == f"http://127.0.0.1:{server.port}"
    out = CliRunner().invoke(cli, ["--home", str(settings.home), "feeds"])
    assert out.exit_code == 0, out.output
    token = feed_token(store)
    assert f"http://127.0.0.1:{server.port}/{token}/calendar.ics" in out.output
    assert f"webcal://127.0.0.1:{server.port}/{token}/calendar.ics" in out.output
    env = {"TRACKER_WEB__PUBLIC_URL": "https://tracker.example.org"}
    out = CliRunner().invoke(cli, ["--home", str(settings.home), "feeds"], env=env)
    assert f"https://tracker.example.org/{token}/calendar.ics" in out.output
    assert f"webcal://tracker.example.org/{token}/calendar.ics" in out.output
    server.stop()
    assert not (settings.home / "web-address").exists()
    out = CliRunner().invoke(cli, ["--home", str(settings.home), "feeds"])
    assert "http://127.0.0.1:8080/" in out.output  # not running: the configured port


class _Seen(logging.Handler):
    """Sets an event when a record with `words` is logged."""

    def __init__(self, words: str) -> None:
        super().__init__()
        self.words, self.event = words, threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if self.words in record.getMessage():
            self.event.set()


def test_a_client_that_never_reads_is_disconnected(
    real_server: Callable[..., tuple[Server, Settings, Store]],
) -> None:
    server, settings, store = real_server(write_timeout_seconds=0.5, idle_timeout_seconds=60)
    # A feed larger than the kernel buffers both ends (about 4 MB on loopback) hold.
    store_deadlines(store, 12_000, NOW.date(), NOW)
    token = feed_token(store, settings.home)
    address = ("127.0.0.1", server.port)
    # A reader that takes everything in is not cut off, however short the timeout.
    with socket.create_connection(address, timeout=30) as whole:
        whole.sendall(f"GET /{token}/calendar.ics HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        got = _read_response(whole)
    head, _, body = got.partition(b"\r\n\r\n")
    size = int(re.search(rb"content-length: (\d+)", head.lower()).group(1))  # type: ignore[union-attr]
    assert head.startswith(b"HTTP/1.1 200") and len(body) == size > 5_000_000
    seen = _Seen("took in nothing")
    logging.getLogger("tracker.web.server").addHandler(seen)
    try:
        # One that asks for the feed and reads nothing, with a small receive buffer.
        lazy = socket.socket()
        lazy.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        lazy.connect(address)
        lazy.sendall(f"GET /{token}/calendar.ics HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        assert seen.event.wait(15.0), "a client reading nothing was never disconnected"
    finally:
        logging.getLogger("tracker.web.server").removeHandler(seen)
    # What the kernel had already queued arrives, then the end: the body is cut short.
    lazy.settimeout(15.0)
    cut = _read_response(lazy)
    lazy.close()
    assert cut.startswith(b"HTTP/1.1 200") and len(cut.partition(b"\r\n\r\n")[2]) < size
    assert _until(lambda: len(server.server.server_state.connections) == 0, 10.0)
    assert _healthz(address) == 200  # and the server serves on


def _read_response(sock: socket.socket) -> bytes:
    """Everything until the response is whole (by its Content-Length) or the server closes."""
    got = bytearray()
    while True:
        try:
            data = sock.recv(1 << 20)
        except ConnectionResetError:
            break
        if not data:
            break
        got += data
        head, sep, _rest = bytes(got[:65536]).partition(b"\r\n\r\n")
        if sep:
            found = re.search(rb"content-length: (\d+)", head.lower())
            if found and len(got) - len(head) - 4 >= int(found.group(1)):
                break
    return bytes(got)


# -- /healthz with a check that never returns ------------------------------------------------


def test_healthz_is_degraded_when_its_check_is_stuck_over_ten_seconds(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A check that hangs (a database that does not answer) never makes /healthz wait: it
    answers at once from the verdict it has, and once the check has been running longer
    than `Monitor.STUCK_AFTER` (10 s) it says degraded, naming the stuck check. The clock
    the monitor times itself by is set by hand; the check is held by an event."""
    from tracker import clock, health

    now = [1000.0]
    monkeypatch.setattr(clock, "monotonic", lambda: now[0])
    client = TestClient(make_app(ctx.store, ctx.settings))
    assert client.get("/healthz").status_code == 200  # the first check, a real one

    entered, release = threading.Event(), threading.Event()
    real_check = health.check

    def stuck(store: Store, settings: Settings, at: datetime) -> health.Health:
        entered.set()
        release.wait(30)
        return real_check(store, settings, at)

    monkeypatch.setattr(health, "check", stuck)
    now[0] += 2.0  # the verdict is older than a second: this request starts a new check
    assert client.get("/healthz").status_code == 200
    assert entered.wait(10), "no check was started"
    started = now[0]
    now[0] = started + 9.5  # running, not yet stuck: the last verdict, as it was
    r = client.get("/healthz")
    assert (r.status_code, r.json()["problems"]) == (200, [])
    now[0] = started + 11.0
    r = client.get("/healthz")
    assert r.status_code == 503
    assert r.json()["status"] == "degraded"
    assert r.json()["problems"] == ["health check: no answer for 11 s (database not answering?)"]
    assert [t.name for t in threading.enumerate()].count("health") == 1  # no second check
    release.set()
    for t in threading.enumerate():
        if t.name == "health":
            t.join(10)
    r = client.get("/healthz")  # the check finished: healthy again
    assert (r.status_code, r.json()["problems"]) == (200, [])
