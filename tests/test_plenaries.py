"""The CHMP plenary calendar and what the rules make of it: "CHMP opinion expected" as the
window of a plenary, only where the calendar has the year."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.domain import Event, Procedure, ProcedureState, Sourced
from tracker.rules.engine import derive
from tracker.rules.plenaries import PLENARIES_FILE, Plenary, dates_label, load_plenaries


def test_calendar_loads_with_its_source() -> None:
    cal = load_plenaries(PLENARIES_FILE)
    assert "ema.europa.eu" in cal.source
    assert cal.containing(date(2025, 10, 14)) == Plenary(date(2025, 10, 13), date(2025, 10, 16))
    assert cal.containing(date(2025, 8, 14)) is None  # no plenary in August
    # Four days from a Monday (a Tuesday after Easter Monday, as in April 2025).
    assert all(p.start.weekday() in (0, 1) and (p.end - p.start).days == 3 for p in cal.plenaries)


@pytest.mark.parametrize(
    ("start", "end", "label"),
    [
        (date(2025, 10, 13), date(2025, 10, 16), "13-16 October 2025"),
        (date(2025, 4, 28), date(2025, 5, 1), "28 April - 1 May 2025"),
        (date(2025, 12, 29), date(2026, 1, 2), "29 December 2025 - 2 January 2026"),
    ],
)
def test_labels(start: date, end: date, label: str) -> None:
    assert dates_label(start, end) == label


@pytest.mark.parametrize(
    ("start", "end", "window"),
    [
        # one day: the last plenary begun by it
        (date(2025, 10, 20), date(2025, 10, 20), ((2025, 10, 13), (2025, 10, 16))),
        (date(2025, 10, 13), date(2025, 10, 13), ((2025, 10, 13), (2025, 10, 16))),
        (date(2025, 10, 12), date(2025, 10, 12), ((2025, 9, 15), (2025, 9, 18))),
        # a window: from the first plenary still meeting to the last begun
        (date(2025, 10, 1), date(2025, 12, 31), ((2025, 10, 13), (2025, 12, 11))),
        (date(2025, 10, 16), date(2025, 11, 9), ((2025, 10, 13), (2025, 10, 16))),
    ],
    ids=["after", "first-day", "day-before", "quarter", "edge"],
)
def test_windows(start: date, end: date, window: tuple[tuple[int, ...], ...]) -> None:
    first, last = load_plenaries(PLENARIES_FILE).window(start, end) or (None, None)
    assert first is not None and last is not None
    assert (first.start, last.end) == (date(*window[0]), date(*window[1]))


def test_no_window_outside_the_calendar() -> None:
    cal = load_plenaries(PLENARIES_FILE)
    assert cal.window(date(2008, 7, 18), date(2008, 7, 18)) is None
    assert cal.window(date(2025, 11, 27), date(2026, 3, 27)) is None
    assert cal.next_after(date(2025, 12, 11)) is None


def _reexamination(grounds_due_by_opinion: date) -> ProcedureState:
    proc = Procedure("acme/zelvora/eu", "Acme", "Zelvora", "EU")
    ev = Event("opinion", "EMA", "negative", "Zelvora", grounds_due_by_opinion, "negative")
    ask = Event("reexamination_request", "EMA", None, "Zelvora", grounds_due_by_opinion, "asked")
    return ProcedureState(
        proc,
        [Sourced(ev, grounds_due_by_opinion, "r1"), Sourced(ask, grounds_due_by_opinion, "r1")],
    )


def test_reexamination_opinion_becomes_a_plenary_window(packs: list) -> None:
    # Negative opinion 2025-05-22; grounds due +60 = 2025-07-21; opinion bound +60 = 09-19.
    out = {
        d.key.rsplit("/", 1)[-1]: d
        for d in derive(_reexamination(date(2025, 5, 22)), packs, date(2025, 5, 23))
    }
    d = out["reexamination-opinion"]
    assert (d.start, d.end) == (date(2025, 9, 15), date(2025, 9, 18))
    assert any(s.label == "plenary" and "15-18 September 2025" in s.text for s in d.steps)


def test_years_without_a_calendar_keep_the_rule_date(packs: list) -> None:
    out = {
        d.key.rsplit("/", 1)[-1]: d
        for d in derive(_reexamination(date(2008, 3, 20)), packs, date(2008, 3, 21))
    }
    d = out["reexamination-opinion"]
    assert d.start == d.end == date(2008, 7, 18)
    assert not any(s.label == "plenary" for s in d.steps)
