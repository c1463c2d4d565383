"""Calendar feeds under an unguessable token: built once per change of the data, in a
thread, kept in a cache bounded by bytes (least recently used out first), and served from
one shared immutable copy per feed version (compressed once for gzip), with ETag and
Last-Modified. The token lives in the database, so `tracker feeds rotate` reaches every
daemon sharing it within a second."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import secrets
import socket
import tempfile
import threading
import zlib
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, Response
from sqlalchemy import update
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from tracker import clock
from tracker.domain import Deadline
from tracker.ical import iter_calendar
from tracker.identity import region_of, slug
from tracker.rules.schema import AGENCIES
from tracker.settings import Settings
from tracker.store import Store
from tracker.store.tables import WebSecretRow

logger = logging.getLogger(__name__)

TOKEN_FILE = "feed-token"
# Every status a deadline can have (the order pages and filters list them in); the same
# list as `tracker.vocabulary.STATUSES`.
STATUSES = ("open", "met", "passed", "missed", "cancelled", "superseded")


TOKEN_NAME = "feed-token"  # its row in `web_secret`


def _read_token(store: Store) -> str | None:
    with store.engine.connect() as conn:
        row = conn.execute(
            WebSecretRow.__table__.select().where(  # type: ignore[attr-defined]
                WebSecretRow.__table__.c.name == TOKEN_NAME  # type: ignore[attr-defined]
            )
        ).first()
    return None if row is None else str(row.value)


def feed_token(store: Store, home: Path | None = None, rotate: bool = False) -> str:
    """The feed token, kept in the database (every daemon sharing it serves the same one).
    Made on first use, from the token file of the data folder an earlier version kept there
    (so subscriptions survive the upgrade) or at random; `rotate` replaces it."""
    if not rotate:
        found = _read_token(store)
        if found is not None:
            return found
        legacy = home / TOKEN_FILE if home is not None else None
        made = (
            legacy.read_text(encoding="utf-8").strip()
            if legacy is not None and legacy.is_file()
            else ""
        ) or secrets.token_urlsafe(24)
        with store.engine.begin() as conn:
            module = pg_dialect if conn.dialect.name == "postgresql" else sqlite_dialect
            conn.execute(
                module.insert(WebSecretRow.__table__)  # type: ignore[attr-defined]
                .values(name=TOKEN_NAME, value=made)
                .on_conflict_do_nothing(index_elements=["name"])
            )
        return _read_token(store) or made
    token = secrets.token_urlsafe(24)
    feed_token(store, home)  # the row exists
    with store.engine.begin() as conn:
        conn.execute(
            update(WebSecretRow.__table__)  # type: ignore[attr-defined]
            .where(WebSecretRow.__table__.c.name == TOKEN_NAME)  # type: ignore[attr-defined]
            .values(value=token)
        )
    if home is not None:
        (home / TOKEN_FILE).unlink(missing_ok=True)  # no stale copy left to be adopted again
    return token


class FeedToken:
    """The token as the server checks it: re-read from the database at most once a second
    (so a rotation anywhere stops the old token within a second, in every daemon), and at
    once, a few times a second at most, when a request brings another one (so the new token
    works at once). Never read on the event loop: `refresh` runs in a thread."""

    TTL = 1.0
    MISS_TTL = 0.2

    def __init__(self, store: Store, home: Path) -> None:
        self.store, self.home = store, home
        self.value = feed_token(store, home)
        self._read = clock.monotonic()

    def stale(self, given: str) -> bool:
        """True when the token should be re-read before judging `given`."""
        age = clock.monotonic() - self._read
        return age > self.TTL or (age > self.MISS_TTL and not self.same(given))

    def due_soon(self) -> bool:
        """True when over half the token's second has gone."""
        return clock.monotonic() - self._read > self.TTL / 2

    def refresh(self) -> None:
        self.value = feed_token(self.store, self.home)
        self._read = clock.monotonic()

    def same(self, given: str) -> bool:
        """True when `given` is the token last read (compared in constant time)."""
        return hmac.compare_digest(given.encode(), self.value.encode())

    def matches(self, given: str) -> bool:
        """True when `given` is the token; in a thread (it may read the database)."""
        if self.stale(given):
            self.refresh()
        return self.same(given)

    async def check(self, given: str) -> bool:
        """True when `given` is the token (compared in constant time)."""
        if self.stale(given):
            await run_in_threadpool(self.refresh)
        return self.same(given)


