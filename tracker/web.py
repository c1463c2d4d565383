"""The feed server: calendar feeds under an unguessable token, a JSON API, health, an index.

An ASGI app (FastAPI, so the API has an OpenAPI document) served by uvicorn inside the
daemon. It only reads; every write happens in the pipeline.
"""

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

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware

from tracker import __version__, clock
from tracker.domain import Deadline
from tracker.ical import iter_calendar
from tracker.rules.engine import region_of, slug
from tracker.settings import Settings
from tracker.store import Store
from tracker.templating import environment

logger = logging.getLogger(__name__)

TOKEN_FILE = "feed-token"
STATUSES = ("open", "met", "missed", "cancelled", "superseded")


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


def make_app(store: Store, settings: Settings) -> FastAPI:
    """The ASGI application."""
    app = FastAPI(
        title="Regulatory deadline tracker", version=__version__, docs_url="/docs", redoc_url=None
    )
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    feeds = Feeds(store, settings)
    token = feed_token(settings.home)

    def check(given: str) -> None:
        if not hmac.compare_digest(given.encode(), token.encode()):
            raise HTTPException(404)

    @app.exception_handler(StarletteHTTPException)
    async def _plain_errors(request: Request, exc: StarletteHTTPException) -> Response:
        text = "not found" if exc.status_code == 404 else str(exc.detail)
        return PlainTextResponse(text, status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def _server_error(request: Request, exc: Exception) -> Response:
        logger.exception("error serving %s", request.url.path)
        return PlainTextResponse("internal error", status_code=500)

    async def serve(request: Request, kind: str, value: str, include: str | None) -> Response:
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
            return FileResponse(
                cached.path, media_type="text/calendar; charset=utf-8", headers=headers
            )
        return Response(cached.body, media_type="text/calendar; charset=utf-8", headers=headers)

    @app.api_route("/{given}/calendar.ics", methods=["GET", "HEAD"], include_in_schema=False)
    async def all_feed(request: Request, given: str, include: str | None = None) -> Response:
        check(given)
        return await serve(request, "all", "", include)

    @app.api_route("/{given}/{kind}/{value}.ics", methods=["GET", "HEAD"], include_in_schema=False)
    async def filtered_feed(
        request: Request, given: str, kind: str, value: str, include: str | None = None
    ) -> Response:
        check(given)
        if kind not in ("company", "product", "agency", "recipient"):
            raise HTTPException(404)
        return await serve(request, kind, value.lower(), include)

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        """Database reachability and the last run of each job."""
        ok = store.ping()
        body = {
            "status": "ok" if ok else "degraded",
            "database": ok,
            "jobs": store.job_health() if ok else {},
        }
        return JSONResponse(body, status_code=200 if ok else 503)

    @app.get("/api/deadlines")
    def api_deadlines(
        request: Request,
        token_: str = Query(alias="token"),
        status: str | None = None,
        company: str | None = None,
        product: str | None = None,
        agency: str | None = None,
        start: date | None = Query(None, alias="from"),
        end: date | None = Query(None, alias="to"),
        limit: int = Query(500, ge=1, le=5000),
        after: str | None = None,
    ) -> Response:
        """Deadlines by date with filters (status list, company/product slug, authority, date
        range), `limit` at a time; a `Link: <...>; rel="next"` header points at the next page."""
        check(token_)
        import itertools
        import json

        from tracker.pipeline import deadline_json

        wanted = set(status.split(",")) if status else None
        if wanted and wanted - set(STATUSES):
            raise HTTPException(400, f"unknown status {', '.join(sorted(wanted - set(STATUSES)))}")
        rows = store.deadline_pages(
            _today(settings),
            statuses=wanted,
            start=start,
            end=end,
            region=region_of(agency.upper()) if agency else None,
            after=_cursor(after),
            batch=min(limit + 1, 1000),
        )
        kept = (
            d
            for d in rows
            if not (company and not _matches(d, "company", company))
            and not (product and not _matches(d, "product", product))
        )
        picked = list(itertools.islice(kept, limit + 1))
        headers = {}
        if len(picked) > limit:
            picked = picked[:limit]
            last = picked[-1]
            nxt = request.url.include_query_params(after=f"{last.end.isoformat()}~{last.key}")
            headers["Link"] = f'<{nxt}>; rel="next"'
        body = json.dumps([deadline_json(d) for d in picked], ensure_ascii=False)
        return Response(body, media_type="application/json", headers=headers)

    @app.get("/api/procedures")
    def api_procedures(token_: str = Query(alias="token")) -> list[dict[str, Any]]:
        """Every procedure (company x product x authority)."""
        check(token_)
        return [
            {"key": p.key, "company": p.company, "product": p.product, "agency": p.agency}
            for p in store.procedures()
        ]

    @app.get("/api/events")
    def api_events(
        token_: str = Query(alias="token"),
        procedure: str | None = None,
        limit: int = Query(500, le=5000),
    ) -> list[dict[str, Any]]:
        """Regulatory events read from releases, newest first."""
        check(token_)
        return [
            {
                "procedure": e.procedure_key,
                "type": e.type,
                "agency": e.agency,
                "outcome": e.outcome,
                "detail": e.detail,
                "product": e.product,
                "date": e.date.isoformat() if e.date else None,
                "evidence": e.evidence,
            }
            for e in store.events(procedure, limit)
        ]

    @app.get("/api/releases")
    def api_releases(
        token_: str = Query(alias="token"), limit: int = Query(100, le=1000)
    ) -> list[dict[str, Any]]:
        """The latest releases."""
        check(token_)
        return [
            {
                "id": r.id,
                "name": r.name,
                "title": r.title,
                "company": r.company,
                "ticker": r.ticker,
                "date": r.release_date.isoformat() if r.release_date else None,
            }
            for r in store.releases(limit)
        ]

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> HTMLResponse:
        page = (
            environment()
            .get_template("web/index.html")
            .render(feeds=feed_paths(store), version=__version__)
        )
        return HTMLResponse(page)

    return app


class Server:
    """uvicorn in a thread of the daemon, stopped cleanly with it."""

    def __init__(self, app: FastAPI, host: str, port: int) -> None:
        import uvicorn

        self.config = uvicorn.Config(
            app, host=host, port=port, log_level="warning", access_log=False, lifespan="off"
        )
        self.server = uvicorn.Server(self.config)
        self.server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        self.thread = threading.Thread(target=self.server.run, name="web", daemon=True)

    def start(self) -> None:
        """Start serving; returns once the socket listens."""
        self.thread.start()
        for _ in range(500):
            if self.server.started or not self.thread.is_alive():
                break
            threading.Event().wait(0.01)
        if not self.server.started:
            raise OSError(f"web server did not start on {self.config.host}:{self.config.port}")

    def stop(self) -> None:
        """Finish open requests and stop."""
        self.server.should_exit = True
        self.thread.join(timeout=10)


def feed_urls(settings: Settings, store: Store) -> list[tuple[str, str, str]]:
    """(description, https-or-http URL, webcal URL) of every feed."""
    token = feed_token(settings.home)
    base = settings.base_url
    out = []
    for label, path in feed_paths(store) + recipient_paths(settings):
        url = f"{base}/{token}/{path}"
        out.append((label, url, "webcal://" + url.split("://", 1)[1]))
    return out
