"""Reminder e-mails: subject, plain text and HTML from templates, the deadline's .ics attached."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from tracker.domain import ReminderDue
from tracker.ical import build_calendar
from tracker.templating import environment

_UNSAFE_HEADER = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def header_safe(text: str, limit: int = 200) -> str:
    """Collapse control characters (CR, LF ...) so release text cannot forge headers."""
    clean = _UNSAFE_HEADER.sub(" ", text).strip()
    return clean[:limit].rstrip() + ("…" if len(clean) > limit else "")


def message_id(due: ReminderDue, domain: str = "deadline-tracker") -> str:
    """A Message-ID derived from the reminder key, so a resend carries the same one."""
    return f"<{hashlib.sha256(due.key.encode()).hexdigest()[:40]}@{domain}>"


def render_message(
    due: ReminderDue, sender: str, now: datetime, templates_dir: str | None = None
) -> EmailMessage:
    """Build the multipart reminder for one deadline, lead time and recipient."""
    env = environment(templates_dir)
    days_left = (due.deadline.end - now.date()).days
    ctx = {
        "d": due.deadline,
        "days_before": due.days_before,
        "days_left": days_left,
        "recipient": due.recipient,
    }
    msg = EmailMessage()
    msg["Subject"] = header_safe(env.get_template("email/reminder.subject.txt").render(**ctx))
    msg["From"] = header_safe(sender)
    msg["To"] = header_safe(due.recipient)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id(due)
    msg["X-Tracker-Deadline"] = header_safe(due.deadline.key, 500)
    msg.set_content(env.get_template("email/reminder.txt").render(**ctx))
    msg.add_alternative(env.get_template("email/reminder.html").render(**ctx), subtype="html")
    ics_text = build_calendar([due.deadline], name=due.deadline.title)
    msg.add_attachment(
        ics_text.encode("utf-8"),
        maintype="text",
        subtype="calendar",
        filename="deadline.ics",
        params={"method": "PUBLISH"},
    )
    return msg
