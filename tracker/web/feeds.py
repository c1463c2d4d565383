"""Calendar feeds under an unguessable token: built once per change of the data, cached,
served with ETag and Last-Modified."""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
import os
import secrets
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, Response
from starlette.concurrency import run_in_threadpool

from tracker import clock
from tracker.domain import Deadline
from tracker.ical import iter_calendar
from tracker.identity import region_of, slug
from tracker.settings import Settings
from tracker.store import Store

logger = logging.getLogger(__name__)

TOKEN_FILE = "feed-token"
# Every status a deadline can have (the order pages and filters list them in); the same
# list as `tracker.vocabulary.STATUSES`.
STATUSES = ("open", "met", "passed", "missed", "cancelled", "superseded")


def feed_token(home: Path, rotate: bool = False) -> str:
    """The feed token: made on first use and kept in the data folder (mode 0600)."""
    path = home / TOKEN_FILE
    if path.exists() and not rotate:
        return path.read_text(encoding="utf-8").strip()
    token = secrets.token_urlsafe(24)
    home.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(token + "\n")
    os.replace(tmp, path)
    return token


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


@dataclass
class _Cached:
    version: tuple[Any, ...]
    body: bytes
    etag: str
    last_modified: datetime | None
    path: Path | None = None  # a large feed lives in a file, `body` is then empty
    size: int = 0


class Feeds:
    """Builds feeds and keeps each one until the data (or the day) changes."""

    # A feed may lag the database by this much; it spares a query on every request.
    VERSION_TTL = 1.0
    # Feeds larger than this are kept in files (served from disk), not in memory: the
    # daemon's memory stays flat whatever the number of deadlines.
    IN_MEMORY_LIMIT = 16 * 1024 * 1024

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._cache: dict[tuple[str, str, frozenset[str]], _Cached] = {}
        self._lock = threading.Lock()
        self._version: tuple[Any, ...] = ()
        self._checked = -1e9

    def version(self) -> tuple[Any, ...]:
        """The data's version (latest change, today's date), re-read at most once a second."""
        now = time.monotonic()
        if now - self._checked > self.VERSION_TTL:
            self._version = (self.store.version(), _today(self.settings))
            self._checked = now
        return self._version

    def invalidate(self) -> None:
        """Re-read the data's version on the next request (after a change made here)."""
        self._checked = -1e9

    def fresh(self, kind: str, value: str, include: frozenset[str]) -> _Cached | None:
        """The cached feed if the data has not changed since it was built."""
        hit = self._cache.get((kind, value, include))
        return hit if hit is not None and hit.version == self.version() else None

    def get(self, kind: str, value: str, include: frozenset[str]) -> _Cached:
        """The feed's bytes, ETag and Last-Modified, rebuilt only when something changed."""
        hit = self.fresh(kind, value, include)
        if hit is not None:
            return hit
        version = self.version()
        today = version[1]
        key = (kind, value, include)
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
        cached = _Cached(
            version,
            body,
            '"' + digest[:32] + '"',
            stamps[0] if stamps else None,
            path,
            size,
        )
        with self._lock:
            self._cache[key] = cached
        return cached

    def _write(
        self, key: tuple[str, str, frozenset[str]], chunks: Iterator[bytes]
    ) -> tuple[bytes, Path | None, str, int]:
        """Collect a feed in memory, moving to a file once it passes `IN_MEMORY_LIMIT`:
        (bytes or b"", file or None, sha256 hex, size). A file is named by its content, and
        the one before it is kept, so a response already sending it is never cut short."""
        digest, size = hashlib.sha256(), 0
        buffer = io.BytesIO()
        out: Any = buffer
        tmp: Path | None = None
        folder = self.settings.home / "feeds"
        try:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
                if tmp is None and size > self.IN_MEMORY_LIMIT:
                    folder.mkdir(parents=True, exist_ok=True)
                    fd, name = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".ics")
                    tmp, out = Path(name), os.fdopen(fd, "wb")
                    out.write(buffer.getbuffer())
                    buffer = io.BytesIO()
            if tmp is None:
                return buffer.getvalue(), None, digest.hexdigest(), size
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
        return b"", path, digest.hexdigest(), size

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
    inm = request.headers.get("if-none-match")
    if inm is not None:
        return inm.strip() == "*" or cached.etag in [t.strip() for t in inm.split(",")]
    ims = request.headers.get("if-modified-since")
    if ims and cached.last_modified:
        try:
            return cached.last_modified.replace(microsecond=0) <= parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
    return False


router = APIRouter()


async def _serve(request: Request, kind: str, value: str, include: str | None) -> Response:
    feeds: Feeds = request.app.state.web.feeds
    wanted = _include(include)
    # The common case (nothing changed) never leaves the event loop; a rebuild does.
    cached = feeds.fresh(kind, value, wanted) or await run_in_threadpool(
        feeds.get, kind, value, wanted
    )
    headers = {"ETag": cached.etag, "Cache-Control": "private, max-age=300"}
    if cached.last_modified:
        headers["Last-Modified"] = format_datetime(cached.last_modified, usegmt=True)
    if _not_modified(request, cached):
        return Response(status_code=304, headers=headers)
    if request.method == "HEAD":
        headers["Content-Length"] = str(cached.size)
        return Response(b"", media_type="text/calendar; charset=utf-8", headers=headers)
    if cached.path is not None:
        return FileResponse(cached.path, media_type="text/calendar; charset=utf-8", headers=headers)
    return Response(cached.body, media_type="text/calendar; charset=utf-8", headers=headers)


def check_token(request: Request, given: str) -> None:
    """404 unless `given` is the feed token (compared in constant time)."""
    token: str = request.app.state.web.token
    if not hmac.compare_digest(given.encode(), token.encode()):
        raise HTTPException(404)


@router.api_route("/{given}/calendar.ics", methods=["GET", "HEAD"], include_in_schema=False)
async def all_feed(request: Request, given: str, include: str | None = None) -> Response:
    """Every deadline, under the feed token."""
    check_token(request, given)
    return await _serve(request, "all", "", include)


@router.api_route("/{given}/{kind}/{value}.ics", methods=["GET", "HEAD"], include_in_schema=False)
async def filtered_feed(
    request: Request, given: str, kind: str, value: str, include: str | None = None
) -> Response:
    """One company's, product's, authority's or recipient's deadlines, under the token."""
    check_token(request, given)
    if kind not in ("company", "product", "agency", "recipient"):
        raise HTTPException(404)
    return await _serve(request, kind, value.lower(), include)


def feed_urls(settings: Settings, store: Store) -> list[tuple[str, str, str]]:
    """(description, https-or-http URL, webcal URL) of every feed."""
    token = feed_token(settings.home)
    base = settings.base_url
    out = []
    for label, path in feed_paths(store) + recipient_paths(settings):
        url = f"{base}/{token}/{path}"
        out.append((label, url, "webcal://" + url.split("://", 1)[1]))
    return out
