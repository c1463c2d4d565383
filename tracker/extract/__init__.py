"""Read a release: its dateline, issuer, product, regulatory events and stated timelines.

`extract(name, data)` is pure: no clock, no database, no network.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from tracker.domain import Extraction, ReleaseInfo, Sentence, Timeline
from tracker.extract import aliases, dates, text
from tracker.extract.clauses import FUTURE_HINT, PAST_VERB
from tracker.extract.events import EventReader
from tracker.extract.lexicon import LEXICON
from tracker.extract.release import (
    fingerprint,
    issuer_of,
    language_of,
    product_of,
    release_date_of,
    title_of,
    yearless_dateline,
)
from tracker.extract.timelines import TimelineReader

__all__ = ["READ_LANGUAGES", "extract", "extract_text", "fingerprint", "release_date_of"]

# Languages the lexicon reads in full (CONTRACT.md: English and French).
READ_LANGUAGES = ("en", "fr")


def extract(name: str, data: bytes) -> Extraction:
    """Extract everything from one document's bytes; `name` decides how it is decoded."""
    doc = text.load(name, data)
    warnings = (
        (
            f"document truncated: only its first {text.MAX_BYTES:,} bytes and "
            f"{text.MAX_CHARS:,} characters are read",
        )
        if doc.truncated
        else ()
    )
    return extract_text(
        name, doc.text, subject=doc.subject, date_header=doc.date_header, warnings=warnings
    )


def extract_text(
    name: str,
    body: str,
    subject: str | None = None,
    date_header: str | None = None,
    warnings: tuple[str, ...] = (),
) -> Extraction:
    """Extract from already-decoded text."""
    dates.forget()  # the date cache serves one document, so timings are per document
    clean = body_text = text.normalise(body)
    sents = text.sentences(clean, normalised=True)
    clean = text.for_matching(clean)  # sentences keep the document's characters
    if subject:
        sents = [Sentence(-1, text.normalise(subject)), *sents]
    release_date = release_date_of(clean) or (
        dates.parse_full_date(date_header) if date_header else None
    )
    if release_date is None and (day_month := yearless_dateline(clean)):
        year = year_of_dateline(clean, *day_month)
        if year is not None:
            release_date = date(year, *day_month)
            warnings += (
                f"the dateline gives no year: {year} is the only one the text's dates leave",
            )
    language = language_of(clean)
    company, ticker = issuer_of(clean)
    found = aliases.read(sents, company)
    product = product_of(sents, found)
    info = ReleaseInfo(release_date, company, ticker, subject or title_of(clean), product, language)
    sha = fingerprint(clean)
    if language not in READ_LANGUAGES:
        extra = (f"language '{language}' is not supported; only the release date was read",)
        return Extraction(name, info, (), (), sha, warnings + extra, found, text=body_text)
    if release_date is None:
        return replace(
            _undated(name, info, sents, clean, product, sha, warnings, found), text=body_text
        )
    reader = _Reader(sents, release_date, product)
    events = reader.events()
    timelines = reader.timelines(events)
    return Extraction(
        name, info, tuple(events), tuple(timelines), sha, warnings, found, text=body_text
    )


_FULL_DATE = re.compile(
    r"\b(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?,? "
    r"(?:19|20)\d\d|\d{1,2}(?:st|nd|rd|th)? (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
    r"[a-z]*\.?,? (?:19|20)\d\d)\b",
    re.IGNORECASE,
)


_NO_DAY = date(2099, 12, 31)


