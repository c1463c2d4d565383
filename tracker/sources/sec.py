"""SEC EDGAR: a company's filings feed (Atom); the press releases (EX-99.1) of its 8-Ks.

SEC fair access: a User-Agent with a contact address (`[http] contact`, required here) and
no more than 10 requests per second (`[http] requests_per_second`).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

from tracker.domain import RawItem
from tracker.errors import ConfigError, SourceError
from tracker.settings import HttpSection
from tracker.sources.base import Batch, Rejected, SeenCheck
from tracker.sources.http import Http, RateLimited

_EXHIBIT = re.compile(r"ex-?99\.?1|ex99-?1|exhibit 99\.1", re.IGNORECASE)


class SecSource:
    """8-K filings of one company; each filing's EX-99.1 exhibit becomes a release."""

    def __init__(self, source_id: str, url: str, http: HttpSection, transport: Any = None) -> None:
        if not http.contact:
            raise ConfigError(
                f"source '{source_id}': SEC EDGAR requires [http] contact (an e-mail)"
            )
        self.id = source_id
        self.url = url
        self.http_settings = http.model_copy(
            update={"requests_per_second": min(http.requests_per_second, 10.0)}
        )
        self.transport = transport

    def fetch(self, cursor: dict[str, Any], now: datetime, seen: SeenCheck) -> Batch:
        """New 8-K filings' press-release exhibits."""
        http = Http(self.http_settings, self.id, self.transport)
        batch = Batch(cursor=dict(cursor))
        try:
            feed = feedparser.parse(http.get(self.url).body)
            for entry in feed.entries[: self.http_settings.max_items]:
                form = str(entry.get("category", "") or entry.get("title", ""))
                if "8-K" not in form.upper():
                    continue
                filing = entry.get("link")
                external = entry.get("id") or filing
                if not filing or seen(self.id, external):
                    continue
                try:
                    exhibit = self._exhibit(http, filing)
                    body = http.get(exhibit).body
                except SourceError as e:
                    batch.rejected.append(Rejected(self.id, external, str(e)))
                    continue
                batch.items.append(
                    RawItem(self.id, external, exhibit.rsplit("/", 1)[-1], body, now, url=exhibit)
                )
        except RateLimited as e:
            batch.retry_after = e.retry_after
            batch.rejected.append(Rejected(self.id, self.url, str(e)))
        finally:
            http.close()
        return batch

    def _exhibit(self, http: Http, index_url: str) -> str:
        """The EX-99.1 document linked from a filing index page."""
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(http.get(index_url).body, "html.parser")
        for row in soup.find_all("tr"):
            cells = row.get_text(" ", strip=True)
            link = row.find("a", href=True)
            if link and _EXHIBIT.search(cells):
                return urljoin(index_url, str(link["href"]))
        raise SourceError(self.id, f"{index_url}: no EX-99.1 exhibit in the filing")

    def done(self, item: RawItem, outcome: str, error: str | None) -> None:
        """Nothing to clean up."""
