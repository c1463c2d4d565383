"""Case management: the corrections a person makes, the one path for the CLI and the web.

Each function checks the request first and refuses with a `UsageError` (exit status 2) or a
`NotFoundError` naming what is wrong, changing nothing; otherwise it applies the change and
its audit entry in one transaction, re-derives the procedure's deadlines and rewrites the
calendar. `who` is the person (`--as USER`, the OS user, or the signed-in web user).
"""

from __future__ import annotations

import getpass
import os
from datetime import date, datetime

from tracker.domain import Deadline, Event, Procedure, Timeline
from tracker.errors import NotFoundError, UsageError
from tracker.identity import NameRow, slug
from tracker.pipeline import (
    Context,
    IngestReport,
    derive_deadlines,
    local_today,
    publish_calendar,
)
from tracker.rules.engine import applicable_packs
from tracker.vocabulary import FACTS, Closed, fact_of_anchor

# Dates outside this span are typing errors, not regulatory facts.
_EARLIEST, _LATEST = date(1990, 1, 1), date(2100, 12, 31)
_NOTE_LIMIT = 2000
_ALIAS_LIMIT = 300


def current_user() -> str:
    """Who is at the keyboard when no `--as` is given: the OS user."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER") or f"uid-{os.getuid()}"


def set_fact(
    ctx: Context, procedure_key: str, name: str, value: date, who: str, now: datetime
) -> None:
    """Record a fact (a receipt date) and recompute what counts from it."""
    _procedure(ctx, procedure_key)
    _fact_name(name)
    _sane(value, f"{name} date")
    _after_its_event(ctx, procedure_key, name, value, now)
    with ctx.store.session() as s:
        before = ctx.store.set_fact(procedure_key, name, value, now, session=s)
        ctx.store.record(
            who, "fact-set", now, procedure_key, name, before, value.isoformat(), session=s
        )
    _recompute(ctx, procedure_key, now)


def unset_fact(ctx: Context, procedure_key: str, name: str, who: str, now: datetime) -> None:
    """Forget a recorded fact: what counted from it counts from the assumption again."""
    _procedure(ctx, procedure_key)
    _fact_name(name)
    if name not in ctx.store.facts(procedure_key):
        raise UsageError(f"procedure '{procedure_key}' has no recorded {name}")
    with ctx.store.session() as s:
        before = ctx.store.unset_fact(procedure_key, name, session=s)
        ctx.store.record(who, "fact-unset", now, procedure_key, name, before, None, session=s)
    _recompute(ctx, procedure_key, now)


def set_date(
    ctx: Context,
    deadline_key: str,
    start: date,
    end: date,
    who: str,
    now: datetime,
    note: str | None = None,
) -> None:
    """Set a deadline's date or window by hand: it is owed until then, and says by whom."""
    d = _deadline(ctx, deadline_key)
    _sane(start, "start")
    _sane(end, "end")
    if end < start:
        raise UsageError(f"the window ends ({end}) before it starts ({start})")
    note = _note(note)
    with ctx.store.session() as s:
        before = ctx.store.set_deadline_date(deadline_key, start, end, now, who, note, session=s)
        ctx.store.record(
            who,
            "date-set",
            now,
            d.procedure.key,
            deadline_key,
            _span(*before),
            _span(start, end),
            note,
            session=s,
        )
    _recompute(ctx, d.procedure.key, now)


def unset_date(ctx: Context, deadline_key: str, who: str, now: datetime) -> None:
    """Give a hand-set deadline back to the computation."""
    d = _deadline(ctx, deadline_key)
    with ctx.store.session() as s:
        before = ctx.store.unset_deadline_date(deadline_key, now, session=s)
        ctx.store.record(
            who, "date-unset", now, d.procedure.key, deadline_key, _span(*before), None, session=s
        )
    _recompute(ctx, d.procedure.key, now)


def close(
    ctx: Context,
    deadline_key: str,
    how: str,
    who: str,
    now: datetime,
    note: str | None = None,
) -> None:
    """Mark a deadline done (met) or dismissed (not applicable), with an optional note."""
    try:
        kind = Closed(how)
    except ValueError:
        raise UsageError(f"unknown close '{how}' (done or dismissed)") from None
    d = _deadline(ctx, deadline_key)
    note = _note(note)
    with ctx.store.session() as s:
        before = ctx.store.close_deadline(deadline_key, kind, now, who, note, session=s)
        ctx.store.record(
            who,
            kind.value,
            now,
            d.procedure.key,
            deadline_key,
            before,
            kind.status,
            note,
            session=s,
        )
    _recompute(ctx, d.procedure.key, now)


