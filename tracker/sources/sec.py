"""SEC EDGAR: a company's filings feed (Atom); the press releases (EX-99.1) of its 8-Ks, and
of the 6-Ks of a foreign private issuer (EX-99.1, else its first EX-99 exhibit, else the 6-K
document itself: foreign issuers often file the release as the report's own text).

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
from tracker.sources.base import Batch, Rejected, SeenCheck, fetching
from tracker.sources.http import Http

_EXHIBIT = re.compile(r"ex-?99\.?1|ex99-?1|exhibit 99\.1", re.IGNORECASE)
_ANY_99 = re.compile(r"\bex-?99\b|ex-?99\.\d+|exhibit 99", re.IGNORECASE)
_FORM_6K = re.compile(r"\b6-K\b", re.IGNORECASE)
_FORMS = ("8-K", "6-K")


class SecSource:
    """8-K and 6-K filings of one company; each filing's press release becomes a release."""

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
        """New 8-K and 6-K filings' press releases."""
        http = Http(self.http_settings, self.id, self.transport)
        batch = Batch(cursor=dict(cursor))
        with fetching(batch, self.id, self.url, http):
            feed = feedparser.parse(http.get(self.url).body)
            for entry in feed.entries[: self.http_settings.max_items]:
                form = str(entry.get("category", "") or entry.get("title", ""))
                if not any(f in form.upper() for f in _FORMS):
                    continue
                filing = entry.get("link")
                external = entry.get("id") or filing
                if not filing or seen(self.id, external):
                    continue
                try:
                    exhibit = self._exhibit(http, filing, six_k="6-K" in form.upper())
                    body = http.get(exhibit).body
                except SourceError as e:
                    batch.rejected.append(Rejected(self.id, external, str(e)))
                    continue
                batch.items.append(
                    RawItem(self.id, external, exhibit.rsplit("/", 1)[-1], body, now, url=exhibit)
                )
        return batch

    def _exhibit(self, http: Http, index_url: str, six_k: bool = False) -> str:
        """The press release linked from a filing index page: its EX-99.1 exhibit; for a 6-K,
        else its first EX-99 exhibit, else the 6-K document itself."""
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(http.get(index_url).body, "html.parser")
        rows = [
            (row.get_text(" ", strip=True), row.find("a", href=True)) for row in soup.find_all("tr")
        ]
        rows = [(cells, link) for cells, link in rows if link]
        patterns = (_EXHIBIT, _ANY_99, _FORM_6K) if six_k else (_EXHIBIT,)
        for pattern in patterns:
            for cells, link in rows:
                if pattern.search(cells) and link is not None:
                    return urljoin(index_url, str(link["href"]))
        what = "press release (EX-99 exhibit or 6-K document)" if six_k else "EX-99.1 exhibit"
        raise SourceError(self.id, f"{index_url}: no {what} in the filing")

    def done(self, item: RawItem, outcome: str, error: str | None) -> None:
        """Nothing to clean up."""
