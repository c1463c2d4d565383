"""The FDA's own word: Federal Register notices (its public JSON API) and the FDA's advisory
committee calendar pages.

- `federal-register`: a documents query of the Federal Register API (JSON), newest first.
  Only the FDA's documents whose titles say what the tracker reads are taken: advisory
  committee meeting notices (the meeting's date, each application discussed with its
  product and applicant), withdrawals of approval of an application (or of each row of
  a notice's table of applications), priority review
  voucher notices that date a product's approval, and determinations of a product's
  regulatory review period for patent term extension (the day its application was first
  submitted and the day it was approved, as the FDA's records have them). Each document's
  full text is fetched (`raw_text_url`, else `body_html_url`, else `html_url`); a failing
  one is retried with backoff and quarantined after a few tries, one without what its kind
  needs (a meeting notice without a meeting date) is quarantined with the reason.
- `fda-adcomm`: the advisory committee calendar (a page or a feed) linking to one page per
  meeting; each page read like a meeting notice (`AgencyPagesSource`).

Each document's items become agency-sourced events of the FDA procedures they match
(`tracker.agency`, with the applicant required: precision first).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from tracker.domain import RawItem
from tracker.errors import SourceError
from tracker.rules.plenaries import MONTH_NAMES
from tracker.sources.base import Batch, HttpSource, Rejected, SeenCheck, fetching, kept_retries
from tracker.sources.http import Http, RateLimited
from tracker.sources.page import (
    PAGE_RETRY_SECONDS,
    PAGE_TRIES,
    AgencyPagesSource,
    MalformedDocument,
)

if TYPE_CHECKING:
    from tracker.pipeline import Context

FEDERAL_REGISTER = "federal-register"
ADCOMM_PAGE = "fda-adcomm"

_MONTHS = MONTH_NAMES
_MONTH_NO = {m.lower(): i + 1 for i, m in enumerate(_MONTHS)}
_MONTH = "(" + "|".join(_MONTHS) + ")"
# "March 5, 2026", "March 5 and 6, 2026", "March 5-6, 2026", "March 31 and April 1, 2026"
_DAYS = re.compile(
    _MONTH
    + r"\s+(\d{1,2})(?:\s*(?:,|and|-|–|through|to)\s*(?:"
    + _MONTH
    + r"\s+)?(\d{1,2}))?,\s*(\d{4})"
)
_SECTION = re.compile(
    r"\b(DATES|ADDRESSES|FOR FURTHER INFORMATION CONTACT|SUPPLEMENTARY INFORMATION|"
    r"SUMMARY|AGENCY|ACTION)\s*:"
)
_APPLICATION = re.compile(
    r"\b(?:supplemental\s+)?(?:new drug|biologics? license|abbreviated new drug)\s+applications?"
    r"\s*(?:\((?:s?NDA|s?BLA|ANDA)\)\s*)?(?:[\d,\s]*\d\s*)?,?\s+for\s+(?P<what>[^;]+?),?\s+"
    r"(?:submitted|sponsored)\s+by\s+(?P<who>.+?)(?=,\s+(?:for|to|which)\s|\s+for\s+the\s|"
    r";|\.\s|\.$|$)",
    re.IGNORECASE,
)
_TRADE = re.compile(r"proposed trade names?\s+([A-Z][\w-]+(?:\s[A-Z][\w-]+)?)", re.IGNORECASE)
_BRAND = re.compile(r"^\s*([A-Za-z][\w-]*[A-Za-z0-9](?:\s[A-Z][\w-]+)?)\s*[®™]?\s*\(([^)]+)\)")
# Words that end an established name: the dosage form and route.
_FORM_WORDS = frozenset(
    (
        "injection",
        "injections",
        "tablet",
        "tablets",
        "capsule",
        "capsules",
        "oral",
        "solution",
        "suspension",
        "for",
        "intravenous",
        "subcutaneous",
        "intramuscular",
        "use",
        "granules",
        "powder",
        "infusion",
        "extended-release",
        "delayed-release",
        "ophthalmic",
        "topical",
        "cream",
        "gel",
        "inhalation",
        "nasal",
        "spray",
        "kit",
        "film",
        "lyophilized",
        "concentrate",
        "emulsion",
        "patch",
        "system",
        "vaginal",
        "rectal",
    )
)
_PRV = re.compile(
    r"determined that\s+(?P<what>.+?),\s+(?:manufactured|sponsored|submitted|marketed)\s+by\s+"
    r"(?P<who>.+?),\s+meets the criteria",
    re.IGNORECASE | re.DOTALL,
)
_APPROVED_ON = re.compile(r"\bapproved\b[^.]{0,80}?\b(?:on\s+)?" + _DAYS.pattern, re.IGNORECASE)
_WITHDRAWN = re.compile(
    r"^(?P<who>[^;]+);\s*withdrawal of approval of (?:an?\s+|one\s+)?(?:new drug|biologics? "
    r"license|abbreviated new drug)\s+application\s+for\s+(?P<what>.+)$",
    re.IGNORECASE,
)
_WITHDRAWN_AS_OF = re.compile(r"withdrawn as of\s+" + _DAYS.pattern, re.IGNORECASE)
# A regulatory review period determination (35 U.S.C. 156): the product in the title, the
# dates the FDA determined in numbered lines ("2. The date the application was initially
# submitted with respect to the human drug product under section 505(b) ...: May 4, 2020."),
# the patent owner who asked ("a patent term restoration application for X (U.S. Patent No.
# N) from Acme Pharma Inc., and the USPTO requested ..."). The gap before the colon may not
# cross a sentence ("U.S.C. 355" may).
_ONE_DAY = _MONTH + r"\s+(\d{1,2}),\s*(\d{4})"
_NO_SENTENCE = r"(?:(?!\.\s+[A-Z])[^:]){0,300}"
_REVIEW_TITLE = re.compile(
    r"regulatory review period for purposes? of patent (?:extension|term restoration)\s*;\s*"
    r"(?P<what>.+)$",
    re.IGNORECASE,
)
_REVIEW_SUBMITTED = re.compile(
    r"\b(?:the\s+)?date\s+(?:the|an)\s+(?:[\w()-]+\s+){0,4}?(?:application|petition)\s+was\s+"
    r"(?:initially\s+|first\s+)?submitted\b" + _NO_SENTENCE + r":\s*" + _ONE_DAY,
    re.IGNORECASE,
)
_REVIEW_APPROVED = re.compile(
    r"\b(?:the\s+)?date\s+(?:the|an)\s+(?:[\w()-]+\s+){0,4}?(?:application|NDA|BLA|PMA)\s+"
    r"was\s+approved\b" + _NO_SENTENCE + r":\s*" + _ONE_DAY,
    re.IGNORECASE,
)
_REVIEW_OWNER = re.compile(
    r"patent term restoration application for\s+.{1,300}?\bfrom\s+(?P<who>[^;]{1,300}?),?\s+and\s+"
    r"(?:the\s+)?(?:USPTO|United States Patent)",
    re.IGNORECASE,
)
# Kinds of notice the tracker leaves unread although they name a product: a proposal or an
# opportunity for a hearing is no act yet, and a product "not withdrawn from sale for
# reasons of safety or effectiveness" left the market without its application changing.
_UNREAD = (
    "opportunity for a hearing",
    "opportunity for hearing",
    "proposal to",
    "withdrawn from sale",
)
_MARKS = "®™*©"


@dataclass(frozen=True, slots=True)
class FdaItem:
    """One act a document reports: an advisory committee meeting on an application, a
    withdrawal of approval, an approval."""

    type: str  # advisory_meeting | withdrawal | approval | submission
    outcome: str | None
    product: str
    substance: str | None
    applicant: str | None
    date: date
    evidence: str


@dataclass(frozen=True, slots=True)
class FdaDocument:
    """A Federal Register notice or an advisory committee meeting page, read."""

    kind: str  # federal-register | fda-adcomm
    number: str
    title: str
    published: date | None
    start: date | None  # the meeting's first day
    end: date | None
    items: tuple[FdaItem, ...] = field(default=())
    skipped: tuple[str, ...] = ()

    def digest(self) -> str:
        """What identifies this reading: a corrected notice with other items is another."""
        data = {
            "kind": self.kind,
            "number": self.number,
            "items": [{**asdict(i), "date": i.date.isoformat()} for i in self.items],
        }
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


class MalformedNotice(MalformedDocument):
    """A document that does not say what its kind needs; the message says why."""


def notice_kind(title: str) -> str | None:
    """What a Federal Register title announces that the tracker reads: "meeting",
    "withdrawal", "voucher", "review-period"; None for anything else (a cancelled meeting, a
    proposal to withdraw approval among them)."""
    low = " ".join(title.lower().split())
    if "cancel" in low or "postpone" in low or any(w in low for w in _UNREAD):
        return None
    if "regulatory review period" in low and "patent" in low:
        return "review-period"
    if "advisory committee" in low and ("meeting" in low or "notice" in low):
        return "meeting"
    if "withdrawal of approval" in low:
        return "withdrawal"
    if "priority review voucher" in low:
        return "voucher"
    return None


def _clean(text: str) -> str:
    text = "".join(ch for ch in text if ch not in _MARKS)
    return " ".join(text.split()).strip(" ,;:.")


def _date(month: str, day: str, year: str) -> date | None:
    try:
        return date(int(year), _MONTH_NO[month.lower()], int(day))
    except (KeyError, ValueError):
        return None


def meeting_days(text: str) -> tuple[date, date] | None:
    """The meeting's first and last day, from the DATES section (else the whole text):
    "The meeting will be held on March 5 and 6, 2026"."""
    flat = " ".join(text.split())
    amended = re.search(r"(?:will now be held|new date[^.]*?is)\s+(?:on\s+)?(.{0,60})", flat, re.I)
    scope = [amended.group(1)] if amended else []
    m = re.search(r"\bDATES\s*:(.*?)(?=" + _SECTION.pattern + r"|$)", flat)
    scope += [m.group(1)] if m else []
    scope.append(flat)
    for part in scope:
        found = _DAYS.search(part)
        if found is None:
            continue
        month1, day1, month2, day2, year = found.groups()
        start = _date(month1, day1, year)
        end = _date(month2 or month1, day2, year) if day2 else start
        if start is None or end is None or end < start or (end - start).days > 7:
            return None
        return start, end
    return None


def product_of(what: str) -> tuple[str, str | None]:
    """(product, active substance) of "ZELVORA (tovaprimab) injection", "tovaprimab injection,
    for subcutaneous use" (the substance names it), "tovaprimab, proposed trade name Zelvora"."""
    what = " ".join(what.split())
    trade = _TRADE.search(what)
    brand = _BRAND.match(what)
    if brand and brand.group(1).lower() not in _FORM_WORDS:
        substance = _established(brand.group(2))
        return _clean(brand.group(1)), substance
    substance = _established(what)
    if trade:
        return _clean(trade.group(1)), substance
    return substance or _clean(what), substance


