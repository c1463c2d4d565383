"""Temporal expressions resolve as CONTRACT.md's table says."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tracker.extract.dates import (
    OFFSET_LEADS,
    STATED_OFFSET_LEAD,
    add_offset,
    find,
    parse_full_date,
)

REF = date(2008, 3, 20)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("in the third quarter of this year", date(2008, 7, 1), date(2008, 9, 30)),
        ("in q3 2008", date(2008, 7, 1), date(2008, 9, 30)),
        ("in 3q08", date(2008, 7, 1), date(2008, 9, 30)),
        ("by 3q08", date(2008, 9, 30), date(2008, 9, 30)),  # "by" a period: its last day
        ("by june 2024", date(2024, 6, 30), date(2024, 6, 30)),
        ("by 2009", date(2009, 12, 31), date(2009, 12, 31)),
        ("in the first half of 2008", date(2008, 1, 1), date(2008, 6, 30)),
        ("by the end of the third quarter of 2008", date(2008, 9, 30), date(2008, 9, 30)),
        ("before the end of q3 2008", date(2008, 9, 30), date(2008, 9, 30)),
        ("by the end of the first half of 2009", date(2009, 6, 30), date(2009, 6, 30)),
        ("in the second half of 2008", date(2008, 7, 1), date(2008, 12, 31)),
        ("in 1h 2009", date(2009, 1, 1), date(2009, 6, 30)),
        ("in early 2009", date(2009, 1, 1), date(2009, 4, 30)),
        ("by mid-2009", date(2009, 8, 31), date(2009, 8, 31)),
        ("in late 2009", date(2009, 9, 1), date(2009, 12, 31)),
        ("towards the end of 2009", date(2009, 9, 1), date(2009, 12, 31)),
        ("in june 2024", date(2024, 6, 1), date(2024, 6, 30)),
        ("in early june 2024", date(2024, 6, 1), date(2024, 6, 10)),
        ("in mid june 2024", date(2024, 6, 11), date(2024, 6, 20)),
        ("in late june 2024", date(2024, 6, 21), date(2024, 6, 30)),
        ("by the end of june 2024", date(2024, 6, 30), date(2024, 6, 30)),
        ("in 2009", date(2009, 1, 1), date(2009, 12, 31)),
        ("during 2009", date(2009, 1, 1), date(2009, 12, 31)),
        ("by year-end 2008", date(2008, 12, 31), date(2008, 12, 31)),
        ("before the end of 2008", date(2008, 12, 31), date(2008, 12, 31)),
        ("later this month", date(2008, 3, 21), date(2008, 3, 31)),
        ("next month", date(2008, 4, 1), date(2008, 4, 30)),
        ("between july and september", date(2008, 7, 1), date(2008, 9, 30)),
        ("pdufa date of june 28, 2024", date(2024, 6, 28), date(2024, 6, 28)),
        ("on 28 june 2024", date(2024, 6, 28), date(2024, 6, 28)),
        ("on 6/28/2024", date(2024, 6, 28), date(2024, 6, 28)),
        ("on 2024-06-28", date(2024, 6, 28), date(2024, 6, 28)),
        ("on 28-jun-2024", date(2024, 6, 28), date(2024, 6, 28)),
        ("on mar. 25", date(2008, 3, 25), date(2008, 3, 25)),
        ("today", REF, REF),
        ("yesterday", date(2008, 3, 19), date(2008, 3, 19)),
        ("on wednesday this week", date(2008, 3, 19), date(2008, 3, 19)),
        # French, by the same conventions
        ("d'ici la fin de l'année 2008", date(2008, 12, 31), date(2008, 12, 31)),
        ("avant la fin de l'année", date(2008, 12, 31), date(2008, 12, 31)),
        ("fin 2009", date(2009, 9, 1), date(2009, 12, 31)),
        ("à la mi-2009", date(2009, 5, 1), date(2009, 8, 31)),
        ("début 2009", date(2009, 1, 1), date(2009, 4, 30)),
        ("courant 2009", date(2009, 1, 1), date(2009, 12, 31)),
        ("au cours de l'année 2009", date(2009, 1, 1), date(2009, 12, 31)),
        ("en 2009", date(2009, 1, 1), date(2009, 12, 31)),
        ("au second semestre 2008", date(2008, 7, 1), date(2008, 12, 31)),
        ("au premier semestre 2009", date(2009, 1, 1), date(2009, 6, 30)),
        ("au troisième trimestre 2008", date(2008, 7, 1), date(2008, 9, 30)),
        ("fin juin 2008", date(2008, 6, 30), date(2008, 6, 30)),
        ("début juin 2008", date(2008, 6, 1), date(2008, 6, 10)),
        ("lors de sa réunion du 24 au 27 juin 2008", date(2008, 6, 24), date(2008, 6, 27)),
        ("à la mi-juin", date(2008, 6, 11), date(2008, 6, 20)),
        ("during the week of april 11, 2011", date(2011, 4, 11), date(2011, 4, 17)),
        ("by the end of the month", date(2008, 3, 31), date(2008, 3, 31)),
        ("on 03.04.2008", date(2008, 4, 3), date(2008, 4, 3)),
        ("around mid-year", date(2008, 5, 1), date(2008, 8, 31)),
        ("at the end of next month", date(2008, 4, 30), date(2008, 4, 30)),
        ("by the end of the quarter", date(2008, 3, 31), date(2008, 3, 31)),
        ("by the end of next quarter", date(2008, 6, 30), date(2008, 6, 30)),
    ],
)
def test_expression_resolves(text: str, start: date, end: date) -> None:
    (mention, *_) = [m for m in find(text, REF, future=True) if m.start is not None]
    assert (mention.start, mention.end) == (start, end)


# One example of every pattern kind of the date table: each resolves without error (a
# resolver reading a group of another pattern once crashed on every French half year).
KIND_EXAMPLES = {
    "iso": "on 2024-06-28",
    "mdy_num": "on 6/28/2024",
    "dmy_spaced": "on 28 / 06 / 2024",
    "season": "in spring 2009",
    "period_end": "by the end of the month",
    "dmy_dot": "on 28.06.2024",
    "mid_year": "around mid-year",
    "dmy_dash": "on 28-jun-2024",
    "between_months": "between july and september",
    "day_range": "between 17th and 20th october",
    "mday_range": "october 17-20",
    "dmy_fr": "le 12 septembre 2008",
    "end_month_fr": "d'ici la fin du mois de juin 2009",
    "part_month_fr": "début juin 2008",
    "day_range_fr": "du 24 au 27 juin 2008",
    "part_year_fr": "courant 2009",
    "month_year_fr": "en octobre 2008",
    "quarter_fr": "au premier trimestre 2009",
    "half_fr": "au second semestre 2008",
    "week_of": "in the week of april 11, 2011",
    "mdy": "on june 28, 2024",
    "dmy": "on 28 june 2024",
    "quarter": "in the third quarter of 2008",
    "quarter_short": "in q3 2008",
    "half": "in the second half of 2008",
    "half_short": "in 2h 2008",
    "part_month": "in late june 2024",
    "year_end": "by year-end 2008",
    "part_year": "in late 2009",
    "month_year": "in june 2024",
    "month_rel": "in june next year",
    "quarter_last": "in the last quarter of 2024",
    "later_this": "later this month",
    "earlier_this": "earlier this month",
    "rel_word": "next month",
    "weekday": "on wednesday this week",
    "day_n": "at day 120",
    "offset": "within 60 days",
    "month_only": "in june",
    "year": "in 2009",
}


def test_every_kind_of_the_date_table_has_a_working_example() -> None:
    from tracker.extract.dates import _PATTERNS

    assert {name for name, _ in _PATTERNS} == set(KIND_EXAMPLES)
    for kind, example in KIND_EXAMPLES.items():
        assert find(example, REF, future=True), (kind, example)


def test_year_less_month_in_the_future_goes_to_next_year() -> None:
    (m,) = find("expects a decision in february", date(2008, 11, 3), future=True)
    assert (m.start, m.end) == (date(2009, 2, 1), date(2009, 2, 28))


def test_fiscal_periods_are_not_dated() -> None:
    (m,) = find("in the third quarter of fiscal 2008", REF, future=True)
    assert m.fiscal and m.start is None


@pytest.mark.parametrize("text", ["in the coming weeks", "soon", "in due course"])
def test_vague_words_are_not_dates(text: str) -> None:
    assert [m for m in find(text, REF, True) if m.start] == []


def test_offset_is_reported_with_its_unit() -> None:
    (m,) = find("within 60 days of receipt", REF)
    assert (m.kind, m.amount, m.unit) == ("offset", 60, "day")


@pytest.mark.parametrize(("lead", "stated"), OFFSET_LEADS)
def test_every_offset_lead_widens_the_offset_and_says_whether_it_states_a_limit(
    lead: str, stated: bool
) -> None:
    # One table serves both readers: the offset's text starts at the lead, and the
    # timeline reader's test of that text agrees with the row's flag.
    words = re.sub(r"\(\?:[^)]*\)\??|\[[^]]*\]", lambda m: _first(m.group()), lead)
    found = [
        x
        for unit in ("days", "jours")
        for x in find(f"the step takes place {words} 30 {unit} later", REF)
        if x.kind == "offset"
    ]
    m = found[0]
    assert m.text.startswith(words), (lead, m.text)
    assert bool(STATED_OFFSET_LEAD.match(m.text)) is stated


def _first(group: str) -> str:
    """One spelling a regex fragment of the lead table accepts: '(?:with)?' is 'with'."""
    if group.startswith("["):
        return group[1]
    return group[3:].split(")")[0].split("|")[0]


@pytest.mark.parametrize(
    ("anchor", "amount", "unit", "expected"),
    [
        (date(2024, 1, 31), 1, "month", date(2024, 2, 29)),  # clamps to month end, leap year
        (date(2023, 1, 31), 1, "month", date(2023, 2, 28)),
        (date(2008, 3, 20), 60, "day", date(2008, 5, 19)),
        (date(2010, 12, 28), 4, "week", date(2011, 1, 25)),
        (date(2025, 3, 3), 30, "business_day", date(2025, 4, 14)),  # a Monday: six weeks
        (date(2025, 3, 7), 1, "business_day", date(2025, 3, 10)),  # Friday to Monday
        (date(2025, 3, 8), 5, "business_day", date(2025, 3, 14)),  # from a Saturday
        (date(2025, 3, 10), -1, "business_day", date(2025, 3, 7)),  # backwards
    ],
)
def test_add_offset(anchor: date, amount: int, unit: str, expected: date) -> None:
    assert add_offset(anchor, amount, unit) == expected


def test_every_unit_the_finder_reads_can_be_counted() -> None:
    """A unit the date finder reports but the counter does not know stopped a whole release
    ("a targeted timeframe of 150 working days ... from the day the dossier is accepted")."""
    from tracker.extract import dates

    for unit in dates._PLAUSIBLE:
        add_offset(date(2025, 3, 3), 3, unit)


def test_a_review_clock_in_working_days_is_read_without_a_date() -> None:
    """ "a targeted timeframe of 150 working days for evaluation" stopped the whole release
    (a unit the counter did not know); like any offset in business days it now gives no
    date, since the text names no calendar of closures, and the rest is read."""
    from tracker.extract import extract_text

    doc = (
        "BOSTON, March 3, 2025 -- Kelvane Bio Inc. said today that the TGA accepted its "
        "dossier for Orvamet for evaluation under priority review. Under priority review a "
        "targeted timeframe of 150 working days for scientific evaluation is set. A decision "
        "is expected in the second half of 2025.\n"
    )
    got = extract_text("k.txt", doc)
    assert ("acceptance", "TGA") in {(e.type, e.agency) for e in got.events}
    assert [(t.start, t.end) for t in got.timelines] == [(date(2025, 7, 1), date(2025, 12, 31))]


def test_parse_full_date_needs_a_year() -> None:
    assert parse_full_date("Thu, 20 Mar 2008 10:00:00 +0000") == date(2008, 3, 20)
    assert parse_full_date("no date here") is None


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("at its meeting to be held between 17th and 20th October", (2011, 10, 17), (2011, 10, 20)),
        ("the hearing runs from 3 to 5 November 2011", (2011, 11, 3), (2011, 11, 5)),
        ("the committee meets on October 17-20", (2011, 10, 17), (2011, 10, 20)),
    ],
)
def test_a_span_of_days_in_one_month_is_a_window(text: str, start: tuple, end: tuple) -> None:
    from tracker.extract import dates as d

    (m,) = [x for x in d.find(text.lower(), date(2011, 9, 28)) if x.kind == "window"]
    assert (m.start, m.end) == (date(*start), date(*end))


def test_the_release_month_named_alone_is_this_years() -> None:
    from tracker.extract import dates as d

    (m,) = d.find("the june meeting of the committee", date(2011, 6, 24))
    assert (m.start, m.end) == (date(2011, 6, 1), date(2011, 6, 30))
