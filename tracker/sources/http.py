"""Polite HTTP for sources: a User-Agent that names us, timeouts, size caps, conditional GET."""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

from tracker.errors import SourceError
from tracker.settings import HttpSection


@dataclass(frozen=True, slots=True)
class Response:
    """A fetched body with the headers we use."""

    url: str
    status: int
    body: bytes
    etag: str | None
    last_modified: str | None
    content_type: str


class RateLimited(SourceError):
    """The server asked us to come back later (HTTP 429 or 503 with Retry-After)."""

    def __init__(self, source_id: str, message: str, retry_after: float) -> None:
        super().__init__(source_id, message)
        self.retry_after = retry_after


class Http:
    """One client per source run, with the politeness rules of the settings."""

    def __init__(
        self, settings: HttpSection, source_id: str, transport: httpx.BaseTransport | None = None
    ) -> None:
        agent = settings.user_agent + (f" ({settings.contact})" if settings.contact else "")
        self.settings = settings
        self.source_id = source_id
        self.client = httpx.Client(
            headers={"User-Agent": agent, "Accept-Encoding": "gzip, deflate"},
            timeout=settings.timeout_seconds,
            follow_redirects=True,
            max_redirects=settings.max_redirects,
            transport=transport,
        )
        self._last = 0.0

    def close(self) -> None:
        """Close the connections."""
        self.client.close()

    def get(self, url: str, etag: str | None = None, modified: str | None = None) -> Response:
        """GET with conditional headers; raises SourceError with a clear reason."""
        self._pace()
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        try:
            with self.client.stream("GET", url, headers=headers) as r:
                if r.status_code in (429, 503) and "retry-after" in r.headers:
                    wait = _retry_after(r.headers["retry-after"])
                    raise RateLimited(
                        self.source_id,
                        f"{url}: HTTP {r.status_code}, retry after {wait:.0f}s",
                        wait,
                    )
                if r.status_code >= 400:
                    raise SourceError(self.source_id, f"{url}: HTTP {r.status_code}")
                body = self._read(r, url)
                return Response(
                    str(r.url),
                    r.status_code,
                    body,
                    r.headers.get("etag"),
                    r.headers.get("last-modified"),
                    r.headers.get("content-type", ""),
                )
        except httpx.TooManyRedirects as e:
            raise SourceError(self.source_id, f"{url}: too many redirects") from e
        except httpx.TimeoutException as e:
            raise SourceError(
                self.source_id, f"{url}: timed out after {self.settings.timeout_seconds:g}s"
            ) from e
        except httpx.HTTPError as e:
            raise SourceError(self.source_id, f"{url}: {type(e).__name__}: {e}") from e

    def _read(self, r: httpx.Response, url: str) -> bytes:
        cap = self.settings.max_bytes
        declared = r.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise SourceError(self.source_id, f"{url}: {declared} bytes, over the {cap}-byte cap")
        chunks, size = [], 0
        for chunk in r.iter_bytes():
            size += len(chunk)
            if size > cap:
                raise SourceError(self.source_id, f"{url}: over the {cap}-byte cap")
            chunks.append(chunk)
        return b"".join(chunks)

    def _pace(self) -> None:
        """At most `requests_per_second` requests from this source (SEC fair access)."""
        gap = 1.0 / self.settings.requests_per_second
        wait = self._last + gap - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last = time.monotonic()


def _retry_after(value: str) -> float:
    """Seconds from a Retry-After header (seconds or an HTTP date); 60 when unreadable."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 60.0
    return max(0.0, when.timestamp() - time.time())
