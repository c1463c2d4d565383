"""The timeline picture: one strip per procedure, drawn on the server as SVG.

Events are dots, single-day deadlines diamonds, windows bars, estimates hatched; a line marks
today and the months run along the top. Pure: values in, markup out (every text escaped).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from markupsafe import Markup, escape

from tracker.domain import Deadline

LABEL = 240  # width of the procedure names on the left
ROW = 40
AXIS = 30
RIGHT = 12


@dataclass(frozen=True, slots=True)
class Strip:
    """One procedure's row: a label (linked), its events and its deadlines."""

    label: str
    href: str
    events: tuple[tuple[date, str], ...] = ()
    deadlines: tuple[Deadline, ...] = field(default=())


def month_starts(start: date, end: date) -> list[date]:
    """The first day of every month that begins within [start, end]."""
    out = []
    d = date(start.year, start.month, 1)
    if d < start:
        d = _next_month(d)
    while d <= end:
        out.append(d)
        d = _next_month(d)
    return out


def _next_month(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def add_months(d: date, months: int) -> date:
    """The first of the month `months` after d's month (negative: before)."""
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _attr(value: object) -> str:
    return str(escape(str(value)))


def render_svg(
    strips: list[Strip], start: date, end: date, today: date, width: int = 1100
) -> Markup:
    """The SVG of `strips` over [start, end] (inclusive), with today's line if in range."""
    span = max((end - start).days + 1, 1)
    inner = width - LABEL - RIGHT
    height = AXIS + ROW * max(len(strips), 1) + 6

    def x(d: date) -> float:
        return round(LABEL + inner * (d - start).days / span, 1)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 {width} {height}"'
        f' width="100%" role="img" aria-labelledby="tl-title">',
        f'<title id="tl-title">Timeline from {start.isoformat()} to {end.isoformat()}:'
        f" {len(strips)} procedures</title>",
        '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse"'
        ' patternTransform="rotate(45)"><rect width="6" height="6" class="hatch-bg"/>'
        '<line x1="0" y1="0" x2="0" y2="6" class="hatch-line"/></pattern></defs>',
    ]
    months = month_starts(start, end)
    for m in months:
        label = m.strftime("%b") + (f" {m.year}" if m.month == 1 or m == months[0] else "")
        out.append(
            f'<line class="grid" x1="{x(m)}" y1="{AXIS - 8}" x2="{x(m)}" y2="{height}"/>'
            f'<text class="month" x="{x(m) + 3}" y="{AXIS - 12}">{escape(label)}</text>'
        )
    for i, strip in enumerate(strips):
        top = AXIS + ROW * i
        out.append(
            f'<g class="strip"><rect class="row{i % 2}" x="0" y="{top}" width="{width}"'
            f' height="{ROW}"/>'
        )
        out.append(
            f'<a href="{_attr(strip.href)}"><text class="label" x="6" y="{top + 24}">'
            f"{escape(_short(strip.label))}<title>{escape(strip.label)}</title></text></a>"
        )
        for when, what in strip.events:
            if start <= when <= end:
                out.append(
                    f'<circle class="event" cx="{x(when)}" cy="{top + 10}" r="4">'
                    f"<title>{escape(when.isoformat())}: {escape(what)}</title></circle>"
                )
        for d in strip.deadlines:
            out.append(_deadline(d, start, end, top, x))
        out.append("</g>")
    if start <= today <= end:
        tx = x(today) + round(inner / span / 2, 1)
        out.append(
            f'<line class="today" x1="{tx}" y1="{AXIS - 8}" x2="{tx}" y2="{height}"/>'
            f'<text class="today-label" x="{tx + 3}" y="{height - 4}">today</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))


def _short(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _deadline(d: Deadline, start: date, end: date, top: int, place: Callable[[date], float]) -> str:
    """A diamond for a single day, a bar for a window (clipped to the range), hatched when
    the date is an estimate."""
    if d.end < start or d.start > end:
        return ""
    kind = " estimate" if d.estimate else ""
    when = (
        d.end.isoformat() if d.start == d.end else f"{d.start.isoformat()} to {d.end.isoformat()}"
    )
    note = ", estimate" if d.estimate else ""
    tip = f"<title>{escape(when)}: {escape(d.title)} ({escape(d.status)}{note})</title>"
    status = _attr(d.status)
    if d.start == d.end:
        cx, cy = place(d.end), top + 26
        points = f"{cx},{cy - 7} {cx + 6},{cy} {cx},{cy + 7} {cx - 6},{cy}"
        return f'<polygon class="mark {status}{kind}" points="{points}">{tip}</polygon>'
    x0 = place(max(d.start, start))
    x1 = place(min(d.end, end) + timedelta(days=1))
    return (
        f'<rect class="bar {status}{kind}" x="{x0}" y="{top + 20}" width="{max(x1 - x0, 2)}"'
        f' height="12" rx="2">{tip}</rect>'
    )
