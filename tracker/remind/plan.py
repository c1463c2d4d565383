"""Which messages are owed now, to whom. Pure: `now` and the message log are passed in."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tracker.domain import Deadline
from tracker.identity import region_of, slug
from tracker.rules.agency import agency_date_note
from tracker.settings import RecipientSettings
from tracker.vocabulary import open_and_past

# Log entries that mean "this recipient was told about this deadline".
_TOLD = ("lead", "moved")


@dataclass(frozen=True, slots=True)
class Due:
    """One message owed: a reminder (lead), a notice (moved, cancelled, overdue) or a digest."""

    kind: str
    tag: str
    recipient: RecipientSettings
    deadlines: tuple[Deadline, ...]
    due_at: datetime
    days_before: int | None = None
    previous_end: date | None = None
    # A "changed" notice: what the agency's document says of the deadline's act.
    agency_note: str | None = None

    @property
    def deadline_key(self) -> str:
        """The log's deadline key ("digest" for digests)."""
        return self.deadlines[0].key if self.kind != "digest" else "digest"

    @property
    def key(self) -> str:
        """The message's identity (its Message-ID is derived from it)."""
        return f"{self.deadline_key}|{self.kind}|{self.tag}|{self.recipient.address}"


@dataclass(frozen=True, slots=True)
class Policy:
    """Defaults a recipient's own settings override."""

    days_before: tuple[int, ...]
    send_at: time
    timezone: str
    lease: timedelta = timedelta(minutes=10)


def wants(r: RecipientSettings, d: Deadline) -> bool:
    """True when a deadline passes the recipient's filters."""
    p = d.procedure
    if r.companies and not _any_match(r.companies, p.company):
        return False
    if r.products and not _any_match(r.products, p.product):
        return False
    if r.authorities and p.agency not in {region_of(a.upper()) for a in r.authorities}:
        return False
    return not r.kinds or any(k in d.key or (d.rule or "").endswith(k) for k in r.kinds)


def _any_match(wanted: Iterable[str], value: str | None) -> bool:
    return value is not None and slug(value) in {slug(w) for w in wanted}


def _settings(r: RecipientSettings, policy: Policy) -> tuple[tuple[int, ...], time, ZoneInfo]:
    days = tuple(sorted(set(r.days_before if r.days_before is not None else policy.days_before)))
    at = time.fromisoformat(r.send_at) if r.send_at else policy.send_at
    return days, at, ZoneInfo(r.timezone or policy.timezone)


def plan(
    deadlines: Iterable[Deadline],
    log: Mapping[tuple[str, str, str, str], Any],
    recipients: Iterable[RecipientSettings],
    now: datetime,
    policy: Policy,
) -> list[Due]:
    """Every message owed now, in a stable order."""
    deadlines = list(deadlines)
    done = settled(log, now, policy.lease)
    told: dict[tuple[str, str], list[Any]] = {}
    for (key, kind, _tag, to), row in log.items():
        if kind in _TOLD and row is not None and row.status == "sent":
            told.setdefault((key, to), []).append(row)
    out: list[Due] = []
    for r in recipients:
        mine = [d for d in deadlines if wants(r, d)]
        days, at, tz = _settings(r, policy)
        if r.mode == "each":
            out += _reminders(mine, done, r, now, days, at, tz)
        else:
            out += _digest(mine, done, r, now, days, at, tz)
        out += _notices(mine, done, told, r, now, at, tz)
    return out


def _due(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz)


def _reminders(
    deadlines: list[Deadline],
    done: set[Any],
    r: RecipientSettings,
    now: datetime,
    days: tuple[int, ...],
    at: time,
    tz: ZoneInfo,
) -> list[Due]:
    """For each open deadline still ahead, the most recent lead time passed: a daemon that was
    down sends the 7-day reminder late rather than the 30- and the 7-day ones together."""
    today = now.astimezone(tz).date()
    out = []
    for d in deadlines:
        if d.status != "open" or d.end < today:
            continue
        passed = [n for n in days if _due(d.end - timedelta(days=n), at, tz) <= now]
        if not passed:
            continue
        lead = passed[0]
        if (d.key, "lead", str(lead), r.address) not in done:
            out.append(
                Due(
                    "lead",
                    str(lead),
                    r,
                    (d,),
                    _due(d.end - timedelta(days=lead), at, tz),
                    days_before=lead,
                )
            )
    return out