def reopen(ctx: Context, deadline_key: str, who: str, now: datetime) -> None:
    """Undo a done or dismissed mark."""
    d = _deadline(ctx, deadline_key)
    with ctx.store.session() as s:
        before = ctx.store.reopen_deadline(deadline_key, now, session=s)
        ctx.store.record(who, "reopen", now, d.procedure.key, deadline_key, before, None, session=s)
    _recompute(ctx, d.procedure.key, now)


def add_note(ctx: Context, procedure_key: str, text: str, who: str, now: datetime) -> None:
    """Leave a note on a procedure."""
    _procedure(ctx, procedure_key)
    body = _note(text)
    if not body:
        raise UsageError("a note needs some text")
    with ctx.store.session() as s:
        ctx.store.add_note(procedure_key, body, who, now, session=s)
        ctx.store.record(who, "note", now, procedure_key, None, None, None, body, session=s)


def merge_procedures(ctx: Context, a: str, b: str, who: str, now: datetime) -> dict[str, int]:
    """Merge procedure `b` into `a`: its events, timelines, facts, deadlines (with their
    history), notes and audit entries join `a` keeping their ids, and `b`'s key resolves to
    `a` for every later release. Returns the rows moved per table."""
    if a == b:
        raise UsageError(f"cannot merge procedure '{a}' into itself")
    pa, pb = _procedure(ctx, a), _procedure(ctx, b)
    if pa.agency != pb.agency:
        raise UsageError(
            f"'{b}' ({pb.agency}) and '{a}' ({pa.agency}) are procedures of different regions"
        )
    ours, theirs = ctx.store.facts(a), ctx.store.facts(b)
    clash = sorted(n for n in ours.keys() & theirs.keys() if ours[n] != theirs[n])
    if clash:
        n = clash[0]
        raise UsageError(
            f"'{a}' records {n} {ours[n]} and '{b}' records {theirs[n]}: unset one first"
        )
    with ctx.store.session() as s:
        moved = ctx.store.merge_procedures(a, b, who, now, session=s)
        ctx.store.record(who, "merge", now, a, b, None, moved, session=s)
    _recompute(ctx, a, now)
    return moved


def add_alias(ctx: Context, procedure_key: str, name: str, who: str, now: datetime) -> str:
    """Remember `name` as another name of the procedure's product (a former or code name):
    later releases that use it go to this procedure. Returns the name as kept."""
    p = _procedure(ctx, procedure_key)
    if not p.product:
        raise UsageError(f"procedure '{procedure_key}' names no product to give a name to")
    clean = " ".join("".join(ch for ch in name if ch.isprintable()).split())
    if not clean:
        raise UsageError("an alias needs a name")
    if len(clean) > _ALIAS_LIMIT:
        raise UsageError(f"an alias holds at most {_ALIAS_LIMIT} characters ({len(clean)} given)")
    alias = slug(clean)
    if alias == "unknown":
        raise UsageError(f"'{clean}' has no letters or digits to look a release's name up by")
    if alias == slug(p.product):
        raise UsageError(f"'{clean}' is the product's own name")
    scope = slug(p.company)
    known = ctx.store.known_names([], [alias]).products.get((scope, alias))
    if known is not None:
        if slug(known) == slug(p.product):
            raise UsageError(f"'{clean}' is already a name of {p.product}")
        raise UsageError(
            f"'{clean}' already stands for {known} of {p.company or 'an unnamed company'}: "
            "merge the two procedures instead"
        )
    with ctx.store.session() as s:
        ctx.store.learn_names([NameRow("product", scope, alias, clean, p.product)], now, session=s)
        ctx.store.record(who, "alias", now, procedure_key, clean, None, p.product, session=s)
    return clean


def retry_item(ctx: Context, item_id: str, who: str, now: datetime) -> IngestReport:
    """Give a quarantined item (`SOURCE:ITEM`) back to its source and run the source now
    (`tracker.retry`); audited with the reason it had and what the run did."""
    from tracker.retry import retry_quarantined

    source_id, _sep, external = item_id.partition(":")
    reasons = [q.reason for q in ctx.store.quarantined(source_id) if q.external_id == external]
    report = retry_quarantined(ctx, item_id, now)
    before = reasons[0] if reasons else None
    ctx.store.record(who, "retry", now, None, item_id, before, report.summary())
    return report