ADDRESS_FILE = "web-address"


def record_address(home: Path, url: str) -> None:
    """Note where this daemon really listens, for `tracker feeds`."""
    home.mkdir(parents=True, exist_ok=True)
    tmp = home / f".tmp-{ADDRESS_FILE}"
    tmp.write_text(json.dumps({"url": url, "pid": os.getpid()}), encoding="utf-8")
    os.replace(tmp, home / ADDRESS_FILE)


def forget_address(home: Path) -> None:
    """The daemon stopped serving."""
    path = home / ADDRESS_FILE
    try:
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass


def listening_url(host: str, port: int) -> str:
    """http://host:port, with a name others can reach for a wildcard address."""
    if host in ("0.0.0.0", "::", ""):
        host = socket.getfqdn()
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def base_url(settings: Settings) -> str:
    """What people subscribe to: `[web] public_url` when set; else the address the running
    daemon recorded when it started (its real port); else the configured host and port."""
    if settings.web.public_url:
        return settings.base_url
    try:
        seen = json.loads((settings.home / ADDRESS_FILE).read_text(encoding="utf-8"))
        url = str(seen["url"]).rstrip("/")
        os.kill(int(seen["pid"]), 0)  # still running
        return url
    except PermissionError:  # running, as another user
        return url
    except (OSError, ValueError, KeyError, TypeError):
        return settings.base_url


def feed_paths(store: Store) -> list[tuple[str, str]]:
    """(description, path after the token) for every feed the data supports."""
    out = [("all deadlines", "calendar.ics")]
    procs = store.procedures()
    for company in sorted({p.company for p in procs if p.company}):
        out.append((f"company {company}", f"company/{slug(company)}.ics"))
    for product in sorted({p.product for p in procs if p.product}):
        out.append((f"product {product}", f"product/{slug(product)}.ics"))
    for agency in sorted({p.agency for p in procs}):
        out.append((f"authority {agency}", f"agency/{agency.lower()}.ics"))
    return out


def recipient_paths(settings: Settings) -> list[tuple[str, str]]:
    """(description, path) of each recipient's own feed, with the recipient's filters."""
    return [
        (f"recipient {r.address}", f"recipient/{slug(r.address)}.ics")
        for r in settings.effective_recipients()
    ]


# The size of the slices a feed is kept in and sent as (see `Slices`).
CHUNK = 256 * 1024


class Slices:
    """Bytes gathered into immutable `bytes` slices of `CHUNK` each, the form a feed is kept
    and sent in. A whole `bytes` goes through uvicorn and h11 to the socket as it is, where a
    memoryview slice of one large body is copied on every send: slicing once per feed version
    spares a copy of every byte of every response."""

    def __init__(self) -> None:
        self.done: list[bytes] = []
        self.pending = bytearray()
        self.size = 0

    def add(self, data: bytes) -> None:
        self.size += len(data)
        self.pending += data
        while len(self.pending) >= CHUNK:
            self.done.append(bytes(self.pending[:CHUNK]))
            del self.pending[:CHUNK]

    def close(self) -> tuple[bytes, ...]:
        if self.pending:
            self.done.append(bytes(self.pending))
            self.pending = bytearray()
        return tuple(self.done)


def gzip_slices(pieces: tuple[bytes, ...]) -> tuple[bytes, ...]:
    """`pieces` compressed as one gzip stream (level 6: nearly level 9's size at a fraction
    of the time; no time stamp, so a version always compresses the same), in slices."""
    z = zlib.compressobj(6, zlib.DEFLATED, 31)
    out = Slices()
    for piece in pieces:
        out.add(z.compress(piece))
    out.add(z.flush())
    return out.close()


