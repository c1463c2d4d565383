"""Text properties of the calendar: control characters never reach it, lines fold only
between whole escapes and whole UTF-8 characters, and calendar readers (icalendar; ical.js
when node has it) read every text field back unchanged."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import icalendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar.parser import unescape_backslash

from tracker.domain import Deadline, Procedure
from tracker.ical import _fold, build_calendar, clean_text, iter_calendar, summary_for
from tracker.templating import environment

from .test_ical import make_deadline

# Any character but surrogates: controls, escapes' characters, line breaks, emoji ...
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)),
    max_size=200,
)
SPECIAL = st.text(alphabet=st.sampled_from(list('\\;,:"\n\r\t a\u00e9\u20ac\U0001f600')))


def _calname(cal: icalendar.Calendar) -> str:
    """X-WR-CALNAME as TEXT: icalendar keeps unknown X- properties raw, so unescape it with
    icalendar's own RFC 5545 unescaping."""
    return str(unescape_backslash(str(cal["X-WR-CALNAME"])))


def _physical_lines(body: str) -> list[bytes]:
    return body.encode("utf-8").split(b"\r\n")


def _assert_well_folded(body: str) -> None:
    for line in _physical_lines(body):
        assert len(line) <= 75
        line.decode("utf-8")  # each physical line holds whole characters
        run = len(line) - len(line.rstrip(b"\\"))
        assert run % 2 == 0, f"a fold splits an escape: {line!r}"


def test_fold_never_splits_an_escape() -> None:
    # "SUMMARY:" + 66 letters puts the backslash of "\," on octet 75.
    for pad in range(60, 80):
        line = "SUMMARY:" + "a" * pad + "\\,b\\\\\\;c" * 20
        folded = _fold(line)
        _assert_well_folded(folded)
        assert folded.replace("\r\n ", "") == line


def test_fold_never_splits_a_character() -> None:
    for pad in range(60, 80):
        line = "DESCRIPTION:" + "a" * pad + "\u00e9\u20ac\U0001f600" * 30
        folded = _fold(line)
        _assert_well_folded(folded)
        assert folded.replace("\r\n ", "") == line


def test_a_carriage_return_in_the_calendar_name_is_no_line_break() -> None:
    # What /{token}/company/x%0dBEGIN:VEVENT....ics used to write into X-WR-CALNAME.
    body = build_calendar([], name="Regulatory deadlines: x\rBEGIN:VEVENT\x00\x1b\x7f")
    assert "\r" not in body.replace("\r\n", "")
    assert "\x00" not in body and "\x1b" not in body and "\x7f" not in body
    cal = icalendar.Calendar.from_ical(body)
    assert _calname(cal) == "Regulatory deadlines: x\nBEGIN:VEVENT"
    assert not cal.walk("VEVENT")


def test_control_characters_in_deadline_fields_are_removed() -> None:
    d = make_deadline(title="Grounds\r\ndue\x00 \x08now\x85", evidence="a\rb\x1fc")
    body = build_calendar([d], alarms=[7])
    assert "\r" not in body.replace("\r\n", "")
    assert all(c not in body for c in "\x00\x08\x1f\x85")
    (event,) = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Grounds\ndue now\n"
    assert 'Evidence: "a\nbc"' in str(event["DESCRIPTION"])


def _deadline(title: str, evidence: str, company: str, product: str, note: str) -> Deadline:
    return make_deadline(
        title=title,
        evidence=evidence,
        procedure=Procedure("x/y/eu", company, product, "EU"),
        notes=(note,),
    )


def _expected(d: Deadline, name: str) -> dict[str, str]:
    description = environment().get_template("ics/description.txt").render(d=d)
    return {
        "name": clean_text(name),
        "summary": clean_text(summary_for(d)),
        "description": clean_text(description),
    }


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=st.one_of(TEXT, SPECIAL),
    evidence=st.one_of(TEXT, SPECIAL),
    company=TEXT,
    product=TEXT,
    note=SPECIAL,
    name=st.one_of(TEXT, SPECIAL),
)
def test_icalendar_reads_every_text_field_back(
    title: str, evidence: str, company: str, product: str, note: str, name: str
) -> None:
    d = _deadline(title, evidence, company, product, note)
    body = "".join(iter_calendar([d], name=name, alarms=[7]))
    _assert_well_folded(body)
    want = _expected(d, name)
    cal = icalendar.Calendar.from_ical(body)
    (event,) = cal.walk("VEVENT")
    assert _calname(cal) == want["name"]
    assert str(event.get("SUMMARY", "")) == want["summary"]
    assert str(event.get("DESCRIPTION", "")) == want["description"]
    (alarm,) = event.walk("VALARM")
    assert str(alarm["DESCRIPTION"]) == want["summary"]


ICALJS = Path(__file__).parent / "icaljs"


def _icaljs() -> Path | None:
    """ical.js installed under tests/icaljs/node_modules (npm install there), or None."""
    if shutil.which("node") is None:
        return None
    found = ICALJS / "node_modules" / "ical.js" / "dist" / "ical.es5.cjs"
    return found if found.exists() else None


@pytest.mark.skipif(
    _icaljs() is None,
    reason="ical.js is not installed (node, then `npm install --prefix tests/icaljs ical.js`)",
)
def test_icaljs_reads_every_text_field_back(tmp_path: Path) -> None:
    samples = [
        ("a\\,b;c", "x\r\ny,z\\", "Acme, Inc.", "Zé€😀", "note; with, commas"),
        ("\\" * 80, "," * 90, ";" * 70, "\n" * 10, "é" * 100),
        ("x" * 66 + "\\,", "ab\x00cd\x1b", "\U0001f600" * 40, "p", ""),
    ]
    cases = []
    for title, evidence, company, product, note in samples:
        d = _deadline(title, evidence, company, product, note)
        name = f"Regulatory deadlines: {company}\r{product}"
        body = "".join(iter_calendar([d], name=name))
        path = tmp_path / f"{len(cases)}.ics"
        path.write_bytes(body.encode("utf-8"))
        cases.append({"path": str(path), **_expected(d, name)})
    script = """
const ICAL = require(process.argv[1]);
const fs = require('fs');
// ical.js keeps unknown X- properties raw, as icalendar does: read X-WR-CALNAME as TEXT.
ICAL.design.icalendar.property['x-wr-calname'] = {defaultType: 'text'};
const out = JSON.parse(process.argv[2]).map(c => {
  const comp = new ICAL.Component(ICAL.parse(fs.readFileSync(c.path, 'utf8')));
  const ev = comp.getFirstSubcomponent('vevent');
  return {name: comp.getFirstPropertyValue('x-wr-calname'),
          summary: ev.getFirstPropertyValue('summary'),
          description: ev.getFirstPropertyValue('description')};
});
console.log(JSON.stringify(out));
"""
    done = subprocess.run(
        ["node", "-e", script, str(_icaljs()), json.dumps(cases)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    for got, want in zip(json.loads(done.stdout), cases, strict=True):
        assert got == {k: want[k] for k in ("name", "summary", "description")}


def test_dates_are_untouched_by_cleaning() -> None:
    d = make_deadline(start=date(2008, 7, 1), end=date(2008, 9, 30))
    (event,) = icalendar.Calendar.from_ical(build_calendar([d])).walk("VEVENT")
    assert event.decoded("DTSTART") == date(2008, 7, 1)