def rotate_feed_token(ctx: Context, who: str, now: datetime) -> str:
    """Replace the feed (and API) token: every old feed URL stops working. Audited, without
    the token. Returns the new token."""
    from tracker.web.feeds import feed_token

    token = feed_token(ctx.store, ctx.settings.home, rotate=True)
    ctx.store.record(who, "feed-token-rotate", now)
    return token


def split_procedure(ctx: Context, key: str, who: str, now: datetime) -> str:
    """Undo the merge of procedure `key`: it comes back with what came from it, and its key
    is its own again. Returns the procedure it had been merged into."""
    merge = ctx.store.merge_of(key)
    if merge is None:
        merged = ", ".join(m.key for m in ctx.store.merges()) or "none"
        raise UsageError(f"procedure '{key}' was not merged into another (merged: {merged})")
    with ctx.store.session() as s:
        into, back = ctx.store.split_procedure(key, session=s)
        ctx.store.record(who, "split", now, into, key, None, back, session=s)
    # What came back was taken from wherever later merges had carried it.
    redirects = {m.key: m.into for m in ctx.store.merges()}
    holder = into
    for _ in range(len(redirects) + 1):
        if holder not in redirects:
            break
        holder = redirects[holder]
    derive_deadlines(ctx, [key, *([holder] if ctx.store.procedure(holder) else [])], now)
    publish_calendar(ctx, now)
    return into


def _recompute(ctx: Context, procedure_key: str, now: datetime) -> None:
    derive_deadlines(ctx, [procedure_key], now)
    publish_calendar(ctx, now)


def _procedure(ctx: Context, key: str) -> Procedure:
    p = ctx.store.procedure(key)
    if p is None:
        merge = ctx.store.merge_of(key)
        if merge is not None:
            raise UsageError(f"procedure '{key}' was merged into '{merge.into}'")
        known = ", ".join(ctx.store.procedure_keys()) or "none"
        raise UsageError(f"no procedure '{key}' (known: {known})")
    return p


def _deadline(ctx: Context, key: str) -> Deadline:
    d = ctx.store.deadline(key)
    if d is None:
        raise NotFoundError(f"no deadline with key '{key}' (see `tracker deadlines --all`)")
    return d


def _fact_name(name: str) -> None:
    if name not in FACTS:
        raise UsageError(f"unknown fact '{name}' (one of {', '.join(FACTS)})")


def _sane(value: date, what: str) -> None:
    if not _EARLIEST <= value <= _LATEST:
        raise UsageError(f"{what} {value} is outside {_EARLIEST.year}-{_LATEST.year}")


def _note(text: str | None) -> str | None:
    if text is None:
        return None
    clean = "".join(ch for ch in text if ch.isprintable() or ch in "\n\t").strip()
    if len(clean) > _NOTE_LIMIT:
        raise UsageError(f"a note holds at most {_NOTE_LIMIT} characters ({len(clean)} given)")
    return clean or None


def _after_its_event(ctx: Context, key: str, name: str, value: date, now: datetime) -> None:
    """A fact dates something that follows an event (the receipt of an opinion follows the
    opinion): refuse one that would come before the event it belongs to."""
    state = ctx.store.procedure_state(key)
    anchored = [
        t
        for pack in applicable_packs(state.procedure, ctx.packs)
        for rule in pack.rules
        if rule.anchor == name
        for t in rule.trigger
        if t.type is not None
    ]
    timelines = [
        s
        for s in state.timelines
        if isinstance(s.item, Timeline) and fact_of_anchor(s.item.anchor) == name
    ]
    events = [
        s
        for s in state.events
        if isinstance(s.item, Event)
        and any(
            s.item.type == t.type
            and (t.agency is None or s.item.agency == t.agency)
            and (t.outcome is None or s.item.outcome == t.outcome)
            for t in anchored
        )
    ]
    if not events and not timelines:
        raise UsageError(
            f"nothing in procedure '{key}' counts from a {name} (no event a rule anchors on "
            f"its {name}, and no stated timeline names it)"
        )
    dated = [(s.item.date or s.release_date, s) for s in events if isinstance(s.item, Event)]
    if dated:
        when, s = max(dated, key=lambda x: x[0])
        ev = s.item
        assert isinstance(ev, Event)
        if value < when:
            raise UsageError(
                f"{name} {value} is before the {ev.type.replace('_', ' ')} it belongs to "
                f"({when}, release {s.release_date})"
            )
    today = local_today(ctx.settings, now)
    if value > today:
        raise UsageError(f"{name} {value} is in the future (today is {today})")


def _span(start: date, end: date) -> str:
    return start.isoformat() if start == end else f"{start.isoformat()}..{end.isoformat()}"
