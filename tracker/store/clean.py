"""Values bounded and cleaned before they reach the database.

Whatever a release contains, what is stored fits its column on every backend: NUL
characters (which PostgreSQL refuses in text) and other control characters are dropped,
file names that were not valid UTF-8 (lone surrogates) are made printable, and lengths are
capped below the column sizes in `tables.py`, with room left for the keys built from them
(a procedure key is company/product/region, a deadline key the procedure key and a rule).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Protocol

from tracker.domain import Event, Extraction, ReleaseInfo, Timeline

# Company and product are parts of the procedure key (400) and deadline key (500).
NAME_CHARS = 120
TICKER_CHARS = 20
TITLE_CHARS = 500
TEXT_CHARS = 20_000  # evidence and expressions: a sentence, however long it ran
SOURCE_CHARS = 500  # the release's name, also its reference from deadlines (1000)
EXTERNAL_ID_CHARS = 900  # sighting and quarantine external ids (1000)
URL_CHARS = 4000
SOURCE_ID_CHARS = 200
SHORT_CHARS = {"type": 40, "agency": 20, "outcome": 20, "detail": 40, "milestone": 60}
ANCHOR_CHARS = 100
BODY_CHARS = 200_000  # a release's whole text, for its page (as much as the reader reads)

# C0 controls except tab and newline, DEL, and the C1 block; CR becomes a newline first.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_LINE_BREAKS = re.compile(r"\s*[\r\n\u2028\u2029]+\s*")


def text(value: str, limit: int) -> str:
    """`value` without NULs and other control characters, with no lone surrogates, at most
    `limit` characters long (cut there: what is kept is still the document's text)."""
    if _SURROGATE.search(value):
        value = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        value = _SURROGATE.sub("\ufffd", value)
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub("", value)
    if len(value) > limit:
        value = value[:limit]
    return value


def line(value: str, limit: int) -> str:
    """`text` on one line: CR, LF and other line breaks become single spaces."""
    return text(_LINE_BREAKS.sub(" ", value).strip(), limit)


def optional(value: str | None, limit: int, one_line: bool = False) -> str | None:
    """`text` (or `line`) of a value that may be missing; an empty result is None."""
    if value is None:
        return None
    out = line(value, limit) if one_line else text(value, limit)
    return out or None


def extraction(x: Extraction) -> Extraction:
    """An extraction whose every stored string is bounded and clean."""
    r = x.release
    release = ReleaseInfo(
        r.date,
        optional(r.company, NAME_CHARS, one_line=True),
        optional(r.ticker, TICKER_CHARS, one_line=True),
        optional(r.title, TITLE_CHARS, one_line=True),
        optional(r.product, NAME_CHARS, one_line=True),
        r.language,
    )
    return replace(
        x,
        source=line(x.source, SOURCE_CHARS),
        release=release,
        events=tuple(_event(e) for e in x.events),
        timelines=tuple(_timeline(t) for t in x.timelines),
        warnings=tuple(line(w, 1000) for w in x.warnings),
        text=text(x.text, BODY_CHARS),
    )


def _event(e: Event) -> Event:
    return replace(
        e,
        type=line(e.type, SHORT_CHARS["type"]),
        agency=line(e.agency, SHORT_CHARS["agency"]),
        outcome=optional(e.outcome, SHORT_CHARS["outcome"], one_line=True),
        product=optional(e.product, NAME_CHARS, one_line=True),
        evidence=text(e.evidence, TEXT_CHARS),
        detail=optional(e.detail, SHORT_CHARS["detail"], one_line=True),
        country=optional(e.country, NAME_CHARS, one_line=True),
    )


def _timeline(t: Timeline) -> Timeline:
    return replace(
        t,
        milestone=line(t.milestone, SHORT_CHARS["milestone"]),
        agency=optional(t.agency, SHORT_CHARS["agency"], one_line=True),
        expression=text(t.expression, TEXT_CHARS),
        evidence=text(t.evidence, TEXT_CHARS),
        anchor=optional(t.anchor, ANCHOR_CHARS, one_line=True),
        assumptions=tuple(line(a, 1000) for a in t.assumptions),
    )


def external_id(value: str) -> str:
    """A source's id for an item, as sightings and the quarantine keep it."""
    return line(value, EXTERNAL_ID_CHARS)


def url(value: str | None) -> str | None:
    """An item's address (or local path), as sightings keep it."""
    return optional(value, URL_CHARS, one_line=True)


def reason(value: str) -> str:
    """A quarantine reason: printable, bounded (the full one is in the log)."""
    return text(value, 2000)


def source_id(value: str) -> str:
    """A source's configured id."""
    return line(value, SOURCE_ID_CHARS)


class Sighted(Protocol):
    """What a source hands over about where an item was seen (RawItem, AgencyItem)."""

    @property
    def source_id(self) -> str: ...
    @property
    def external_id(self) -> str: ...
    @property
    def url(self) -> str | None: ...


def sighting(item: Sighted) -> tuple[str, str, str | None]:
    """An item's source id, external id and address, as a sighting keeps them."""
    return source_id(item.source_id), external_id(item.external_id), url(item.url)
