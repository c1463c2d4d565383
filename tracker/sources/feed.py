"""RSS 0.9x/1.0/2.0 and Atom feeds, read with feedparser, fetched politely with httpx."""

from __future__ import annotations

import hashlib
from datetime import datetime
from html import escape
from typing import Any

import feedparser

from tracker.domain import RawItem
from tracker.errors import SourceError
from tracker.extract import release_date_of
from tracker.extract.text import html_to_text
from tracker.sources.base import Batch, HttpSource, Rejected, SeenCheck, kept_retries
from tracker.sources.http import Http, RateLimited

# An item whose text is shorter than this is a teaser: its link is fetched for the release.
SUMMARY_ONLY_CHARS = 600
# An item whose page fails (404, 5xx, a network error) is tried again this long after the
# first failure, four times longer after each next one, and quarantined after PAGE_TRIES
# failures (`tracker sources retry` tries it again by hand). Kept in the cursor: what is
# needed to fetch it again, so a feed answering 304 does not keep it waiting.
PAGE_RETRY_SECONDS = 300
PAGE_TRIES = 3


class FeedSource(HttpSource):
    """A feed; items are keyed by their id (or link), the text taken from content or the link."""

    def fetch(self, cursor: dict[str, Any], now: datetime, seen: SeenCheck) -> Batch:
        """New items since the last fetch; a 304 yields none."""
        http = Http(self.http_settings, self.id, self.transport)
        try:
            return self._fetch(http, cursor, now, seen)
        except RateLimited as e:
            return Batch(
                cursor=cursor,
                retry_after=e.retry_after,
                rejected=[Rejected(self.id, self.url, str(e))],
            )
        finally:
            http.close()

    def _fetch(self, http: Http, cursor: dict[str, Any], now: datetime, seen: SeenCheck) -> Batch:
        r = http.get(self.url, cursor.get("etag"), cursor.get("modified"))
        batch = Batch(cursor=dict(cursor))
        retry = kept_retries(cursor, now)
        batch.cursor["retry"] = retry
        for external, entry in list(retry.items()):  # items whose page failed before
            if not entry.get("gave_up") and now.timestamp() >= float(entry["next"]):
                self._item(http, external, entry, now, batch)
        if r.status == 304:
            return batch
        if b"<!ENTITY" in r.body[:20000]:
            raise SourceError(
                self.id,
                f"{self.url}: refused: the feed declares XML entities "
                "(an entity-expansion attack, or at best no feed)",
            )
        parsed = feedparser.parse(r.body, response_headers={"content-type": r.content_type})
        truncated = parsed.bozo and "no element found" in str(parsed.bozo_exception)
        if (parsed.bozo and not parsed.entries) or truncated:
            raise SourceError(
                self.id,
                f"{self.url}: not a readable feed "
                f"({type(parsed.bozo_exception).__name__}: {parsed.bozo_exception})",
            )
        batch.cursor.update(etag=r.etag, modified=r.last_modified)
        for entry in parsed.entries[: self.http_settings.max_items]:
            self._entry(http, entry, now, seen, batch)
        return batch

    def _entry(self, http: Http, entry: Any, now: datetime, seen: SeenCheck, batch: Batch) -> None:
        link = entry.get("link")
        if link and not str(link).startswith(("http://", "https://")):
            link = None  # feedparser falls back to the id, which may be a URN
        external = (
            entry.get("id") or link or _digest(entry.get("title", "") + entry.get("summary", ""))
        )
        if seen(self.id, external) or external in batch.cursor["retry"]:
            return  # read before, or its page failed and waits for its retry
        known = {
            "link": link,
            "html": _content(entry),
            "title": entry.get("title", ""),
            "published": entry.get("published") or entry.get("updated") or "",
        }
        self._item(http, external, known, now, batch)

    def _item(
        self, http: Http, external: str, known: dict[str, Any], now: datetime, batch: Batch
    ) -> None:
        """One item from what the feed said of it, its page fetched when it is a teaser."""
        retry = batch.cursor["retry"]
        link, html = known.get("link"), str(known.get("html") or "")
        if len(html_to_text(html).strip()) < SUMMARY_ONLY_CHARS and link:
            try:
                page = http.get(link)
            except SourceError as e:
                tries = int(retry.get(external, {}).get("tries", 0)) + 1
                waiting = {**known, "tries": tries, "at": now.timestamp(), "error": str(e)}
                if tries >= PAGE_TRIES:
                    retry[external] = {**waiting, "gave_up": True}
                    reason = f"{e} (tried {tries} times; `tracker sources retry` tries again)"
                    batch.rejected.append(Rejected(self.id, external, reason))
                else:
                    wait = PAGE_RETRY_SECONDS * 4 ** (tries - 1)
                    retry[external] = {**waiting, "next": now.timestamp() + wait}
                return
            html = page.body.decode("utf-8", "replace")
        retry.pop(external, None)
        if not html.strip():
            batch.rejected.append(
                Rejected(
                    self.id, external, f"{self.url}: item {external!r} has no text and no link"
                )
            )
            return
        title = str(known.get("title") or "")
        published = str(known.get("published") or "")
        # The feed's title and date go in only when the text has no dateline of its own, so
        # the same release read from a page elsewhere has the same text (one release).
        head = ""
        if release_date_of(html_to_text(html)) is None:
            head = f"<h1>{escape(title)}</h1><p>Published on {escape(published)}</p>"
        body = f"<html><body>{head}{html}</body></html>"
        batch.items.append(
            RawItem(self.id, external, f"{_digest(external)}.html", body.encode(), now, url=link)
        )


def _content(entry: Any) -> str:
    for part in entry.get("content", []) or []:
        if part.get("value"):
            return str(part["value"])
    return str(entry.get("summary", "") or entry.get("description", "") or "")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:24]
