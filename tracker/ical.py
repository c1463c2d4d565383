"""iCalendar output, built with the `ics` package behind this one module.

Where `ics` 0.7 falls short of RFC 5545 or of calendar clients, this module makes the output
right: DTSTAMP on every event, lines folded at 75 octets, events in a fixed order (so bytes
and ETags are stable), all-day dates written directly (arrow's day arithmetic is slow), and
the calendar properties clients read for refresh and naming.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta

import ics
from ics.grammar.parse import ContentLine

from tracker.domain import Deadline
from tracker.templating import environment

# ics 0.7 calls str() on alarms internally and warns about its own call.
warnings.filterwarnings("ignore", message="Behaviour of str", category=FutureWarning)

PRODID = "-//regulatory-deadline-tracker//tracker//EN"
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_STATUS_PREFIX = {
    "met": "Done: ",
    "passed": "Passed (no news): ",
    "missed": "Missed: ",
    "cancelled": "Cancelled: ",
    "superseded": "Moved (superseded): ",
}


def uid_for(key: str) -> str:
    """The event UID of a deadline: derived from its key, so it never changes."""
    return hashlib.sha256(key.encode()).hexdigest()[:32] + "@deadline-tracker"


def summary_for(d: Deadline) -> str:
    """What is due and for which product; says so when it is done, moved, an estimate or a
    window (some clients hide STATUS:CANCELLED, so the words carry it too)."""
    flags = (("est.", d.estimate), ("window", d.start != d.end), ("set by hand", bool(d.hand_set)))
    marks = [m for m, on in flags if on]
    suffix = f" ({', '.join(marks)})" if marks else ""
    return f"{_STATUS_PREFIX.get(d.status, '')}{d.title}{suffix}"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def build_event(d: Deadline) -> ics.Event:
    """The VEVENT of one deadline (alarms are added by `_event_lines`)."""
    stamp = _stamp(d.updated_at or _EPOCH)
    event = ics.Event(
        name=clean_text(summary_for(d)),
        uid=uid_for(d.key),
        description=clean_text(environment().get_template("ics/description.txt").render(d=d)),
    )
    last = d.end + timedelta(days=1)  # DTEND of an all-day event is exclusive
    event.extra.extend(
        [
            ContentLine("DTSTART", {"VALUE": ["DATE"]}, d.start.strftime("%Y%m%d")),
            ContentLine("DTEND", {"VALUE": ["DATE"]}, last.strftime("%Y%m%d")),
            ContentLine("DTSTAMP", value=stamp),
            ContentLine("LAST-MODIFIED", value=stamp),
            ContentLine("SEQUENCE", value=str(d.revision)),
            ContentLine("TRANSP", value="TRANSPARENT"),
        ]
    )
    if d.status in ("cancelled", "superseded"):
        event.status = "CANCELLED"
    elif d.estimate:
        event.status = "TENTATIVE"
    else:
        event.status = "CONFIRMED"
    return event


def _alarm_lines(d: Deadline, alarms: tuple[int, ...]) -> list[str]:
    """VALARMs at the lead times, for open deadlines only. Written directly: the `ics`
    serializer introspects every component and costs more than the rest of the event."""
    if d.status != "open":
        return []
    text = _text(summary_for(d))
    out: list[str] = []
    for days in sorted(alarms, reverse=True):
        out += [
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            f"DESCRIPTION:{text}",
            f"TRIGGER:-P{days}D",
            "END:VALARM",
        ]
    return out


def iter_calendar(
    deadlines: Iterable[Deadline],
    name: str = "Regulatory deadlines",
    description: str = "Procedural deadlines derived from regulatory press releases",
    alarms: Iterable[int] = (),
    refresh_minutes: int = 60,
) -> Iterator[str]:
    """A VCALENDAR a piece at a time, events in the order given (lines folded at 75 octets,
    CRLF endings): a feed of any size is written or hashed without holding it whole."""
    ttl = f"PT{refresh_minutes}M"
    head = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_text(name)}",
        f"X-WR-CALDESC:{_text(description)}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{ttl}",
        f"X-PUBLISHED-TTL:{ttl}",
    ]
    yield "".join(_fold(line) + "\r\n" for line in head)
    alarms = tuple(sorted(set(alarms)))
    for d in deadlines:
        yield _event_text(d, alarms)
    yield "END:VCALENDAR\r\n"


def build_calendar(
    deadlines: Iterable[Deadline],
    name: str = "Regulatory deadlines",
    description: str = "Procedural deadlines derived from regulatory press releases",
    alarms: Iterable[int] = (),
    refresh_minutes: int = 60,
) -> str:
    """A whole VCALENDAR with its events sorted by UID, whatever the order given."""
    ordered = sorted(deadlines, key=lambda d: uid_for(d.key))
    return "".join(iter_calendar(ordered, name, description, alarms, refresh_minutes))


# Serialised events by their content: a feed rebuilt after one change re-serialises one
# event. Keyed by what identifies a deadline's content (its revision and stamp, its status as
# of today, and a hash of every field), not by the deadline itself, which would keep every
# deadline ever served alive.
_CACHE: dict[tuple[object, ...], str] = {}
_CACHE_LIMIT = 50_000


_END = "END:VEVENT\r\n"


def _event_text(d: Deadline, alarms: tuple[int, ...]) -> str:
    """One VEVENT, folded; the alarms (cheap) are added to the cached event (not), so every
    feed and the published file share one cache entry per deadline."""
    key = (d.key, d.revision, d.updated_at, d.status, hash(d))
    text = _CACHE.get(key)
    if text is None:
        raw = build_event(d).serialize()
        lines = raw.replace("\r\n", "\n").strip("\n").split("\n")
        text = "".join(_fold(line) + "\r\n" for line in lines)
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.clear()
        _CACHE[key] = text
    extra = _alarm_lines(d, alarms)
    if not extra:
        return text
    return text[: -len(_END)] + "".join(_fold(line) + "\r\n" for line in extra) + _END


# What a TEXT value may not carry (RFC 5545 3.3.11: no control character but HTAB; a line
# break is the escape \n): C0 controls, DEL and C1 controls. CR and CRLF become a line break.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BREAKS = re.compile("\r\n?|[\x85\u2028\u2029]")


def clean_text(value: str) -> str:
    """A TEXT value as a calendar may carry it: line breaks of any kind become \\n, every
    other control character (a raw CR included) is removed, whatever the value's origin."""
    if value.isprintable():
        return value
    return _CONTROLS.sub("", _BREAKS.sub("\n", value))


def _text(value: str) -> str:
    """Clean and escape a TEXT value (RFC 5545 3.3.11)."""
    value = clean_text(value)
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 3.1), only between whole characters: never
    inside a UTF-8 sequence, never between a backslash and the character it escapes (some
    readers unescape before they unfold)."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts, start, limit = [], 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:  # a continuation byte
            end -= 1
        if end < len(data):
            run = 0  # backslashes just before the fold: an odd run ends in an escape's start
            while end - run > start and data[end - run - 1] == 0x5C:
                run += 1
            if run % 2:
                end -= 1
        parts.append(data[start:end])
        start, limit = end, 74  # continuation lines start with a space
    return b"\r\n ".join(parts).decode("utf-8")