def _established(text: str) -> str | None:
    words = []
    for w in re.split(r"\s+", text.split(",")[0].strip()):
        if w.lower().strip("()") in _FORM_WORDS:
            break
        words.append(w)
    name = _clean(" ".join(words))
    return name or None


def _sentence(text: str, at: int) -> str:
    """The sentence around position `at` (evidence, verbatim up to whitespace)."""
    before = text.rfind(". ", 0, at)
    start = before + 2 if before >= 0 else 0
    end = text.find(". ", at)
    return text[start : (end + 1 if end >= 0 else len(text))].strip()[:1500]


def read_notice(
    kind: str, number: str, title: str, text: str, published: date | None
) -> FdaDocument:
    """Read an FDA document (a Federal Register notice's title and text, or a meeting page);
    raises MalformedNotice naming what is missing."""
    what = notice_kind(title) if kind == FEDERAL_REGISTER else "meeting"
    flat = " ".join(text.split())
    where = "Federal Register" if kind == FEDERAL_REGISTER else "FDA advisory committee calendar"
    head = f"FDA, {where}, {' '.join(title.split())[:200]}"
    short = repr(title[:120])
    skipped: list[str] = []
    start = end = None
    if what == "meeting":
        days = meeting_days(flat)
        if days is None:
            raise MalformedNotice(f"no meeting date in the notice ({short})")
        start, end = days
        items = _meeting_items(flat, start, end, head, skipped)
    elif what == "withdrawal":
        items = _withdrawal(title, text, flat, head, short, skipped)
    elif what == "voucher":
        items = _approval(flat, head, short, skipped)
    elif what == "review-period":
        items = _review_period(title, flat, head, short, skipped)
    else:
        raise MalformedNotice(f"not a kind of FDA notice the tracker reads ({short})")
    return FdaDocument(kind, number, title, published, start, end, tuple(items), tuple(skipped))


