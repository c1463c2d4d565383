"""What every source is: something that, given its cursor, yields items and a new cursor."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from tracker.domain import RawItem

if TYPE_CHECKING:
    from tracker.settings import HttpSection

# How long an item waiting for a retry (its page or text failed) is kept in the cursor.
RETRY_KEPT_SECONDS = 30 * 86400


@dataclass(frozen=True, slots=True)
class Rejected:
    """An item the source could not deliver, with the reason (quarantined, never retried blind)."""

    source_id: str
    external_id: str
    reason: str


@dataclass
class Batch:
    """One fetch: items in order, rejections, and the cursor to keep once they are stored."""

    items: list[RawItem] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    cursor: dict[str, Any] = field(default_factory=dict)
    retry_after: float | None = None


class Source(Protocol):
    """A configured source. `fetch` never raises for one bad item; it rejects it."""

    id: str

    def fetch(self, cursor: dict[str, Any], now: datetime, seen: SeenCheck) -> Batch:
        """Items new since `cursor` (a dict the source itself wrote last time)."""
        ...

    def done(self, item: RawItem, outcome: str, error: str | None) -> None:
        """Called after each item was stored (or failed): a folder moves its file."""
        ...


class SeenCheck(Protocol):
    """Asks the store whether this source delivered an item before (skips refetching links)."""

    def __call__(self, source_id: str, external_id: str) -> bool: ...


class HttpSource:
    """A source read over HTTP from one address: its id, the address, the `[http]` settings
    and (in tests) an httpx transport. Nothing to clean up after an item."""

    def __init__(self, source_id: str, url: str, http: HttpSection, transport: Any = None) -> None:
        self.id = source_id
        self.url = url
        self.http_settings = http
        self.transport = transport

    def done(self, item: RawItem, outcome: str, error: str | None) -> None:
        """Nothing to clean up: sightings remember what was read."""


def kept_retries(cursor: dict[str, Any], now: datetime) -> dict[str, dict[str, Any]]:
    """The cursor's items waiting for a retry, copied, without those older than
    RETRY_KEPT_SECONDS."""
    return {
        k: dict(v)
        for k, v in (cursor.get("retry") or {}).items()
        if now.timestamp() - float(v.get("at", 0)) < RETRY_KEPT_SECONDS
    }


def chunks(items: list[RawItem], size: int) -> Iterator[list[RawItem]]:
    """Items in groups of `size`."""
    for i in range(0, len(items), size):
        yield items[i : i + size]


class _Closable(Protocol):
    def close(self) -> None: ...


@contextmanager
def fetching(batch: Batch, source_id: str, url: str, http: _Closable) -> Iterator[None]:
    """One source's fetch: a rate limit ends it with the wait the server asked for recorded
    in the batch, and the connection is closed whatever happens."""
    from tracker.sources.http import RateLimited

    try:
        yield
    except RateLimited as e:
        batch.retry_after = e.retry_after
        batch.rejected.append(Rejected(source_id, url, str(e)))
    finally:
        http.close()
