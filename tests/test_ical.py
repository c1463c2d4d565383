"""The calendar: golden bytes, parsed back with icalendar, stable UIDs and order."""

from __future__ import annotations

from datetime import UTC, date, datetime

import icalendar

from tracker.domain import Deadline, Procedure, Step
from tracker.ical import build_calendar, uid_for

PROC = Procedure("acme/zentra/eu", "Acme Inc.", "Zentra", "EU")
STAMP = datetime(2008, 3, 21, 12, 0, tzinfo=UTC)


def make_deadline(**over: object) -> Deadline:
    base: dict = dict(  # noqa: C408
        key="acme/zentra/eu/reexamination-grounds",
        title="Detailed grounds due: Zentra",
        start=date(2008, 5, 19),
        end=date(2008, 5, 19),
        basis="stated",
        rule="eu-centralised/reexamination-grounds",
        status="open",
        procedure=PROC,
        evidence="Acme will file its grounds within 60 days of receipt of the opinion.",
        assumptions=("receipt of the opinion assumed on 2008-03-20",),
        steps=(Step("offset", "+60 days"),),
        source="Regulation (EC) No 726/2004, Art. 9(2)",
        revision=2,
        updated_at=STAMP,
        release_ref="acme-2008-03-20.txt",
    )
    base.update(over)
    return Deadline(**base)


def two_deadlines() -> list[Deadline]:
    window = make_deadline(
        key="acme/zentra/eu/reexamination-opinion/stated",
        title="Re-examination opinion expected: Zentra",
        start=date(2008, 7, 1),
        end=date(2008, 9, 30),
        rule=None,
        revision=0,
        assumptions=(),
    )
    return [make_deadline(), window]


def test_calendar_golden(golden) -> None:  # type: ignore[no-untyped-def]
    golden("ics/two-deadlines.ics", build_calendar(two_deadlines()))


def test_calendar_parses_back_with_icalendar() -> None:
    cal = icalendar.Calendar.from_ical(build_calendar(two_deadlines()))
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    single = events[uid_for("acme/zentra/eu/reexamination-grounds")]
    assert single.decoded("DTSTART") == date(2008, 5, 19)
    assert int(single["SEQUENCE"]) == 2
    assert "DTSTAMP" in single
    desc = str(single["DESCRIPTION"])
    assert "within 60 days of receipt" in desc and "Art. 9(2)" in desc and "assumed" in desc
    window = events[uid_for("acme/zentra/eu/reexamination-opinion/stated")]
    assert window.decoded("DTSTART") == date(2008, 7, 1)
    assert window.decoded("DTEND") == date(2008, 10, 1)  # exclusive end: 30 September included


def test_calendar_is_byte_stable_and_ordered() -> None:
    a = build_calendar(two_deadlines())
    b = build_calendar(list(reversed(two_deadlines())))
    assert a == b
    assert all(len(line.encode()) <= 75 for line in a.split("\r\n"))


def test_uid_survives_a_moved_date() -> None:
    moved = make_deadline(start=date(2008, 5, 27), end=date(2008, 5, 27), revision=3)
    cal = icalendar.Calendar.from_ical(build_calendar([moved]))
    (event,) = cal.walk("VEVENT")
    assert str(event["UID"]) == uid_for(moved.key) and int(event["SEQUENCE"]) == 3


def test_estimates_windows_and_states_are_marked() -> None:
    cal = icalendar.Calendar.from_ical(build_calendar([make_deadline(estimate=True)]))
    (event,) = cal.walk("VEVENT")
    assert str(event["SUMMARY"]).endswith("(est.)")
    assert str(event["STATUS"]) == "TENTATIVE"
    window = make_deadline(start=date(2008, 7, 1), end=date(2008, 9, 30), status="cancelled")
    (event,) = icalendar.Calendar.from_ical(build_calendar([window])).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Cancelled: Detailed grounds due: Zentra (window)"
    assert str(event["STATUS"]) == "CANCELLED"
    (event,) = icalendar.Calendar.from_ical(build_calendar([make_deadline(status="met")])).walk(
        "VEVENT"
    )
    assert str(event["SUMMARY"]).startswith("Done: ")


def test_alarms_only_on_open_deadlines() -> None:
    cal = icalendar.Calendar.from_ical(
        build_calendar([make_deadline(), make_deadline(key="x/met", status="met")], alarms=[30, 7])
    )
    alarms = {
        str(e["UID"]): [a["TRIGGER"].dt.days for a in e.walk("VALARM")] for e in cal.walk("VEVENT")
    }
    assert alarms[uid_for(make_deadline().key)] == [-30, -7]
    assert alarms[uid_for("x/met")] == []


def test_calendar_properties_for_clients() -> None:
    cal = icalendar.Calendar.from_ical(build_calendar([make_deadline()], name="Acme EU"))
    assert str(cal["X-WR-CALNAME"]) == "Acme EU"
    assert "X-WR-CALDESC" in cal and "X-PUBLISHED-TTL" in cal and "REFRESH-INTERVAL" in cal
