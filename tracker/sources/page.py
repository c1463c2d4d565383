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
from tracker.sources.base import Batch, Rejected, SeenCheck
from tracker.sources.http import Http, RateLimited

DEFAULT_LINK = r"press|news|release|announce"


class PageSource:
    """Follows links on one page whose address or text matches `link_pattern`, same site only."""

    def __init__(
        self,
        source_id: str,
        url: str,
        http: HttpSection,
        link_pattern: str = DEFAULT_LINK,
        transport: Any = None,
    ) -> None:
        self.id = source_id
        self.url = url
        self.http_settings = http
        self.link = re.compile(link_pattern, re.IGNORECASE)
        self.transport = transport

    def fetch(self, cursor: dict[str, Any], now: datetime, seen: SeenCheck) -> Batch:
        """Each new matching link, fetched."""
        http = Http(self.http_settings, self.id, self.transport)
        batch = Batch(cursor=dict(cursor))
        try:
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
        except RateLimited as e:
            batch.retry_after = e.retry_after
            batch.rejected.append(Rejected(self.id, self.url, str(e)))
        finally:
            http.close()
        return batch

    def links(self, html: bytes, base: str) -> list[str]:
        """Same-site links whose address or text looks like a release, in page order."""
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
