"""Rule packs: every shipped pack loads, every example holds, boundaries count as the law does."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tracker.errors import RulePackError
from tracker.rules.calendars import get_calendar
from tracker.rules.engine import evaluate_example, explain_rule
from tracker.rules.loader import DEFAULT_RULES_DIR, load_pack
from tracker.rules.schema import KEBAB, Pack

PACK_FILES = sorted(DEFAULT_RULES_DIR.glob("*.toml"))
EXAMPLES = [
    pytest.param(path, rule.id, ex, id=f"{path.stem}/{rule.id}/{ex.trigger_on}")
    for path in PACK_FILES
    for rule in load_pack(path).rules
    for ex in rule.examples
]


@pytest.mark.parametrize("path", PACK_FILES, ids=lambda p: p.stem)
def test_pack_is_complete(path: Path) -> None:
    pack = load_pack(path)
    assert pack.id == path.stem
    for rule in pack.rules:
        assert KEBAB.match(rule.id)
        assert rule.source and rule.valid_from
        assert rule.examples, f"{rule.id} has no example"


@pytest.mark.parametrize(("path", "rule_id", "example"), EXAMPLES)
def test_every_example_holds(path: Path, rule_id: str, example) -> None:  # type: ignore[no-untyped-def]
    pack = load_pack(path)
    got = evaluate_example(pack, pack.rule(rule_id), example.trigger_on, example.receipt_on)
    assert got == example.expect, example.note


@pytest.fixture(scope="module")
def eu() -> Pack:
    return load_pack(DEFAULT_RULES_DIR / "eu-centralised.toml")


@pytest.mark.parametrize(
    ("opinion_on", "expected"),
    [
        (date(2008, 3, 20), date(2008, 5, 19)),  # day 60 is a Monday
        (date(2025, 8, 6), date(2025, 10, 6)),  # day 60 is Sunday 5 Oct 2025: next Monday
        (date(2025, 8, 5), date(2025, 10, 6)),  # day 60 is Saturday 4 Oct 2025
        (date(2008, 3, 25), date(2008, 5, 27)),  # Saturday, then a London bank holiday
        (date(2008, 3, 24), date(2008, 5, 23)),  # the day before: an ordinary Friday
    ],
    ids=[
        "weekday",
        "rolls-past-sunday",
        "rolls-past-saturday",
        "rolls-past-closure",
        "friday-before",
    ],
)
def test_grounds_due(eu: Pack, opinion_on: date, expected: date) -> None:
    assert evaluate_example(eu, eu.rule("reexamination-grounds"), opinion_on) == expected


@pytest.mark.parametrize(
    ("opinion_on", "expected"),
    [
        (date(2024, 1, 25), date(2024, 4, 1)),  # leap year: 29 February counts
        (date(2023, 1, 25), date(2023, 4, 2)),  # no roll: a Sunday stands
        (date(2008, 12, 31), date(2009, 3, 8)),  # across the year end
    ],
)
def test_commission_decision_is_67_calendar_days(
    eu: Pack, opinion_on: date, expected: date
) -> None:
    assert evaluate_example(eu, eu.rule("commission-decision"), opinion_on) == expected


def test_us_federal_calendar_names_government_closures() -> None:
    cal = get_calendar("us-federal")
    assert not cal.is_business_day(date(2025, 12, 26))  # executive-order closure
    assert not cal.is_business_day(date(2025, 1, 20))  # MLK Day
    assert cal.is_business_day(date(2025, 4, 18))  # Good Friday: federal offices open
    assert cal.add_business_days(date(2025, 1, 16), 4) == date(2025, 1, 23)


def test_roll_conventions() -> None:
    cal = get_calendar("gb-eng")
    sat = date(2008, 5, 24)
    assert cal.roll(sat, "none") == sat
    assert cal.roll(sat, "next-working-day") == date(2008, 5, 27)
    assert cal.roll(sat, "previous-working-day") == date(2008, 5, 23)
    assert cal.roll(date(2008, 5, 31), "modified-following") == date(2008, 5, 30)


def test_missing_closure_table_warns(caplog: pytest.LogCaptureFixture) -> None:
    cal = get_calendar("ema")
    cal.warnings.clear()
    cal.is_business_day(date(2011, 6, 1))
    assert any("no closure table for 2011" in w for w in cal.warnings)


def test_explain_rule_lists_the_steps(eu: Pack) -> None:
    steps = explain_rule(eu, eu.rule("reexamination-grounds"), date(2008, 3, 25))
    text = "\n".join(f"{s.label} {s.text}" for s in steps)
    assert "2008-05-24 (Sat) -> 2008-05-27 (Tue)" in text
    assert "Art. 9(2)" in text


BROKEN = """
[pack]
id = "broken"
title = "t"
version = "1"
calendar = "ema"
agencies = ["EMA"]

