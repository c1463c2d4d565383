"""Which reminders are owed now. Pure: `now` is passed in."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from tracker.domain import Deadline, ReminderDue


def due_time(deadline: Deadline, days_before: int, send_at: time, tz: ZoneInfo) -> datetime:
    """When the reminder `days_before` a deadline falls due: send_at local time on that day."""
    day = deadline.end - timedelta(days=days_before)
    return datetime.combine(day, send_at, tzinfo=tz)


def plan_reminders(
    deadlines: Iterable[Deadline],
    sent: set[tuple[str, int, str]],
    now: datetime,
    days_before: list[int],
    recipients: list[str],
    send_at: time,
    tz: ZoneInfo,
) -> list[ReminderDue]:
    """The reminders to send now.

    For each open deadline still ahead (local date), only the most recent lead time
    whose moment has passed is owed: a daemon that was down sends the 7-day reminder
    late rather than the 30-day and the 7-day one together. Nothing already claimed
    is owed again, and a deadline already past gets none.
    """
    today = now.astimezone(tz).date()
    out: list[ReminderDue] = []
    for d in deadlines:
        if d.status != "open" or d.end < today:
            continue
        passed = [n for n in sorted(set(days_before)) if due_time(d, n, send_at, tz) <= now]
        if not passed:
            continue
        lead = passed[0]
        for rcpt in recipients:
            if (d.key, lead, rcpt) in sent:
                continue
            out.append(ReminderDue(d, lead, rcpt, due_time(d, lead, send_at, tz)))
    return out