@dataclass
class _Cached:
    """One version of one feed: immutable slices shared by every response (or a file, for a
    feed too large to keep in memory), and its gzip form, made once when first asked."""

    version: tuple[Any, ...]
    pieces: tuple[bytes, ...]  # the feed in `CHUNK` slices; empty when it lives in a file
    etag: str
    last_modified: datetime | None
    path: Path | None = None  # a large feed lives in a file
    size: int = 0
    gzipped: tuple[bytes, ...] | None = None
    _gzip_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def not_modified(self) -> list[tuple[bytes, bytes]]:
        """The raw headers of a 304 for this version (made once): what `_serve` sends with
        one, and the security headers the app's middleware adds to every response."""
        made = self.__dict__.get("_not_modified")
        if made is None:
            made = [(b"etag", self.etag.encode()), (b"cache-control", b"private, max-age=300")]
            if self.path is None:
                made.append((b"vary", b"Accept-Encoding"))
            made += SECURITY_HEADERS
            self.__dict__["_not_modified"] = made
        return made

    @property
    def weight(self) -> int:
        """Bytes of memory it holds (a file's entry holds next to none)."""
        held = self.size if self.path is None else 0
        return held + sum(len(p) for p in self.gzipped or ()) + 512

    @property
    def body(self) -> bytes:
        """The whole feed as one `bytes` (a copy: responses send `pieces`)."""
        return self.path.read_bytes() if self.path is not None else b"".join(self.pieces)

    def gzip_body(self) -> tuple[bytes, ...]:
        """The feed compressed once; call it in a thread."""
        with self._gzip_lock:
            if self.gzipped is None:
                self.gzipped = gzip_slices(self.pieces)
            return self.gzipped