def _meeting_items(
    flat: str, day: date, last: date, head: str, skipped: list[str]
) -> list[FdaItem]:
    """Each application the meeting discusses, dated by its session's day."""
    items = []
    for m in _APPLICATION.finditer(flat):
        product, substance = product_of(m.group("what"))
        if not product:
            skipped.append(f"{m.group(0)[:80]}: no product named")
            continue
        who = _clean(m.group("who"))[:300] or None
        sentence = _sentence(flat, m.start())
        when = _session_day(sentence, day, last)
        evidence = f"{head}: {sentence}"[:2000]
        items.append(
            FdaItem("advisory_meeting", None, product[:300], substance, who, when, evidence)
        )
    return items


def _session_day(sentence: str, first: date, last: date) -> date:
    """The day of the meeting's session an application is discussed at ("On March 6, 2026,
    the committee will discuss ..."), else the meeting's first day."""
    for m in _DAYS.finditer(sentence):
        day = _date(m.group(1), m.group(2), m.group(5))
        if day is not None and first <= day <= last:
            return day
    return first


def _withdrawal(
    title: str, text: str, flat: str, head: str, short: str, skipped: list[str]
) -> list[FdaItem]:
    """The applications whose approval a notice withdraws, dated as the notice says: the one
    its title names, or each row of its table ("...; Withdrawal of Approval of 14 New Drug
    Applications", the holders' applications listed as Application No. / Drug / Applicant)."""
    as_of = _WITHDRAWN_AS_OF.search(flat)
    when = _date(as_of.group(1), as_of.group(2), as_of.group(5)) if as_of else None
    if as_of is None or when is None:
        raise MalformedNotice(f"no date the approval is withdrawn as of ({short})")
    said = _sentence(flat, as_of.start())
    named = _WITHDRAWN.match(" ".join(title.split()))
    if named is not None:
        product, substance = product_of(named.group("what"))
        who = _clean(named.group("who"))[:300] or None
        evidence = f"{head}: {said}"[:2000]
        return [FdaItem("withdrawal", None, product[:300], substance, who, when, evidence)]
    if not _WITHDRAWN_SEVERAL.search(" ".join(title.split())):
        raise MalformedNotice(f"the withdrawal names no application ({short})")
    rows = withdrawal_rows(text)
    if not rows:
        raise MalformedNotice(f"the withdrawal's table of applications could not be read ({short})")
    items = []
    for number, drug, holder in rows:
        product, substance = product_of(drug)
        if not product:
            skipped.append(f"{number}: no product named")
            continue
        who = _holder(holder)
        evidence = (
            f"{head}: {number}, {' '.join(drug.split())}, {who or 'holder not named'}. {said}"
        )
        items.append(
            FdaItem("withdrawal", None, product[:300], substance, who, when, evidence[:2000])
        )
    return items


