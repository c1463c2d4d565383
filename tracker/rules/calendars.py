"""Working-day calendars per authority and the named roll conventions."""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import holidays

from tracker.errors import RulePackError

logger = logging.getLogger(__name__)

CALENDARS_DIR = Path(__file__).resolve().parents[2] / "config" / "calendars"
# EMA moved from London to Amsterdam; its closure days followed each city (RULES.md CNT-EU-7).
EMA_MOVED = date(2019, 3, 11)


@dataclass
class BusinessCalendar:
    """Weekends plus holidays: a `holidays` country calendar and/or closure tables by year."""

    name: str
    country: Callable[[int], holidays.HolidayBase] | None = None
    closures: dict[int, set[date]] = field(default_factory=dict)
    fallback: Callable[[date], holidays.HolidayBase] | None = None
    extra: set[date] = field(default_factory=set)
    warnings: set[str] = field(default_factory=set)

    def is_business_day(self, d: date) -> bool:
        """True if the authority works on that day."""
        if d.weekday() >= 5:
            return False
        if self.country is not None and d in self.country(d.year):
            return False
        if self.closures or self.fallback:
            if d.year in self.closures:
                return d not in self.closures[d.year]
            if self.fallback is not None:
                self._warn_missing(d.year)
                return d not in self.fallback(d) and d not in self.extra
        return True

    def _warn_missing(self, year: int) -> None:
        message = (
            f"calendar '{self.name}': no closure table for {year}; "
            "national holidays of the seat used instead"
        )
        if message not in self.warnings:
            self.warnings.add(message)
            logger.warning("%s", message)

    def table_gaps(self, start: date, end: date) -> list[int]:
        """Years between two dates for which this calendar has no closure table."""
        if self.fallback is None:
            return []
        lo, hi = sorted((start, end))
        return [y for y in range(lo.year, hi.year + 1) if y not in self.closures]

    def add_business_days(self, d: date, n: int) -> date:
        """Move n working days from d (n may be negative); d itself is day 0."""
        step = 1 if n >= 0 else -1
        remaining = abs(n)
        while remaining:
            d += timedelta(days=step)
            if self.is_business_day(d):
                remaining -= 1
        return d

    def roll(self, d: date, convention: str) -> date:
        """Apply a named roll convention (see config/rules/README.md)."""
        return ROLLS[convention](self, d)


def _roll_none(cal: BusinessCalendar, d: date) -> date:
    return d


def _roll_next(cal: BusinessCalendar, d: date) -> date:
    while not cal.is_business_day(d):
        d += timedelta(days=1)
    return d


def _roll_previous(cal: BusinessCalendar, d: date) -> date:
    while not cal.is_business_day(d):
        d -= timedelta(days=1)
    return d


def _roll_modified_following(cal: BusinessCalendar, d: date) -> date:
    nxt = _roll_next(cal, d)
    return nxt if nxt.month == d.month else _roll_previous(cal, d)


ROLLS: dict[str, Callable[[BusinessCalendar, date], date]] = {
    "none": _roll_none,
    "next-working-day": _roll_next,
    "previous-working-day": _roll_previous,
    "modified-following": _roll_modified_following,
}


@lru_cache(maxsize=64)
def _country(
    code: str, subdiv: str | None, categories: tuple[str, ...], year: int
) -> holidays.HolidayBase:
    return holidays.country_holidays(code, subdiv=subdiv, years=year, categories=categories)


def _country_calendar(
    code: str, subdiv: str | None = None, categories: tuple[str, ...] = ("public",)
) -> Callable[[int], holidays.HolidayBase]:
    return lambda year: _country(code, subdiv, categories, year)


def _closure_table(name: str) -> tuple[dict[int, set[date]], set[date]]:
    """Full-year closure lists and one-off extra closures from config/calendars/<name>.toml."""
    path = CALENDARS_DIR / f"{name}.toml"
    if not path.exists():
        return {}, set()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise RulePackError(str(path), None, f"invalid TOML: {e}") from e
    table: dict[int, set[date]] = {}
    for year, days in data.get("closures", {}).items():
        table[int(year)] = {_day(path, d, int(year)) for d in days}
    extra = {
        _day(path, d, int(y)) for y, days in data.get("extra_closures", {}).items() for d in days
    }
    return table, extra


def _day(path: Path, value: object, year: int) -> date:
    d = value if isinstance(value, date) else None
    if d is None or d.year != year:
        raise RulePackError(str(path), None, f"{value!r} is not a date of {year}")
    return d


def _ema_seat(d: date) -> holidays.HolidayBase:
    if d < EMA_MOVED:
        return _country("GB", "ENG", ("public",), d.year)
    return _country("NL", None, ("public",), d.year)


def _ec_seat(d: date) -> holidays.HolidayBase:
    return _country("BE", None, ("public",), d.year)


# US federal: `public` plus `government` (ad-hoc closures by executive order).
_US_FEDERAL = ("public", "government")


@lru_cache(maxsize=16)
def get_calendar(name: str) -> BusinessCalendar:
    """The calendar a pack names: ema, ec, us-federal, sec, gb-eng, ca, jp."""
    if name in ("ema", "ec"):
        closures, extra = _closure_table(name)
        seat = _ema_seat if name == "ema" else _ec_seat
        return BusinessCalendar(name, closures=closures, fallback=seat, extra=extra)
    if name in ("us-federal", "sec"):
        # Good Friday is not a federal holiday, so the SEC is open on it (RULES.md SEC-8K).
        return BusinessCalendar(name, country=_country_calendar("US", None, _US_FEDERAL))
    if name == "gb-eng":
        return BusinessCalendar(name, country=_country_calendar("GB", "ENG"))
    if name == "ca":
        return BusinessCalendar(name, country=_country_calendar("CA", "ON"))
    if name == "jp":
        return BusinessCalendar(name, country=_country_calendar("JP"))
    if name == "weekends":
        return BusinessCalendar(name)
    raise KeyError(name)


CALENDAR_NAMES = ("ema", "ec", "us-federal", "sec", "gb-eng", "ca", "jp", "weekends")