class Feeds:
    """Builds feeds and keeps each one until the data (or the day) changes, within a
    budget of bytes (`[web] feed_cache_mb`): the least recently used feeds go first. Only
    feeds that exist are built: an unknown company, product, authority or recipient is a 404
    and is never cached."""

    # A feed may lag the database by this much; it spares a query on every request.
    VERSION_TTL = 1.0
    # Feeds larger than this are kept in files (served from disk), not in memory: the
    # daemon's memory stays flat whatever the number of deadlines.
    IN_MEMORY_LIMIT = 16 * 1024 * 1024

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.budget = settings.web.feed_cache_mb * 1024 * 1024
        self._cache: OrderedDict[tuple[str, str, frozenset[str]], _Cached] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._building: dict[tuple[str, str, frozenset[str]], threading.Lock] = {}
        self._version: tuple[Any, ...] = ()
        self._checked = -1e9
        self._known: dict[str, set[str]] = {}
        self._known_version: tuple[Any, ...] = ()
        self._known_checked = -1e9
        self._known_lock = threading.Lock()
        self._version_lock = threading.Lock()

    @property
    def cached_bytes(self) -> int:
        """Bytes the cache holds now."""
        return self._bytes

    def version(self) -> tuple[Any, ...]:
        """The data's version (latest change, today's date), re-read at most once a second.
        Reads the database when due: call it in a thread."""
        if clock.monotonic() - self._checked > self.VERSION_TTL:
            # One read at a time: threads that meet an expired second together wait for
            # the one read, and an older read can never overwrite a newer one.
            with self._version_lock:
                if clock.monotonic() - self._checked > self.VERSION_TTL:
                    self._version = (self.store.version(), _today(self.settings))
                    self._checked = clock.monotonic()
        return self._version

    def due_soon(self) -> bool:
        """True when over half the version's second has gone (`NotModifiedFastPath` then
        re-reads it ahead, in a thread)."""
        return clock.monotonic() - self._checked > self.VERSION_TTL / 2

    def read_ahead(self) -> None:
        """Re-read the data's version before it expires (in a thread). A changed version
        leaves the cached feeds stale, as a re-read on a request would."""
        with self._version_lock:
            if self.due_soon():
                self._version = (self.store.version(), _today(self.settings))
                self._checked = clock.monotonic()

    def invalidate(self) -> None:
        """Re-read the data's version on the next request (after a change made here)."""
        self._checked = -1e9

    def fresh(self, kind: str, value: str, include: frozenset[str]) -> _Cached | None:
        """The cached feed if the data has not changed since it was built, without touching
        the database (None when the version is due for a re-read): safe on the event loop."""
        if clock.monotonic() - self._checked > self.VERSION_TTL:
            return None
        key = (kind, value, include)
        hit = self._cache.get(key)
        if hit is None or hit.version != self._version:
            return None
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
        return hit

    def unknown(self, kind: str, value: str) -> bool:
        """True when `value` is surely not tracked: not among the values read for the current
        version, read less than a second ago. No database: safe on the event loop, so a
        flood of requests for names that do not exist never reaches a thread."""
        return (
            kind != "all"
            and clock.monotonic() - self._checked <= self.VERSION_TTL
            and self._known_version == self._version
            and clock.monotonic() - self._known_checked <= self.VERSION_TTL
            and value not in self._known.get(kind, set())
        )

    def exists(self, kind: str, value: str) -> bool:
        """Whether the feed names something tracked (or configured): the procedures' values
        are re-read when the data changes, or once a second at most when a value is unknown."""
        if kind == "all":
            return True
        if self._reload_due(kind, value, self.version()):
            # One reload at a time (a flood of unknown names meets an expired second in
            # every worker thread at once): those that waited use the one just made.
            with self._known_lock:
                version = self.version()
                if self._reload_due(kind, value, version):
                    self._known = self._values()
                    self._known_version, self._known_checked = version, clock.monotonic()
        return value in self._known.get(kind, set())

    def _reload_due(self, kind: str, value: str, version: tuple[Any, ...]) -> bool:
        age = clock.monotonic() - self._known_checked
        return version != self._known_version or (
            value not in self._known.get(kind, set()) and age > self.VERSION_TTL
        )

    def _values(self) -> dict[str, set[str]]:
        procs = self.store.procedures()
        agencies = set(AGENCIES) | {p.agency for p in procs}
        return {
            "company": {slug(p.company) for p in procs if p.company},
            "product": {slug(p.product) for p in procs if p.product},
            "agency": {a.lower() for a in agencies} | {region_of(a).lower() for a in agencies},
            "recipient": {slug(r.address) for r in self.settings.effective_recipients()},
        }

    def get(self, kind: str, value: str, include: frozenset[str]) -> _Cached:
        """The feed's bytes, ETag and Last-Modified, rebuilt only when something changed
        (one build at a time per feed: clients that ask meanwhile wait for it). Raises
        HTTPException(404) for a feed of nothing tracked. Call it in a thread."""
        if not self.exists(kind, value):
            raise HTTPException(404)
        key = (kind, value, include)
        with self._lock:
            building = self._building.setdefault(key, threading.Lock())
        with building:
            version = self.version()
            hit = self._cache.get(key)
            if hit is not None and hit.version == version:
                with self._lock:
                    if key in self._cache:
                        self._cache.move_to_end(key)
                return hit
            cached = self._build(key, version)
        with self._lock:
            old = self._cache.pop(key, None)
            if old is not None:
                self._bytes -= old.weight
            self._cache[key] = cached
            self._bytes += cached.weight
            self._evict()
        return cached

    def gzip_body(self, cached: _Cached) -> tuple[bytes, ...]:
        """`cached`'s gzip form, made once; the cache's byte count includes it."""
        if cached.gzipped is not None:
            return cached.gzipped
        before = cached.weight
        body = cached.gzip_body()
        with self._lock:
            if any(c is cached for c in self._cache.values()):
                self._bytes += cached.weight - before
                self._evict()
        return body

    def _evict(self) -> None:
        """Drop the least recently used feeds until the cache fits its budget (the newest
        one stays, whatever its size). Hold `_lock`."""
        while self._bytes > self.budget and len(self._cache) > 1:
            key, gone = self._cache.popitem(last=False)
            self._bytes -= gone.weight
            self._building.pop(key, None)

    def _build(self, key: tuple[str, str, frozenset[str]], version: tuple[Any, ...]) -> _Cached:
        kind, value, include = key
        today = version[1]
        stamps: list[datetime] = []

        def chosen() -> Iterator[Deadline]:
            for d in self._select(kind, value, include, today):
                if d.updated_at and (not stamps or d.updated_at > stamps[0]):
                    stamps[:] = [d.updated_at]
                yield d

        name = "Regulatory deadlines" + ("" if kind == "all" else f": {value}")
        pieces = iter_calendar(
            chosen(),
            name=name,
            alarms=self.settings.reminders.days_before,
            refresh_minutes=self.settings.web.refresh_minutes,
        )
        body, path, digest, size = self._write(key, (p.encode("utf-8") for p in pieces))
        return _Cached(
            version,
            body,
            '"' + digest[:32] + '"',
            stamps[0] if stamps else None,
            path,
            size,
        )

    def _write(
        self, key: tuple[str, str, frozenset[str]], chunks: Iterator[bytes]
    ) -> tuple[tuple[bytes, ...], Path | None, str, int]:
        """Collect a feed in memory, moving to a file once it passes `IN_MEMORY_LIMIT`:
        (slices, or none for a file; file or None; sha256 hex; size). A file is named by its
        content, and the one before it is kept, so a response already sending it is never
        cut short."""
        digest, size = hashlib.sha256(), 0
        held = Slices()
        out: Any = None
        tmp: Path | None = None
        folder = self.settings.home / "feeds"
        try:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                if out is not None:
                    out.write(chunk)
                    continue
                held.add(chunk)
                if size > self.IN_MEMORY_LIMIT:
                    folder.mkdir(parents=True, exist_ok=True)
                    fd, name = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".ics")
                    tmp, out = Path(name), os.fdopen(fd, "wb")
                    out.writelines(held.close())
                    held = Slices()
            if tmp is None:
                return held.close(), None, digest.hexdigest(), size
            out.close()
        except BaseException:
            if tmp is not None:
                out.close()
                tmp.unlink(missing_ok=True)
            raise
        stem = hashlib.sha256(repr((key[0], key[1], sorted(key[2]))).encode()).hexdigest()[:16]
        path = folder / f"{stem}-{digest.hexdigest()[:16]}.ics"
        os.replace(tmp, path)
        older = sorted(folder.glob(f"{stem}-*.ics"), key=lambda f: f.stat().st_mtime)
        for stale in [f for f in older if f != path][:-1]:
            stale.unlink(missing_ok=True)
        return (), path, digest.hexdigest(), size

    def _select(
        self, kind: str, value: str, include: frozenset[str], today: date
    ) -> Iterator[Deadline]:
        keep_since = clock.now() - timedelta(days=self.settings.web.retention_days)
        # A deadline that just closed stays a while, marked, so subscribed calendars update
        # the event rather than silently keep a stale one. The database picks these (the
        # status index and the updated_at index), a batch at a time.
        for d in self.store.iter_current_deadlines(today, keep_since, statuses=include):
            if _matches(d, kind, value, self.settings):
                yield d