# A notice withdrawing several applications lists them in a table, which the Federal
# Register's plain text lays out in fixed columns: a row starts with the application's
# number, and a long drug name or address wraps onto the lines below in its own column.
_WITHDRAWN_SEVERAL = re.compile(
    r";\s*withdrawal of approval of (?:\d+|[a-z-]+)\s+(?:new drug|biologics? license|"
    r"abbreviated new drug)\s+applications\b",
    re.IGNORECASE,
)
_ROW = re.compile(r"^\s*(?P<number>(?:A?NDA|BLA)\s*\d{5,6})\b", re.IGNORECASE)
_CELL = re.compile(r"\S+(?: \S+)*")  # a column's text: words one space apart
_LEADER = re.compile(r"\.{3,}|\|")
_ADDRESS = re.compile(r",\s+(?=\d|P\.\s?O\.|c/o\b|Attn|Suite\b|One\s+[A-Z])")


def withdrawal_rows(text: str) -> list[tuple[str, str, str]]:
    """(application number, drug, holder) of each row of a withdrawal notice's table, wrapped
    lines joined to their column; an empty list when the text holds no such table."""
    rows: list[tuple[str, list[str], list[str]]] = []
    drug_at = holder_at = -1
    for line in text.splitlines():
        line = _LEADER.sub(lambda m: " " * len(m.group(0)), line.expandtabs())
        if not line.strip() or set(line.strip()) <= set("-_="):
            if rows and drug_at >= 0:
                drug_at = holder_at = -1  # a row's wrapped lines end at a blank line
            continue
        row = _ROW.match(line)
        if row is not None:
            number = " ".join(row.group("number").upper().split())
            rest = list(_cells(" " * row.end() + line[row.end() :]))
            if not rest:
                continue
            drug_at = rest[0][0]
            holder_at = rest[1][0] if len(rest) > 1 else -1
            holder = [c for _at, c in rest[1:]]
            rows.append((number, [rest[0][1]], holder))
        elif rows and drug_at >= 0:
            _number, drug, holder = rows[-1]
            for at, c in _cells(line):
                if holder_at >= 0 and at >= holder_at - 2:
                    holder.append(c)
                elif at >= drug_at - 2:
                    drug.append(c)
    return [(n, " ".join(d), " ".join(h)) for n, d, h in rows]


