"""A web page listing releases (an investor-relations news page): its release links are followed.

HTML is read with BeautifulSoup, already the extractor's HTML library: one parser for the
whole product, tolerant of broken markup, and fast enough for pages fetched every few
minutes (selectolax would be faster, trafilatura better at boilerplate, neither needed here).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from tracker.domain import RawItem
from tracker.errors import SourceError
from tracker.settings import HttpSection
from tracker.sources.base import Batch, Rejected, SeenCheck, fetching
from tracker.sources.http import Http, RateLimited

DEFAULT_LINK = r"press|news|release|announce"


class PageSource:
    """Follows links on one page whose address or text matches `link_pattern` (by default
    the class's `default_link`), same site only."""

    default_link = DEFAULT_LINK

    def __init__(
        self,
        source_id: str,
        url: str,
        http: HttpSection,
        link_pattern: str | None = None,
        transport: Any = None,
    ) -> None:
        self.id = source_id
        self.url = url
        self.http_settings = http
        self.link = re.compile(link_pattern or self.default_link, re.IGNORECASE)
        self.transport = transport

    def fetch(self, cursor: dict[str, Any], now: datetime, seen: SeenCheck) -> Batch:
        """Each new matching link, fetched."""
        http = Http(self.http_settings, self.id, self.transport)
        batch = Batch(cursor=dict(cursor))
        with fetching(batch, self.id, self.url, http):
            page = http.get(self.url)
            for url in self.links(page.body, page.url)[: self.http_settings.max_items]:
                if seen(self.id, url):
                    continue
                try:
                    r = http.get(url)
                except SourceError as e:
                    batch.rejected.append(Rejected(self.id, url, str(e)))
                    continue
                batch.items.append(RawItem(self.id, url, _name(url), r.body, now, url=url))
        return batch

    def links(self, html: bytes, base: str) -> list[str]:
        """Same-site links whose address or text matches the link pattern, in page order."""
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(html, "html.parser")
        host = urlsplit(base).netloc
        out: list[str] = []
        for a in soup.find_all("a", href=True):
            url = urljoin(base, str(a["href"])).split("#")[0]
            if urlsplit(url).netloc != host or url == base or url in out:
                continue
            if self.link.search(url) or self.link.search(a.get_text(" ", strip=True)):
                out.append(url)
        return out

    def done(self, item: RawItem, outcome: str, error: str | None) -> None:
        """Nothing to clean up."""


def _name(url: str) -> str:
    path = urlsplit(url).path.rstrip("/")
    last = path.rsplit("/", 1)[-1] or "index"
    return last if last.lower().endswith((".html", ".htm", ".txt")) else f"{last}.html"


class MalformedDocument(ValueError):
    """A linked page that is not the agency document the source reads; the message says why."""


# A linked agency page that fails (5xx, a timeout) is tried again at the next polls after
# this wait, four times longer after each failure, and quarantined after PAGE_TRIES; a 404
# or a page that is not the document expected is quarantined at once.
PAGE_RETRY_SECONDS = 300
PAGE_TRIES = 3


class AgencyPagesSource(PageSource):
    """An agency's listing (an RSS or Atom feed, or a page) linking to one document per
    meeting: each linked page read once, checked by `check` (a `MalformedDocument` is
    quarantined with its reason) and stored by `ingest` as the agency's own word. The
    listing is fetched conditionally; the pages waiting for a retry are kept in the cursor,
    so a listing answering 304 does not keep them waiting."""

    def check(self, body: bytes) -> None:
        """Raise MalformedDocument when a page is not the document this source reads."""

    def fetch(self, cursor: dict[str, Any], now: datetime, seen: SeenCheck) -> Batch:
        """The pages the listing links to that were not read before."""
        http = Http(self.http_settings, self.id, self.transport)
        batch = Batch(cursor=dict(cursor))
        retry = {k: dict(v) for k, v in (cursor.get("retry") or {}).items()}
        batch.cursor["retry"] = retry
        with fetching(batch, self.id, self.url, http):
            r = http.get(self.url, cursor.get("etag"), cursor.get("modified"))
            if r.status == 304:  # only pages waiting for their retry
                links = [u for u, v in retry.items() if not v.get("gave_up")]
            else:
                batch.cursor["etag"], batch.cursor["modified"] = r.etag, r.last_modified
                links = self.links(r.body, r.url)
                batch.cursor["links"] = links[: self.http_settings.max_items]
            for url in links[: self.http_settings.max_items]:
                if seen(self.id, url):
                    retry.pop(url, None)
                    continue
                waiting = retry.get(url)
                if waiting and (waiting.get("gave_up") or now.timestamp() < float(waiting["next"])):
                    continue  # quarantined (`tracker sources retry` clears it) or waiting
                self._page(http, url, now, batch)
        return batch

    def _page(self, http: Http, url: str, now: datetime, batch: Batch) -> None:
        retry = batch.cursor["retry"]
        try:
            page = http.get(url)
        except RateLimited:
            raise
        except SourceError as e:
            tries = int(retry.get(url, {}).get("tries", 0)) + 1
            if "HTTP 404" in str(e) or tries >= PAGE_TRIES:
                more = f" (tried {tries} times)" if tries > 1 else ""
                self._give_up(batch, url, f"{e}{more}", tries)
            else:
                wait = PAGE_RETRY_SECONDS * 4 ** (tries - 1)
                retry[url] = {"tries": tries, "next": now.timestamp() + wait, "error": str(e)}
            return
        retry.pop(url, None)
        try:
            self.check(page.body)
        except MalformedDocument as e:
            self._give_up(batch, url, f"{url}: {e}", 1)
            return
        batch.items.append(RawItem(self.id, url, self.name_of(url), page.body, now, url=url))

    def name_of(self, url: str) -> str:
        """The file name an item of this address is stored under."""
        return _name(url)

    def _give_up(self, batch: Batch, url: str, reason: str, tries: int) -> None:
        """Quarantine a page; it is not fetched again until `tracker sources retry`."""
        batch.cursor["retry"][url] = {"tries": tries, "next": 0, "gave_up": True}
        batch.rejected.append(Rejected(self.id, url, reason))

    def links(self, html: bytes, base: str) -> list[str]:
        """Matching links of a feed (any site), or of a page (same site), in order."""
        head = html[:2000].lstrip().lower()
        if head.startswith(b"<?xml") or b"<rss" in head or b"<feed" in head:
            import feedparser

            out = []
            for e in feedparser.parse(html).entries:
                link = e.get("link")
                if link and (self.link.search(link) or self.link.search(e.get("title", ""))):
                    out.append(urljoin(base, link))
            return list(dict.fromkeys(out))
        return super().links(html, base)