def _matches(d: Deadline, kind: str, value: str, settings: Settings | None = None) -> bool:
    p = d.procedure
    if kind == "recipient" and settings is not None:
        from tracker.remind.plan import wants

        people = [r for r in settings.effective_recipients() if slug(r.address) == value]
        return bool(people) and wants(people[0], d)
    if kind == "company":
        return slug(p.company) == value
    if kind == "product":
        return slug(p.product) == value
    if kind == "agency":
        return p.agency.lower() == region_of(value.upper()).lower()
    return True


def _today(settings: Settings) -> date:
    from zoneinfo import ZoneInfo

    return clock.now().astimezone(ZoneInfo(settings.tracker.timezone)).date()


def _cursor(raw: str | None) -> tuple[date, str] | None:
    """A page position from `after=END~KEY` (what the Link header hands out)."""
    if raw is None:
        return None
    end, sep, key = raw.partition("~")
    try:
        if not sep:
            raise ValueError(raw)
        return (date.fromisoformat(end), key)
    except ValueError:
        raise HTTPException(400, f"'after' is not a page position: {raw}") from None


def _include(raw: str | None) -> frozenset[str]:
    if not raw:
        return frozenset({"open"})
    wanted = {s.strip().lower() for s in raw.split(",") if s.strip()}
    if "all" in wanted:
        return frozenset(STATUSES)
    unknown = wanted - set(STATUSES)
    if unknown:
        raise HTTPException(400, f"unknown status {', '.join(sorted(unknown))}")
    return frozenset(wanted | {"open"})


def _not_modified(request: Request, cached: _Cached) -> bool:
    return _unchanged(
        cached, request.headers.get("if-none-match"), request.headers.get("if-modified-since")
    )