[[rules]]
id = "reexamination-grounds"
title = "x"
trigger = { type = "opinion" }
offset = { days = 60, months = 2 }
roll = "next-working-day"
source = "s"
valid_from = 2004-05-20
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            BROKEN,
            "rule 'reexamination-grounds': offset needs exactly one of days, business_days, "
            "weeks, months",
        ),
        (
            BROKEN.replace("{ days = 60, months = 2 }", "{ days = 60 }").replace(
                'type = "opinion"', 'type = "verdict"'
            ),
            "unknown event type 'verdict'",
        ),
        (
            BROKEN.replace("{ days = 60, months = 2 }", "{ days = 60 }").replace(
                '"next-working-day"', '"sometimes"'
            ),
            "rule 'reexamination-grounds': roll",
        ),
        ("[pack\n", "invalid TOML"),
        (
            BROKEN.replace("{ days = 60, months = 2 }", "{ days = 60 }").replace(
                'roll = "next-working-day"', 'roll = "next-working-day"\nmilestone = "hearing-day"'
            ),
            "unknown milestone 'hearing-day'",
        ),
    ],
)
def test_broken_pack_names_file_and_rule(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(text)
    with pytest.raises(RulePackError) as err:
        load_pack(path)
    assert str(err.value).startswith(str(path))
    assert message in str(err.value)


@pytest.mark.parametrize(
    ("opinion_on", "expected"),
    [
        (
            date(2024, 10, 21),
            date(2025, 1, 6),
        ),  # day 60 is 20 Dec 2024: closed until 3 Jan, then a weekend
        (date(2024, 10, 20), date(2024, 12, 19)),  # the day before EMA's year-end closure
        (date(2012, 10, 26), date(2013, 1, 3)),  # Christmas, then EMA's one-off 2012 closure
        (date(2020, 2, 27), date(2020, 4, 28)),  # day 60 is King's Day in Amsterdam
    ],
    ids=["into-the-2024-closure", "before-the-closure", "one-off-closure-2012", "kings-day-2020"],
)
def test_grounds_roll_past_ema_closure_days(eu: Pack, opinion_on: date, expected: date) -> None:
    assert evaluate_example(eu, eu.rule("reexamination-grounds"), opinion_on) == expected


def test_closure_table_years_are_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker.rules import calendars

    (tmp_path / "ema.toml").write_text("[closures]\n2024 = [2023-12-25]\n")
    monkeypatch.setattr(calendars, "CALENDARS_DIR", tmp_path)
    with pytest.raises(RulePackError, match="is not a date of 2024"):
        calendars._closure_table("ema")


def test_commission_calendar_tables() -> None:
    cal = get_calendar("ec")
    assert not cal.is_business_day(date(2014, 7, 21))  # Belgian national day, in the 2014 list
    assert not cal.is_business_day(date(2024, 3, 28))  # Maundy Thursday 2024, a known extra
    assert cal.is_business_day(date(2024, 3, 27))