def _undated(
    name: str,
    info: ReleaseInfo,
    sents: list[Sentence],
    clean: str,
    product: str | None,
    sha: str,
    warnings: tuple[str, ...],
    found: Any,
) -> Extraction:
    """A release without a dateline date (a page copy that lost it): its events are read,
    dated only by dates the text gives in full ("submitted on April 15, 2011"), never by the
    unknown release date. The day it speaks from is taken as the latest full date it tells
    as done; a full date it tells as ahead ("the PDUFA goal date is February 17, 2012", "a
    meeting scheduled for October 16") is after that day, and stays a deadline. Timelines
    that count from the unknown day ("within 60 days", "next month") are not guessed."""
    note = ("no release date found: events are dated only where the text dates them",)
    stated = _told_days(clean)
    done = [d for d, ahead in stated if not ahead]
    told_days = {d for d, _ in stated}
    if done:
        ref = max(done)
    elif stated:
        ref = min(d for d, _ in stated) - timedelta(days=1)
    else:
        ref = _NO_DAY  # with no full date at all, acts are still read, but none is dated
    reader = _Reader(sents, ref, product)
    # An act dated by words that count from the unknown day ("today", "this week") moves
    # when that day does; one the text dates in full stays. Read once more a day later, and
    # keep only the dates that did not move.
    moved = {
        (e.type, e.agency, e.outcome, e.evidence, e.date)
        for e in _Reader(sents, ref + timedelta(days=1), product).events()
    }
    events = [
        replace(e, date=None)
        if not stated
        or (e.why and "dated by the release date" in e.why)
        or (e.type, e.agency, e.outcome, e.evidence, e.date) not in moved
        else e
        for e in reader.events()
    ]
    timelines: tuple[Timeline, ...] = ()
    if stated:
        timelines = tuple(
            t
            for t in reader.timelines(events)
            if (
                t.start > ref
                and (
                    (t.anchor is None and _YEAR_TOLD.search(t.expression))
                    # counted from a day the text gives ("a two-month review of the
                    # resubmission filed on January 21, 2010"), not from the unknown day,
                    # nor from an act the text names but does not date (its day assumed)
                    or (
                        t.anchor not in (None, "release")
                        and t.anchor_date in told_days
                        and not t.assumptions
                    )
                )
            )
            # "the December 28 PDUFA date", "our PDUFA date in January": a day or a month
            # that holds a day the text gives in full and tells as ahead
            or (
                t.anchor is None
                and t.end > ref
                and (t.end - t.start).days <= 31
                and any(t.start <= d <= t.end and d > ref for d in told_days)
            )
        )
    else:
        # No full date at all: a period with its year that the sentence tells as ahead
        # ("a decision is anticipated in June 2021", "attendu au troisième trimestre 2024").
        ref = _EARLIEST
        early = _Reader(sents, ref, product)
        read = early.timelines(early.events())
        kept = [
            t
            for t in read
            if t.anchor is None and _YEAR_TOLD.search(t.expression) and _told_ahead(t)
        ]
        # A step counted from one of those ("responding by mid 2011 ... a six-month review
        # once our response is filed"): its anchor is a day the text gives, not the release.
        steps = {d for t in kept for d in (t.start, t.end)}
        kept += [t for t in read if t.anchor is not None and t.anchor_date in steps]
        timelines = tuple(kept)
    reference = ref if timelines else None
    return Extraction(name, info, tuple(events), timelines, sha, warnings + note, found, reference)


_GOAL_DAYS = LEXICON.cues["goal_days"].pattern
_GOAL_DAYS_AFTER = LEXICON.cues["goal_days_after"].pattern
_MOVED_TO = LEXICON.cues["moved_to_day"].pattern
_DUE_BY = LEXICON.cues["due_by"].pattern


def _told_days(clean: str) -> list[tuple[date, bool]]:
    """Every full date the text gives, and whether its clause tells it as ahead."""
    low = clean.lower()
    stated: list[tuple[date, bool]] = []
    for m in _FULL_DATE.finditer(clean):
        day = dates.parse_full_date(m.group(0))
        if day is None:
            continue
        lead = _lead(low, m.start())
        ahead = (
            bool(FUTURE_HINT.search(lead))
            or bool(_MEETING_ON.search(lead) and not PAST_VERB.search(lead))
            # "resulting in PDUFA dates of December 27, and December 28, 2016": the dates a
            # goal names are ahead, however the sentence around them is told
            or bool(_GOAL_DAYS.search(low, max(0, m.start() - 60), m.start()))
            or bool(_GOAL_DAYS_AFTER.match(low[m.end() : m.end() + 60]))
            # "extended ... from October 24, 2014 to January 24, 2015": the new day is ahead
            or bool(_MOVED_TO.search(low, max(0, m.start() - 220), m.start()))
            # "the regulator allowed the sponsor to send its answers by October 2": a day to act by
            or bool(_DUE_BY.search(lead))
        )  # "Announces Advisory Committee Meeting On November 14": a meeting to come
        stated.append((day, ahead))
    return stated