def _unchanged(cached: _Cached, inm: str | None, ims: str | None) -> bool:
    """True when the client's copy (If-None-Match, else If-Modified-Since) is `cached`."""
    if inm is not None:
        return inm.strip() == "*" or cached.etag in [t.strip() for t in inm.split(",")]
    if ims and cached.last_modified:
        try:
            return cached.last_modified.replace(microsecond=0) <= parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
    return False


class SharedBody(Response):
    """A response whose body is a feed version's shared immutable slices (`Slices`), sent
    as they are: no copy per request, however many clients. It lets the event loop run
    between slices: a client reading as fast as loopback would otherwise take the whole
    feed in one go while every other request waited."""

    def __init__(self, pieces: tuple[bytes, ...], headers: dict[str, str], media_type: str) -> None:
        super().__init__(b"", headers=headers, media_type=media_type)
        self.pieces = pieces
        self.headers["content-length"] = str(sum(len(p) for p in pieces))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        for piece in self.pieces:
            await send({"type": "http.response.body", "body": piece, "more_body": True})
            await asyncio.sleep(0)
        await send({"type": "http.response.body", "body": b"", "more_body": False})


# What `app.SecurityHeaders` adds to every response (a 304 carries no HTML, so no CSP).
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


class NotModifiedFastPath:
    """ASGI middleware, outermost: a conditional GET (or HEAD) of a feed that is cached and
    fresh, under the right token, is answered 304 here, without routing, dependencies or
    the other middleware (calendar clients poll with If-None-Match all day long). Everything
    else, including every case that needs the database (the token or the data's version due
    for a re-read, a feed not built yet), goes on to the app unchanged. The token is compared
    in constant time, and only while it was read from the database less than a second ago
    (`FeedToken.stale`), so a rotation stops the old token here exactly as on the slow path."""

    def __init__(self, app: ASGIApp, web: Any = None) -> None:
        self.app = app
        self._state: Any = web  # the app's `WebState`; found on the first request if None
        self.ahead: threading.Thread | None = None  # the re-read under way, if any

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            headers = self._answer(scope)
            if headers is not None:
                await send({"type": "http.response.start", "status": 304, "headers": headers})
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
        await self.app(scope, receive, send)

    def _answer(self, scope: Scope) -> list[tuple[bytes, bytes]] | None:
        """The 304's headers, or None to let the app answer."""
        path: str = scope["path"]
        if not path.endswith(".ics"):
            return None
        inm = ims = None
        for name, raw in scope["headers"]:
            if name == b"if-none-match":
                inm = raw
            elif name == b"if-modified-since":
                ims = raw
        if inm is None and ims is None:
            return None
        parts = path.split("/")
        if len(parts) == 3 and parts[2] == "calendar.ics":
            kind, value = "all", ""
        elif len(parts) == 4 and parts[2] in _KINDS and len(parts[3]) > 4:
            kind, value = parts[2], parts[3][:-4].lower()
        else:
            return None
        if self._state is None:
            self._state = scope["app"].state.web
        token: FeedToken = self._state.token
        given = parts[1]
        if not given or token.stale(given) or not token.same(given):
            return None  # the app re-reads the token in a thread, or answers 404
        query: bytes = scope.get("query_string", b"")
        try:
            wanted = _include(_last_include(query) if query else None)
        except HTTPException:
            return None  # the app's 400
        feeds: Feeds = self._state.feeds
        if feeds.unknown(kind, value):
            return None
        cached = feeds.fresh(kind, value, wanted)
        if cached is None:
            return None
        inm_text = None if inm is None else inm.decode("latin-1")
        ims_text = None if ims is None else ims.decode("latin-1")
        if not _unchanged(cached, inm_text, ims_text):
            return None
        if feeds.due_soon() or token.due_soon():
            self._read_ahead(feeds, token)
        return cached.not_modified

    def _read_ahead(self, feeds: Feeds, token: FeedToken) -> None:
        """While polls keep coming, re-read the data's version and the token in a thread
        (one at a time) before they expire, so that no poll meets an expired second and has
        to go the slow way. It reads just what a request would read, no sooner than half a
        second after the last read; a failure leaves them to expire and the app to report."""
        if self.ahead is not None and self.ahead.is_alive():
            return

        def read() -> None:
            try:
                if token.due_soon():
                    token.refresh()
                feeds.read_ahead()
            except Exception:  # the next request's own re-read reports it
                logger.debug("reading the feed version ahead failed", exc_info=True)

        self.ahead = threading.Thread(target=read, name="feed-read-ahead", daemon=True)
        self.ahead.start()


