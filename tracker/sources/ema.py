"""EMA's CHMP meeting highlights: a listing (an RSS or Atom feed, or a news page) links to one
highlights page per monthly plenary, which lists the committee's positive and negative
opinions, re-examination outcomes and withdrawn applications, with the plenary's dates.

Each page is one agency document: its items become agency-sourced events of the procedures
they are matched to (`tracker.agency`), never a company release read by the extractor. The
page is read with BeautifulSoup: headings name the kind of their items, and the items are
list entries, table rows (with a header row naming the columns) or paragraphs that start
with the product's name in bold.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tracker.domain import RawItem
from tracker.rules.plenaries import MONTH_NAMES, dates_label
from tracker.sources.page import AgencyPagesSource, MalformedDocument

if TYPE_CHECKING:
    from tracker.pipeline import Context

DEFAULT_LINK = r"highlights"
_MONTHS = {m.lower(): i + 1 for i, m in enumerate(MONTH_NAMES)}
_SPAN = re.compile(
    r"(\d{1,2})(?:\s+([A-Za-z]+))?(?:\s+(\d{4}))?\s*(?:-|–|—|to)\s*(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})"
)
_MARKS = "®™*©"
_APPLICANT = re.compile(
    r"(?:marketing authorisation applicant|applicant|marketing authorisation holder|holder)"
    r"\s*[:\-–]?\s*(.+?)(?=;|\s\|\s|,\s+(?-i:[a-z])|\s+for the\s|$)",
    re.IGNORECASE,
)
_SUBSTANCE = re.compile(
    r"(?:inn|active substance|common name)\s*[:\-–]?\s*(.+?)(?=;|\s\|\s|,\s|\.\s|$)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class AgencyItem:
    """One item of a highlights page."""

    type: str  # opinion | reexamination_outcome | withdrawal
    outcome: str | None
    product: str
    substance: str | None
    applicant: str | None
    evidence: str
    extension: bool = False


@dataclass(frozen=True, slots=True)
class Highlights:
    """A CHMP meeting-highlights page, read."""

    title: str
    start: date
    end: date
    published: date | None
    items: tuple[AgencyItem, ...] = field(default=())
    skipped: tuple[str, ...] = ()  # items that could not be read, with why

    @property
    def label(self) -> str:
        """The plenary's dates as EMA writes them."""
        return dates_label(self.start, self.end)

    def digest(self) -> str:
        """What identifies this reading: a corrected page with other items is another."""
        data = {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "items": [asdict(i) for i in self.items],
        }
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


class MalformedPage(MalformedDocument):
    """A page that is not a readable highlights page; the message says why."""


