"""The CHMP plenary calendar (`config/calendars/chmp-plenaries.toml`): the days of each
monthly meeting, where the committee adopts its opinions. Pure once loaded."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from tracker.errors import RulePackError
from tracker.rules.calendars import CALENDARS_DIR

PLENARIES_FILE = CALENDARS_DIR / "chmp-plenaries.toml"
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True, slots=True, order=True)
class Plenary:
    """One CHMP meeting: its first and last day."""

    start: date
    end: date

    @property
    def label(self) -> str:
        """How EMA names it: "13-16 October 2025" (or "28 April - 1 May 2025")."""
        return dates_label(self.start, self.end)


def dates_label(start: date, end: date) -> str:
    """A span of days as EMA writes a meeting's dates."""
    last = f"{end.day} {MONTH_NAMES[end.month - 1]} {end.year}"
    if (start.year, start.month) == (end.year, end.month):
        return last if start == end else f"{start.day}-{last}"
    first = f"{start.day} {MONTH_NAMES[start.month - 1]}" + (
        f" {start.year}" if start.year != end.year else ""
    )
    return f"{first} - {last}"


@dataclass(frozen=True, slots=True)
class PlenaryCalendar:
    """Every known plenary, in order, with the calendar's source."""

    plenaries: tuple[Plenary, ...]
    source: str
    years: frozenset[int]

    def covers(self, d: date) -> bool:
        """True if the calendar holds the meetings of `d`'s year."""
        return d.year in self.years

    def containing(self, d: date) -> Plenary | None:
        """The plenary meeting on `d`."""
        return next((p for p in self.plenaries if p.start <= d <= p.end), None)

    def last_on_or_before(self, d: date) -> Plenary | None:
        """The last plenary that has begun by `d` (an opinion due by `d` is adopted there)."""
        if not self.covers(d):
            return None
        before = [p for p in self.plenaries if p.start <= d]
        return before[-1] if before else None

    def first_ending_on_or_after(self, d: date) -> Plenary | None:
        """The first plenary still meeting on or after `d`."""
        if not self.covers(d):
            return None
        return next((p for p in self.plenaries if p.end >= d), None)

    def next_after(self, d: date) -> Plenary | None:
        """The first plenary that begins after `d` (None beyond the calendar)."""
        hit = next((p for p in self.plenaries if p.start > d), None)
        return hit if hit is not None and self.covers(hit.start) else None

    def window(self, start: date, end: date) -> tuple[Plenary, Plenary] | None:
        """The plenaries an opinion expected from `start` to `end` can be adopted at: the
        first still meeting on `start` and the last begun by `end`; for one day, the last
        plenary begun by it (twice). None where the calendar has no table."""
        if start == end:
            p = self.last_on_or_before(end)
            return (p, p) if p else None
        first, last = self.first_ending_on_or_after(start), self.last_on_or_before(end)
        if first is None or last is None or last < first:
            return None
        return first, last


@lru_cache(maxsize=4)
def load_plenaries(path: Path = PLENARIES_FILE) -> PlenaryCalendar:
    """The plenary calendar of a file (cached); an empty one when there is no file."""
    if not path.exists():
        return PlenaryCalendar((), "", frozenset())
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        out: list[Plenary] = []
        years: set[int] = set()
        for year, spans in data.get("plenaries", {}).items():
            years.add(int(year))
            for first, last in spans:
                if not (isinstance(first, date) and isinstance(last, date) and first <= last):
                    raise ValueError(f"{year}: [{first}, {last}] is not a span of days")
                if first.year != int(year):
                    raise ValueError(f"{year}: {first} is in another year")
                out.append(Plenary(first, last))
    except (tomllib.TOMLDecodeError, ValueError, TypeError) as e:
        raise RulePackError(str(path), None, f"plenary calendar: {e}") from e
    source = str(data.get("source", "")) + (
        f" <{data['source_url']}>" if data.get("source_url") else ""
    )
    return PlenaryCalendar(tuple(sorted(out)), source, frozenset(years))
