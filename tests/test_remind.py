"""Reminders: which are owed when, and what the e-mail looks like."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tracker.remind.plan import plan_reminders
from tracker.remind.render import header_safe, message_id, render_message
from tracker.settings import MailSection

from .test_ical import make_deadline

MAIL = MailSection(**{"from": "tracker@example.org"})

TZ = ZoneInfo("America/New_York")
AT = time(8, 0)
LEADS = [30, 7, 1]


def _plan(now: datetime, sent: set | None = None, **over: object) -> list:
    return plan_reminders(
        [make_deadline(**over)], sent or set(), now, LEADS, ["ra@example.org"], AT, TZ
    )


def test_nothing_due_before_send_time() -> None:
    # 7 days before 2008-05-19 is 2008-05-12; 08:00 New York is 12:00 UTC (EDT).
    assert [d.days_before for d in _plan(datetime(2008, 5, 12, 11, 59, 59, tzinfo=UTC))] == [30]
    assert [d.days_before for d in _plan(datetime(2008, 5, 12, 12, 0, tzinfo=UTC))] == [7]


def test_only_the_latest_missed_reminder_is_sent() -> None:
    due = _plan(
        datetime(2008, 5, 14, 9, tzinfo=UTC), end=date(2008, 5, 19), start=date(2008, 5, 19)
    )
    assert [d.days_before for d in due] == [7]


def test_nothing_is_sent_twice() -> None:
    key = make_deadline().key
    assert _plan(datetime(2008, 5, 14, 13, tzinfo=UTC), sent={(key, 7, "ra@example.org")}) == []


@pytest.mark.parametrize("status", ["met", "cancelled", "missed"])
def test_closed_deadlines_get_none(status: str) -> None:
    assert _plan(datetime(2008, 5, 14, 13, tzinfo=UTC), status=status) == []


def test_past_deadline_gets_none() -> None:
    assert _plan(datetime(2008, 5, 20, 13, tzinfo=UTC)) == []


def test_dst_change_keeps_local_send_time() -> None:
    # 2008-11-02 is the end of DST in New York: 08:00 EST is 13:00 UTC.
    over = {"start": date(2008, 11, 9), "end": date(2008, 11, 9)}
    assert [d.days_before for d in _plan(datetime(2008, 11, 2, 12, 59, tzinfo=UTC), **over)] == [30]
    assert [d.days_before for d in _plan(datetime(2008, 11, 2, 13, 0, tzinfo=UTC), **over)] == [7]


def test_reminder_email_golden(golden) -> None:  # type: ignore[no-untyped-def]
    (due,) = _plan(datetime(2008, 5, 12, 12, 0, tzinfo=UTC))
    msg = render_message(due, MAIL, datetime(2008, 5, 12, 12, 0, tzinfo=UTC))
    msg.set_boundary("==boundary-1==")
    for i, part in enumerate(msg.get_payload()):
        if part.is_multipart():
            part.set_boundary(f"==boundary-{i + 2}==")
    golden("email/reminder-7-days.eml", msg.as_bytes())
    parsed = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    assert parsed["Message-ID"] == message_id(due)
    assert parsed["Subject"].startswith("Detailed grounds due: Zentra: Mon 19 May 2008")
    kinds = [p.get_content_type() for p in parsed.walk()]
    assert {"text/plain", "text/html", "text/calendar"} <= set(kinds)


def test_release_text_cannot_reach_headers_or_html() -> None:
    evil = make_deadline(
        title="Grounds due\r\nBcc: victim@example.org", evidence="<script>x</script>"
    )
    due = plan_reminders(
        [evil], set(), datetime(2008, 5, 12, 12, tzinfo=UTC), LEADS, ["ra@example.org"], AT, TZ
    )[0]
    msg = render_message(due, MAIL, datetime(2008, 5, 12, 12, tzinfo=UTC))
    headers = msg.as_bytes().decode().split("\n\n", 1)[0]
    assert not any(line.startswith("Bcc:") for line in headers.splitlines())
    assert "Bcc: victim" in msg["Subject"]
    html_part = next(p for p in msg.walk() if p.get_content_type() == "text/html")
    html = html_part.get_payload(decode=True).decode("utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_header_safe_collapses_control_characters() -> None:
    assert header_safe("a\r\nb\x00c") == "a b c"


def test_the_ready_bytes_are_wire_form_and_read_back_part_by_part() -> None:
    """`render` writes the message straight to the wire form: CRLF only, no line over 78
    characters but for none, and every part reads back with the email package unchanged."""
    from tracker.remind.render import render

    (due,) = _plan(datetime(2008, 5, 12, 12, tzinfo=UTC))
    ready = render(due, MAIL, datetime(2008, 5, 12, 12, tzinfo=UTC))
    assert b"\n" not in ready.data.replace(b"\r\n", b"")
    assert max(len(line) for line in ready.data.split(b"\r\n")) <= 78
    parsed = email.message_from_bytes(ready.data, policy=email.policy.default)
    assert parsed["Message-ID"] == ready.message_id == message_id(due)
    assert str(parsed["Subject"]) == ready.subject
    plain = parsed.get_body(("plain",))
    html = parsed.get_body(("html",))
    assert plain is not None and "Detailed grounds due: Zentra" in plain.get_content()
    assert html is not None and "<html" in html.get_content().lower()
    (ics,) = [p for p in parsed.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert ics.get_filename() == "deadline.ics"
    assert "BEGIN:VCALENDAR" in ics.get_content()
    assert ready.to == (due.recipient.address,)


def test_templates_are_read_once_per_run_and_again_after_a_fresh_environment(
    tmp_path: Path,
) -> None:
    """No file check per message rendered; an edited template is seen from the next run
    (each reminder run starts with `fresh_environment`)."""
    from tracker.templating import environment, fresh_environment

    (tmp_path / "email").mkdir()
    name = tmp_path / "email" / "reminder.subject.txt"
    name.write_text("first {{ d.title }}")
    first = environment(str(tmp_path)).get_template("email/reminder.subject.txt")
    name.write_text("second {{ d.title }}")
    again = environment(str(tmp_path)).get_template("email/reminder.subject.txt")
    assert again.render(d={"title": "x"}) == first.render(d={"title": "x"}) == "first x"
    fresh_environment()
    after = environment(str(tmp_path)).get_template("email/reminder.subject.txt")
    assert after.render(d={"title": "x"}) == "second x"