_KINDS = frozenset({"company", "product", "agency", "recipient"})


def _last_include(query: bytes) -> str | None:
    """The `include` parameter as FastAPI reads it (the last one given)."""
    found = None
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if name == "include":
            found = value
    return found


router = APIRouter()

_ICS = "text/calendar; charset=utf-8"


def _accepts_gzip(request: Request) -> bool:
    for part in request.headers.get("accept-encoding", "").lower().split(","):
        name, _, params = part.strip().partition(";")
        if name.strip() in ("gzip", "x-gzip"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


async def _serve(request: Request, kind: str, value: str, include: str | None) -> Response:
    feeds: Feeds = request.app.state.web.feeds
    wanted = _include(include)
    if feeds.unknown(kind, value):
        raise HTTPException(404)
    # The common case (nothing changed) never leaves the event loop; a rebuild, a check of
    # the data's version and a value not seen this second go to a thread.
    cached = feeds.fresh(kind, value, wanted) or await run_in_threadpool(
        feeds.get, kind, value, wanted
    )
    if cached is None:
        raise HTTPException(404)
    headers = {"ETag": cached.etag, "Cache-Control": "private, max-age=300"}
    if cached.last_modified:
        headers["Last-Modified"] = format_datetime(cached.last_modified, usegmt=True)
    if cached.path is None:
        headers["Vary"] = "Accept-Encoding"
    if _not_modified(request, cached):
        # RFC 9110, 15.4.5: a 304 repeats ETag, Cache-Control and Vary; other metadata such
        # as Last-Modified it should not send when there is an ETag (the client has it).
        headers.pop("Last-Modified", None)
        return Response(status_code=304, headers=headers)
    if cached.path is not None:
        if request.method == "HEAD":
            headers["Content-Length"] = str(cached.size)
            return Response(b"", media_type=_ICS, headers=headers)
        return FileResponse(cached.path, media_type=_ICS, headers=headers)
    body = cached.pieces
    if _accepts_gzip(request):
        zipped = cached.gzipped
        if zipped is None:
            zipped = await run_in_threadpool(feeds.gzip_body, cached)
        body = zipped
        headers["Content-Encoding"] = "gzip"
    if request.method == "HEAD":
        headers["Content-Length"] = str(sum(len(p) for p in body))
        return Response(b"", media_type=_ICS, headers=headers)
    return SharedBody(body, headers, _ICS)


async def check_token(request: Request, given: str) -> None:
    """404 unless `given` is the feed token (compared in constant time)."""
    token: FeedToken = request.app.state.web.token
    if not await token.check(given):
        raise HTTPException(404)


@router.api_route("/{given}/calendar.ics", methods=["GET", "HEAD"], include_in_schema=False)
async def all_feed(request: Request, given: str, include: str | None = None) -> Response:
    """Every deadline, under the feed token."""
    await check_token(request, given)
    return await _serve(request, "all", "", include)


@router.api_route("/{given}/{kind}/{value}.ics", methods=["GET", "HEAD"], include_in_schema=False)
async def filtered_feed(
    request: Request, given: str, kind: str, value: str, include: str | None = None
) -> Response:
    """One company's, product's, authority's or recipient's deadlines, under the token; a
    404 for one not tracked (or not configured)."""
    await check_token(request, given)
    if kind not in ("company", "product", "agency", "recipient"):
        raise HTTPException(404)
    return await _serve(request, kind, value.lower(), include)


def feed_urls(settings: Settings, store: Store) -> list[tuple[str, str, str]]:
    """(description, https-or-http URL, webcal URL) of every feed, at the address people
    should subscribe to (`base_url`)."""
    token = feed_token(store, settings.home)
    base = base_url(settings)
    out = []
    for label, path in feed_paths(store) + recipient_paths(settings):
        url = f"{base}/{token}/{path}"
        out.append((label, url, "webcal://" + url.split("://", 1)[1]))
    return out