def parse_highlights(html: bytes | str) -> Highlights:
    """Read a highlights page; raises MalformedPage naming what is missing."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    heading = soup.find("h1")
    title = " ".join((heading or soup.find("title") or soup).get_text(" ", strip=True).split())
    span = _plenary_dates(title)
    if span is None:
        raise MalformedPage(
            f"no plenary dates in the page's title ({title[:120]!r}): not a CHMP highlights page"
        )
    start, end = span
    label = dates_label(start, end)
    items: list[AgencyItem] = []
    skipped: list[str] = []
    sections = 0
    for h in soup.find_all(["h2", "h3", "h4"]):
        kind = _section_kind(h.get_text(" ", strip=True))
        if kind is None:
            continue
        sections += 1
        for block in _blocks(h):
            try:
                item = _item(block, kind, label)
            except MalformedPage as e:
                skipped.append(str(e))
                continue
            if item is not None:
                items.append(item)
    if not sections:
        raise MalformedPage(
            "no section of opinions, re-examinations or withdrawals: not a CHMP highlights page"
        )
    return Highlights(title, start, end, _published(soup), tuple(items), tuple(skipped))


def _plenary_dates(text: str) -> tuple[date, date] | None:
    m = _SPAN.search(text)
    if not m:
        return None
    d1, mon1, y1, d2, mon2, y2 = m.groups()
    month2 = _MONTHS.get(mon2.lower())
    month1 = _MONTHS.get(mon1.lower()) if mon1 else month2
    if month1 is None or month2 is None:
        return None
    try:
        end = date(int(y2), month2, int(d2))
        start = date(int(y1) if y1 else end.year, month1, int(d1))
    except ValueError:
        return None
    if start > end or (end - start).days > 7:
        return None
    return start, end


def _published(soup: Any) -> date | None:
    t = soup.find("time", attrs={"datetime": True})
    if t is not None:
        try:
            return date.fromisoformat(str(t["datetime"])[:10])
        except ValueError:
            return None
    return None


def _section_kind(text: str) -> tuple[str, str | None, bool] | None:
    """(event type, outcome, extension) for a heading that lists items; None otherwise."""
    low = text.lower()
    if "re-examination" in low or "reexamination" in low:
        return ("reexamination_outcome", None, False)
    if "withdraw" in low:
        return ("withdrawal", None, False)
    if "negative" in low:
        return ("opinion", "negative", False)
    if "extension" in low:
        return ("opinion", "positive", True)
    if any(
        w in low
        for w in ("positive", "recommended for approval", "new medicine", "biosimilar", "generic")
    ):
        return ("opinion", "positive", False)
    return None


def _blocks(heading: Any) -> list[Any]:
    """The items under a heading, up to the next heading of the same or a higher level."""
    level = int(heading.name[1])
    out: list[Any] = []
    for el in heading.find_all_next():
        if el.name in ("h1", "h2", "h3", "h4") and int(el.name[1]) <= level:
            break
        if el.name == "table":
            out.extend(_rows(el))
        elif (el.name == "li" or (el.name == "p" and el.find(["strong", "b"]))) and (
            el.find_parent("table") is None
        ):
            out.append(el)
    return out


def _rows(table: Any) -> list[Any]:
    rows = table.find_all("tr")
    if not rows:
        return []
    header = [c.get_text(" ", strip=True).lower() for c in rows[0].find_all(["th", "td"])]
    if not rows[0].find("th"):
        header = []
    return [("row", header, r) for r in rows[1:] if r.find("td")] if header else []


def _clean(text: str) -> str:
    text = "".join(ch for ch in text if ch not in _MARKS)
    return " ".join(text.split()).strip(" ,;:.")


def _item(block: Any, kind: tuple[str, str | None, bool], label: str) -> AgencyItem | None:
    etype, outcome, extension = kind
    if isinstance(block, tuple):
        _tag, header, row = block
        cells = [c.get_text(" ", strip=True) for c in row.find_all("td")]
        fields: dict[str, str] = {}
        for name, value in zip(header, cells, strict=False):
            if any(w in name for w in ("inn", "substance", "common name")):
                fields["substance"] = value
            elif any(w in name for w in ("applicant", "holder", "company")):
                fields["applicant"] = value
            elif "outcome" in name or "opinion" in name:
                fields["outcome"] = value
            elif any(w in name for w in ("medicine", "product", "name")):
                fields.setdefault("product", value)
        text = " | ".join(cells)
        product = _clean(fields.get("product", ""))
        substance = _clean(fields.get("substance", "")) or None
        applicant = _clean(fields.get("applicant", "")) or None
        said = fields.get("outcome", text)
    else:
        text = " ".join(block.get_text(" ", strip=True).split())
        bold = block.find(["strong", "b"])
        product = _clean(bold.get_text(" ", strip=True)) if bold else ""
        if not product:
            m = re.match(r"([A-Z][\w-]+(?:\s[A-Z][\w-]+){0,3})", text)
            product = _clean(m.group(1)) if m else ""
        after = text.split(product, 1)[1] if product and product in text else text
        paren = re.match(r"\s*[®™*]*\s*\(([^)]+)\)", after)
        sub = _SUBSTANCE.search(text)
        substance = _clean(paren.group(1)) if paren else (_clean(sub.group(1)) if sub else None)
        app = _APPLICANT.search(text)
        applicant = _clean(app.group(1)) if app else None
        said = text
    if not product:
        return None
    if etype == "reexamination_outcome":
        outcome = _reexamination_outcome(said)
        if outcome is None:
            raise MalformedPage(f"{product}: the re-examination's outcome is not stated")
    evidence = f"EMA, CHMP meeting highlights of {label}: {text}"[:2000]
    return AgencyItem(etype, outcome, product, substance, applicant, evidence, extension)


def _reexamination_outcome(text: str) -> str | None:
    low = text.lower()
    if "confirm" in low and ("negative" in low or "refus" in low):
        return "negative"
    if "positive" in low or ("recommend" in low and "grant" in low):
        return "positive"
    if "negative" in low or "refus" in low:
        return "negative"
    return None


class EmaHighlightsSource(AgencyPagesSource):
    """CHMP meeting highlights linked from a listing (`url`): each page one agency document."""

    default_link = DEFAULT_LINK

    def check(self, body: bytes) -> None:
        """A page that is not a highlights page is quarantined with the reason."""
        parse_highlights(body)

    def name_of(self, url: str) -> str:
        """The page's last path segment, as HTML."""
        return _name(url)

    def ingest(self, ctx: Context, item: RawItem, now: datetime, session: Any = None) -> str:
        """Store a highlights page as an agency document and match its items."""
        from tracker.agency import ingest_highlights

        return ingest_highlights(ctx, item, parse_highlights(item.body), now, session=session)

    def done(self, item: RawItem, outcome: str, error: str | None) -> None:
        """Nothing to clean up."""


def _name(url: str) -> str:
    last = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1] or "highlights"
    return last if last.endswith((".html", ".htm")) else f"{last}.html"