def _cells(line: str) -> Iterator[tuple[int, str]]:
    """(column, text) of each stretch of a table line, stretches two spaces apart."""
    for m in _CELL.finditer(line):
        yield m.start(), m.group(0)


def _holder(cell: str) -> str | None:
    """The holder's name from its table cell, without the address that follows it."""
    name = _ADDRESS.split(" ".join(cell.split()), maxsplit=1)[0]
    return _clean(name)[:300] or None


def _approval(flat: str, head: str, short: str, skipped: list[str]) -> list[FdaItem]:
    """The approval a priority review voucher notice dates (none when it states no date)."""
    named = _PRV.search(flat)
    if named is None:
        raise MalformedNotice(f"the voucher notice names no product ({short})")
    product, substance = product_of(named.group("what"))
    approved = _APPROVED_ON.search(flat)
    when = _date(approved.group(1), approved.group(2), approved.group(5)) if approved else None
    if when is None:
        skipped.append(f"{product}: the approval's date is not stated")
        return []
    who = _clean(named.group("who"))[:300] or None
    evidence = f"{head}: {_sentence(flat, named.start())}"[:2000]
    return [FdaItem("approval", "positive", product[:300], substance, who, when, evidence)]


def _review_period(
    title: str, flat: str, head: str, short: str, skipped: list[str]
) -> list[FdaItem]:
    """A regulatory review period determination: the application's first submission and its
    approval, each dated as the FDA determined it (not as the applicant claimed), for the
    product the title names and the patent owner who applied."""
    named = _REVIEW_TITLE.search(" ".join(title.split()))
    if named is None:
        raise MalformedNotice(f"the review period determination names no product ({short})")
    product, substance = _review_product(named.group("what"), flat)
    if not product:
        raise MalformedNotice(f"the review period determination names no product ({short})")
    owner = _REVIEW_OWNER.search(flat)
    who = (_clean(owner.group("who"))[:300] or None) if owner else None
    found: dict[str, tuple[date, str]] = {}
    for kind, pattern in (("submission", _REVIEW_SUBMITTED), ("approval", _REVIEW_APPROVED)):
        m = pattern.search(flat)
        when = _date(m.group(1), m.group(2), m.group(3)) if m else None
        if m is None or when is None:
            skipped.append(f"{product}: the date of its {kind} is not stated")
            continue
        found[kind] = (when, f"{m.group(0)}.")
    if not found:
        raise MalformedNotice(f"no submission or approval date in the determination ({short})")
    if "submission" in found and "approval" in found and found["approval"] < found["submission"]:
        raise MalformedNotice(f"the approval precedes the submission ({short})")
    return [
        FdaItem(
            kind,
            "positive" if kind == "approval" else None,
            product[:300],
            substance,
            who,
            when,
            f"{head}: {line}"[:2000],
        )
        for kind, (when, line) in found.items()
    ]