def _lead(low: str, at: int) -> str:
    """The words of the clause that lead to position `at`."""
    lead = low[max(0, at - 100) : at].replace("\n", " ")
    return _CLAUSE_BREAK.split(lead)[-1]


def year_of_dateline(clean: str, month: int, day: int) -> int | None:
    """The year of a dateline that gives none ("Aug. 2 /PRNewswire/"), where the text's own
    dates leave only one: after every day it tells as done (a full date, or a month told in
    the past: "In January 2007, the company licensed"), before every day it tells as ahead
    ("The PDUFA action date is December 22, 2007"). None when no bound or several years fit
    (CONTRACT.md: the year only where the text states it beyond doubt)."""
    low = clean.lower()
    told = _told_days(clean)
    done = [d for d, ahead in told if not ahead]
    ahead = [d for d, is_ahead in told if is_ahead]
    for x in dates.find(low, date(2000, 1, 1), None):
        if x.kind == "window" and x.has_year and x.start and x.end:
            lead = _lead(low, x.pos)
            tail = re.split(r"[.;]\s", low[x.endpos : x.endpos + 120], maxsplit=1)[0]
            opening = not lead.strip(" ,(") or lead.strip() in ("in", "during", "on", "by")
            if (
                (PAST_VERB.search(lead) and not FUTURE_HINT.search(lead))
                or (opening and PAST_VERB.search(tail) and not FUTURE_HINT.search(tail))
                or (  # "In January 2007, the company licensed": a month told in the past
                    _BEFORE_ACT_NOUN.search(lead) and _ACT_NOUN_AFTER.match(low, x.endpos)
                )
            ):  # "the response to the July 2007 approvable letter": a past act's month
                done.append(x.start)
            elif FUTURE_HINT.search(lead) and not PAST_VERB.search(lead):
                ahead.append(x.end)
    if not done or not ahead:
        return None
    low_bound, high_bound = max(done), min(ahead)
    if high_bound < low_bound or (high_bound - low_bound).days > 550:
        return None
    years = [
        y
        for y in range(low_bound.year, high_bound.year + 1)
        if (d := dates._safe_date(y, month, day)) and low_bound <= d <= high_bound
    ]
    return years[0] if len(years) == 1 else None


_CLAUSE_BREAK = re.compile(r"[.;,]\s|\s(?:and|but|which|while)\s")
# A month used as the adjective of a named act ("the July 2007 approvable letter").
_BEFORE_ACT_NOUN = re.compile(r"\b(?:the|its|their|our)\s*$")
_ACT_NOUN_AFTER = re.compile(
    r"\s+(?:[\w-]+\s+){0,2}?(?:letter|opinion|approval|submission|filing|response|meeting)\b"
)
_MEETING_ON = re.compile(r"\b(?:meeting|hearing|explanation)\s+(?:on|for)\s+$")
_EARLIEST = date(1900, 1, 1)


def _told_ahead(t: Timeline) -> bool:
    """Whether the words before a timeline's expression, in its sentence, tell it as ahead."""
    low = t.evidence.lower()
    at = low.find(t.expression.lower())
    return at >= 0 and bool(FUTURE_HINT.search(low[max(0, at - 120) : at]))


_YEAR_TOLD = re.compile(r"\b(?:19|20)\d\d\b")


class _Reader(EventReader, TimelineReader):
    """Reads the sentences of one release against its release date."""
