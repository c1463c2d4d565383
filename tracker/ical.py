"""iCalendar output: one all-day event per deadline, byte-stable for the same data."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime

import ics
from ics.grammar.parse import ContentLine

from tracker.domain import Deadline
from tracker.templating import environment

PRODID = "-//regulatory-deadline-tracker//tracker//EN"
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def uid_for(key: str) -> str:
    """The event UID of a deadline: derived from its key, so it never changes."""
    return hashlib.sha256(key.encode()).hexdigest()[:32] + "@deadline-tracker"


def summary_for(d: Deadline) -> str:
    """What is due, for which product, marked when it is an estimate."""
    prefix = "[estimate] " if d.estimate else ""
    status = "" if d.status == "open" else f" ({d.status})"
    return f"{prefix}{d.title}{status}"


def build_event(d: Deadline) -> ics.Event:
    """The VEVENT of one deadline."""
    stamp = d.updated_at or _EPOCH
    event = ics.Event(
        name=summary_for(d),
        begin=d.start,
        uid=uid_for(d.key),
        description=environment().get_template("ics/description.txt").render(d=d),
        created=stamp,
        last_modified=stamp,
    )
    if d.end > d.start:
        event.end = d.end  # inclusive last day; make_all_day adds the exclusive day
    event.make_all_day()
    event.extra.append(ContentLine(name="SEQUENCE", value=str(d.revision)))
    if d.status in ("cancelled", "superseded"):
        event.status = "CANCELLED"
    elif d.estimate:
        event.status = "TENTATIVE"
    else:
        event.status = "CONFIRMED"
    event.extra.append(ContentLine(name="TRANSP", value="TRANSPARENT"))
    return event


def build_calendar(deadlines: Iterable[Deadline], name: str = "Regulatory deadlines") -> str:
    """A whole VCALENDAR, events sorted by UID, lines folded at 75 octets, CRLF endings."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{name}",
    ]
    events = sorted((build_event(d) for d in deadlines), key=lambda e: e.uid)
    for event in events:
        lines.extend(event.serialize().replace("\r\n", "\n").strip("\n").split("\n"))
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def _fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character (RFC 5545 3.1)."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts, current, limit = [], b"", 75
    for ch in line:
        b = ch.encode("utf-8")
        if len(current) + len(b) > limit:
            parts.append(current.decode("utf-8"))
            current, limit = b"", 74
        current += b
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)