def _notices(
    deadlines: list[Deadline],
    done: set[Any],
    told_rows: Mapping[tuple[str, str], list[Any]],
    r: RecipientSettings,
    now: datetime,
    at: time,
    tz: ZoneInfo,
) -> list[Due]:
    """Told about a deadline that then moved, closed without being met, or passed open: say so,
    once each. Told about one whose act an agency document then dated otherwise while the
    deadline kept its date ("changed"): say that too, once per date the agency gives."""
    today = now.astimezone(tz).date()
    out = []
    for d in deadlines:
        told = told_rows.get((d.key, r.address), [])
        if not told:
            continue
        last_end = max(told, key=lambda row: row.claimed_at).sent_end
        agency = agency_date_note(d.notes)
        if agency is not None and (not last_end or last_end == d.end):
            tag = "agency-" + hashlib.sha256(agency.encode()).hexdigest()[:16]
            if (d.key, "changed", tag, r.address) not in done:
                out.append(Due("changed", tag, r, (d,), now.astimezone(tz), agency_note=agency))
        if d.status == "open" and last_end and last_end != d.end and d.end >= today:
            tag = d.end.isoformat()
            if (d.key, "moved", tag, r.address) not in done:
                out.append(Due("moved", tag, r, (d,), now.astimezone(tz), previous_end=last_end))
        elif d.status in ("cancelled", "superseded"):
            if (d.key, "cancelled", "", r.address) not in done:
                out.append(Due("cancelled", "", r, (d,), now.astimezone(tz), previous_end=last_end))
        elif (d.status in ("missed", "passed") or open_and_past(d.status, d.end, today)) and (
            d.key,
            "overdue",
            "",
            r.address,
        ) not in done:
            out.append(Due("overdue", "", r, (d,), _due(d.end + timedelta(days=1), at, tz)))
    return out


def _digest(
    deadlines: list[Deadline],
    done: set[Any],
    r: RecipientSettings,
    now: datetime,
    days: tuple[int, ...],
    at: time,
    tz: ZoneInfo,
) -> list[Due]:
    """The current period's digest, once it is due: open deadlines within the longest lead."""
    local = now.astimezone(tz)
    start = local.date() - timedelta(days=local.weekday() if r.mode == "weekly" else 0)
    due_at = _due(start, at, tz)
    tag = f"{r.mode}-{start.isoformat()}"
    if due_at > now or ("digest", "digest", tag, r.address) in done:
        return []
    horizon = local.date() + timedelta(days=max(days, default=30))
    upcoming = tuple(
        sorted(
            (d for d in deadlines if d.status == "open" and local.date() <= d.end <= horizon),
            key=lambda d: (d.end, d.key),
        )
    )
    if not upcoming:
        return []
    return [Due("digest", tag, r, upcoming, due_at)]


def settled(log: Mapping[Any, Any], now: datetime, lease: timedelta) -> set[Any]:
    """Keys of messages sent or rejected, or in hand: a live claim (younger than `lease`), a
    deferral not yet due. A None row (a test's plain "sent") counts as settled."""
    out = set()
    for key, row in log.items():
        if row is None or row.status in ("sent", "rejected"):
            out.add(key)
        elif row.status == "deferred":
            if row.retry_after is not None and row.retry_after > now:
                out.add(key)
        elif row.claimed_at + lease > now:
            out.add(key)
    return out


def plan_reminders(
    deadlines: Iterable[Deadline],
    sent: set[tuple[str, int, str]],
    now: datetime,
    days_before: list[int],
    recipients: list[str],
    send_at: time,
    tz: ZoneInfo,
) -> list[Due]:
    """Lead-time reminders only, for plain addresses (kept for callers that need no notices)."""
    done = {(k, "lead", str(n), to) for k, n, to in sent}
    people = [RecipientSettings(address=a) for a in recipients]
    rows = list(deadlines)
    out: list[Due] = []
    for r in people:
        out += _reminders(
            [d for d in rows if wants(r, d)],
            done,
            r,
            now,
            tuple(sorted(set(days_before))),
            send_at,
            tz,
        )
    return out