def _review_product(what: str, flat: str) -> tuple[str, str | None]:
    """(product, active substance) of a determination: the title's name ("ZELVORA", or
    "ZELVORA (tovaprimab)"), its substance from the title or from the text's first
    "ZELVORA (tovaprimab)" that is no patent number."""
    what = " ".join(what.split())
    if "(" in what:
        return product_of(what)
    product = _clean(what)
    if not product:
        return "", None
    for m in re.finditer(re.escape(product) + r"\s*[®™]?\s*\(([^)]{1,200})\)", flat, re.I):
        inner = m.group(1)
        if not re.search(r"patent|\bNo\.|\d{3}", inner, re.IGNORECASE):
            return product, _established(inner)
    return product, None


def _iso(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _is_fda(result: dict[str, Any]) -> bool:
    """The FDA's document (by its `agencies`; a listing without them was chosen by the query)."""
    if "agencies" not in result:
        return True
    for a in result.get("agencies") or []:
        if isinstance(a, dict):
            name = f"{a.get('name', '')} {a.get('slug', '')} {a.get('raw_name', '')}".lower()
            if "food and drug" in name or "food-and-drug" in name:
                return True
    return False


def _text_of(body: bytes) -> str:
    """Plain text of a fetched full text (the API's raw text, or an HTML page)."""
    head = body[:1000].lstrip().lower()
    raw = body.decode("utf-8", "replace")
    if head.startswith((b"<!doctype", b"<html", b"<")):
        from bs4 import BeautifulSoup

        return BeautifulSoup(raw, "html.parser").get_text(" ")
    return raw


def parse_item(body: bytes) -> FdaDocument:
    """Read a stored Federal Register item (what `FederalRegisterSource` delivers)."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as e:
        raise MalformedNotice(f"not a Federal Register item: {e}") from e
    return read_notice(
        FEDERAL_REGISTER,
        str(data.get("document_number", "")),
        str(data.get("title", "")),
        str(data.get("text", "")),
        _iso(data.get("publication_date")),
    )


class FederalRegisterSource(HttpSource):
    """A Federal Register API documents query (`url`, JSON): the FDA's notices it reads."""

    def fetch(self, cursor: dict[str, Any], now: datetime, seen: SeenCheck) -> Batch:
        """New notices since the last fetch; a 304 yields only those waiting for a retry."""
        http = Http(self.http_settings, self.id, self.transport)
        batch = Batch(cursor=dict(cursor))
        retry = kept_retries(cursor, now)
        batch.cursor["retry"] = retry
        with fetching(batch, self.id, self.url, http):
            r = http.get(self.url, cursor.get("etag"), cursor.get("modified"))
            retried = set()
            for number, entry in list(retry.items()):  # documents whose text failed before
                if not entry.get("gave_up") and now.timestamp() >= float(entry.get("next", 0)):
                    retried.add(number)
                    self._document(http, number, entry["result"], now, batch)
            if r.status == 304:
                return batch
            results = self._results(r.body)
            batch.cursor.update(etag=r.etag, modified=r.last_modified)
            for i, result in enumerate(results[: self.http_settings.max_items]):
                if not isinstance(result, dict):
                    batch.rejected.append(
                        Rejected(self.id, f"result-{i}", f"{self.url}: result {i} is no object")
                    )
                    continue
                number = str(result.get("document_number") or "").strip()
                title = str(result.get("title") or "").strip()
                if not number or not title:
                    digest = hashlib.sha256(json.dumps(result, sort_keys=True).encode())
                    batch.rejected.append(
                        Rejected(
                            self.id,
                            f"result-{digest.hexdigest()[:16]}",
                            f"{self.url}: result {i} has no document_number or title",
                        )
                    )
                    continue
                if not _is_fda(result) or notice_kind(title) is None:
                    continue  # another agency's, or nothing the tracker reads
                if seen(self.id, number) or number in retry or number in retried:
                    continue  # read, waiting, quarantined, or fetched just now
                self._document(http, number, result, now, batch)
        return batch

    def _results(self, body: bytes) -> list[Any]:
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError) as e:
            raise SourceError(self.id, f"{self.url}: not JSON ({e})") from e
        if not isinstance(data, dict) or not isinstance(data.get("results", []), list):
            raise SourceError(
                self.id, f"{self.url}: not a Federal Register documents listing (no results list)"
            )
        return list(data.get("results") or [])

    def _document(
        self, http: Http, number: str, result: dict[str, Any], now: datetime, batch: Batch
    ) -> None:
        """One notice: its full text fetched, retried with backoff when that fails."""
        retry = batch.cursor["retry"]
        link = result.get("raw_text_url") or result.get("body_html_url") or result.get("html_url")
        if not link:
            batch.rejected.append(
                Rejected(self.id, number, f"{number}: the listing gives no address of its text")
            )
            return
        try:
            text = _text_of(http.get(str(link)).body)
        except RateLimited:
            raise
        except SourceError as e:
            tries = int(retry.get(number, {}).get("tries", 0)) + 1
            waiting = {"result": result, "tries": tries, "at": now.timestamp(), "error": str(e)}
            if "HTTP 404" in str(e) or tries >= PAGE_TRIES:
                retry[number] = {**waiting, "next": 0, "gave_up": True}
                more = f" (tried {tries} times)" if tries > 1 else ""
                batch.rejected.append(Rejected(self.id, number, f"{e}{more}"))
            else:
                retry[number] = {
                    **waiting,
                    "next": now.timestamp() + PAGE_RETRY_SECONDS * 4 ** (tries - 1),
                }
            return
        retry.pop(number, None)
        published = _iso(result.get("publication_date"))
        try:
            read_notice(FEDERAL_REGISTER, number, str(result["title"]), text, published)
        except MalformedNotice as e:
            # Quarantined once: not fetched again at each poll (`tracker sources retry` does).
            retry[number] = {
                "result": result,
                "tries": 1,
                "at": now.timestamp(),
                "error": str(e),
                "next": 0,
                "gave_up": True,
            }
            batch.rejected.append(Rejected(self.id, number, f"{number}: {e}"))
            return
        body = json.dumps(
            {
                "document_number": number,
                "title": result["title"],
                "type": result.get("type"),
                "publication_date": result.get("publication_date"),
                "html_url": result.get("html_url"),
                "text": text,
            }
        ).encode()
        url = str(result.get("html_url") or link)
        batch.items.append(RawItem(self.id, number, f"{number}.json", body, now, url=url))

    def ingest(self, ctx: Context, item: RawItem, now: datetime, session: Any = None) -> str:
        """Store a notice as an agency document and match its items."""
        from tracker.agency import ingest_document

        return ingest_document(ctx, item, parse_item(item.body), now, session=session)


class FdaCalendarSource(AgencyPagesSource):
    """The FDA's advisory committee calendar (`url`): each linked meeting page one agency
    document dating the meeting of the applications it names."""

    default_link = r"advisory-committee|meeting-announcement|committee meeting"

    def read(self, body: bytes, url: str) -> FdaDocument:
        """A meeting page: its heading names the meeting, its text the day and agenda."""
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(body, "html.parser")
        heading = soup.find("h1") or soup.find("title")
        title = " ".join((heading or soup).get_text(" ", strip=True).split())
        main = soup.find("main") or soup.find("article") or soup.body or soup
        text = main.get_text(" ")
        # The heading's date first: "March 5, 2026: Meeting of the ... Committee".
        return read_notice(ADCOMM_PAGE, url, title, f"DATES: {title}. {text}", None)

    def check(self, body: bytes) -> None:
        """A page without a meeting day is quarantined with the reason."""
        self.read(body, self.url)

    def ingest(self, ctx: Context, item: RawItem, now: datetime, session: Any = None) -> str:
        """Store a meeting page as an agency document and match its items."""
        from tracker.agency import ingest_document

        doc = self.read(item.body, item.url or item.name)
        return ingest_document(ctx, item, doc, now, session=session)
