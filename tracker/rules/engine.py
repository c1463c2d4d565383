"""Derive a procedure's deadlines from its events, stated timelines, facts and rule packs.

Pure: `today` is passed in. The result is the complete current picture; the store
reconciles it with what it held before (revisions, history).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import partial

from dateutil.relativedelta import relativedelta

from tracker.domain import Derivation, Event, Procedure, ProcedureState, Sourced, Step, Timeline
from tracker.identity import REGION, agencies_of, procedure_for, region_of, slug
from tracker.rules.agency import (
    agency_dates,
    evidence_text,
    met_note,
    plenary_deadlines,
    prefer_agency,
)
from tracker.rules.calendars import BusinessCalendar, get_calendar
from tracker.rules.history import History, stated_days
from tracker.rules.schema import Offset, Pack, Rule
from tracker.vocabulary import (
    DONE_BY,
    MILESTONE_TITLES,
    Status,
    fact_of_anchor,
    open_and_past,
    status_on,
)

# Re-exported for callers that imported them from here before identity.py existed.
__all__ = ["REGION", "ProcedureState", "Sourced", "derive", "procedure_for", "region_of", "slug"]


@dataclass(frozen=True, slots=True)
class _Computed:
    rule: Rule
    trigger_date: date
    start: date
    end: date
    status: str
    fulfilled_on: date | None
    steps: tuple[Step, ...]
    assumptions: tuple[str, ...]
    evidence: str
    release_ref: str | None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Verdict:
    """A deadline's status with what shows it: the day it was done and a line of evidence."""

    status: str
    fulfilled_on: date | None = None
    note: str | None = None


# Later steps that show a stated milestone was reached although no release said so.
STATED_IMPLIED: dict[str, tuple[str, ...]] = {
    "reexamination-request": ("reexamination_grounds", "reexamination_outcome"),
    "reexamination-grounds": ("reexamination_outcome",),
    "reexamination-opinion": ("approval", "refusal"),
    "opinion": ("approval", "refusal"),
    "submission": ("acceptance", "approval", "refusal"),
    "advisory-meeting": ("approval", "refusal"),
}


def applicable_packs(procedure: Procedure, packs: list[Pack]) -> list[Pack]:
    """The packs that govern a procedure's agency."""
    agencies = agencies_of(procedure.agency)
    return [p for p in packs if agencies & set(p.pack.agencies)]


def derive(state: ProcedureState, packs: list[Pack], today: date) -> list[Derivation]:
    """Every deadline of a procedure, rule-derived and stated, with status as of `today`."""
    if History.of(state).has_agency:
        state = prefer_agency(state)  # an act the agency reported is dated by the agency
    results: dict[str, Derivation] = {}
    covered: dict[str, tuple[Pack, _Computed]] = {}
    for pack in applicable_packs(state.procedure, packs):
        cal = get_calendar(pack.pack.calendar)
        memo: dict[str, _Computed | None] = {}
        for rule in pack.rules:
            c = _compute(rule, pack, cal, state, today, memo)
            if c is None:
                continue
            key = f"{state.procedure.key}/{rule.id}"
            results[key] = _to_derivation(key, state.procedure, pack, c)
            # A stated date attaches to the live rule of its milestone, if there is one.
            held = covered.get(rule.milestone) if rule.milestone else None
            live = (Status.OPEN, Status.PASSED, Status.MISSED)
            if rule.milestone and (held is None or held[1].status not in live):
                covered[rule.milestone] = (pack, c)
    _apply_stated(state, results, covered, today, packs)
    milestones = _milestones(state, results, packs)
    told = History.of(state).agency_refs
    out = plenary_deadlines(state, list(results.values()), milestones, today, told=told)
    if History.of(state).has_agency:
        out = agency_dates(state, out, milestones)  # the agency's word kept as such
    return sorted(out, key=lambda d: (d.end, d.key))


def _milestones(
    state: ProcedureState, results: dict[str, Derivation], packs: list[Pack]
) -> dict[str, str]:
    """Each deadline key's milestone: its rule's, or the one a stated key names."""
    of_rule = {
        r.id: r.milestone
        for p in applicable_packs(state.procedure, packs)
        for r in p.rules
        if r.milestone
    }
    out = {}
    for key in results:
        head = key[len(state.procedure.key) + 1 :].split("/")[0]
        if head.startswith("stated-"):
            out[key] = head[len("stated-") :].rstrip("0123456789").rstrip("-")
        elif head in of_rule:
            out[key] = of_rule[head]
    return out


def _compute(
    rule: Rule,
    pack: Pack,
    cal: BusinessCalendar,
    state: ProcedureState,
    today: date,
    memo: dict[str, _Computed | None],
) -> _Computed | None:
    if rule.id in memo:
        return memo[rule.id]
    memo[rule.id] = None  # guards against cycles
    trig = _trigger(rule, pack, cal, state, today, memo)
    if trig is None:
        return None
    start, trig_text, evidence, ref = trig
    if start < rule.valid_from or (rule.valid_until and start > rule.valid_until):
        return None
    if rule.requires and not History.of(state).exists([rule.requires]):
        return None
    if rule.unless and History.of(state).exists(rule.unless):
        return None
    anchor, assumptions, anchor_text = _anchor(rule, start, state)
    raw = _add(anchor, rule, cal)
    first = cal.roll(raw, rule.roll)
    last = cal.roll(_shift(first, rule.window, cal), rule.roll) if rule.window else first
    steps = [
        Step("trigger", trig_text),
        Step("anchor", anchor_text),
        Step("offset", f"{_describe(rule)} = {_fmt(raw)}"),
        Step("roll", _roll_text(rule.roll, raw, first, pack.pack.calendar)),
    ]
    if rule.window:
        steps.append(Step("window", f"{rule.window.describe()}: until {_fmt(last)}"))
    notes = tuple(
        f"provisional roll: calendar '{cal.name}' has no closure table for {y}, so only the "
        "seat's public holidays were used"
        for y in cal.table_gaps(anchor, last)
    )
    steps.append(Step("source", rule.source + (f" <{rule.source_url}>" if rule.source_url else "")))
    verdict = _status(rule, state, start, last, today)
    if verdict.note:
        notes += (verdict.note,)
    late = _late_note(rule, verdict, last, assumptions)
    if late:
        notes += (late,)
    result = _Computed(
        rule,
        start,
        first,
        last,
        verdict.status,
        verdict.fulfilled_on,
        tuple(steps),
        assumptions,
        evidence,
        ref,
        notes,
    )
    memo[rule.id] = result
    return result


def _describe(rule: Rule) -> str:
    if rule.offset is not None:
        return rule.offset.describe()
    from tracker.rules.functions import describe

    assert rule.compute is not None
    return describe(rule.compute, rule.params)


def _trigger(
    rule: Rule,
    pack: Pack,
    cal: BusinessCalendar,
    state: ProcedureState,
    today: date,
    memo: dict[str, _Computed | None],
) -> tuple[date, str, str, str | None] | None:
    """The latest of the rule's triggers: (date, description, evidence, release)."""
    options: list[tuple[date, str, str, str | None]] = []
    for t in rule.trigger:
        if t.rule is not None:
            dep = _compute(pack.rule(t.rule), pack, cal, state, today, memo)
            if dep is None or dep.status == "cancelled":
                continue
            if dep.status == "superseded" and t.at != "due":
                continue
            done = dep.fulfilled_on if t.at == "done-or-due" else None
            when = done or dep.end
            how = "done on" if done else "due"
            options.append(
                (
                    when,
                    f"rule {pack.id}/{t.rule} ({how} {_fmt(when)})",
                    dep.evidence,
                    dep.release_ref,
                )
            )
            continue
        s = History.of(state).latest_dated(t)  # an event trigger names its events
        if s is None:
            continue
        ev = s.item
        assert isinstance(ev, Event) and ev.date
        text = (
            f"{ev.type} {ev.agency} {ev.outcome or ''}".rstrip()
            + (f" ({ev.detail})" if ev.detail else "")
            + f", {state.procedure.product or '?'}, {_fmt(ev.date)} "
            f"(release {s.release_date.isoformat()}, sentence {ev.sentence + 1}"
            f"{evidence_text(s)})"
        )
        options.append((ev.date, text, ev.evidence, s.release_ref))
    return max(options, key=lambda o: o[0]) if options else None


def _anchor(rule: Rule, start: date, state: ProcedureState) -> tuple[date, tuple[str, ...], str]:
    if rule.anchor == "date":
        return start, (), f"trigger date = {_fmt(start)}"
    name = rule.anchor.replace("_", " ")
    what = rule.trigger[0].type.replace("_", " ") if rule.trigger[0].type else "trigger"
    known = state.facts.get(rule.anchor)
    if known is not None and known >= start:
        return known, (), f"{name} of the {what} = {_fmt(known)} (recorded fact)"
    note = f"{name} of the {what} assumed on {start.isoformat()}"
    return start, (note,), f"{name} of the {what} = {_fmt(start)} (assumed: not stated)"


def _add(anchor: date, rule: Rule, cal: BusinessCalendar) -> date:
    if rule.compute is not None:
        from tracker.rules.functions import FUNCTIONS

        return FUNCTIONS[rule.compute](anchor, rule.params)
    assert rule.offset is not None
    return _shift(anchor, rule.offset, cal)


def _shift(anchor: date, off: Offset, cal: BusinessCalendar) -> date:
    if off.unit == "days":
        return anchor + timedelta(days=off.amount)
    if off.unit == "weeks":
        return anchor + timedelta(weeks=off.amount)
    if off.unit == "months":
        return anchor + relativedelta(months=off.amount)
    return cal.add_business_days(anchor, off.amount)


def _status(rule: Rule, state: ProcedureState, start: date, end: date, today: date) -> _Verdict:
    """Cancelled, met (said or implied by a later step), superseded, missed (a release says
    so), else open until its date and passed after it: passing is no evidence of a miss."""
    h = History.of(state)
    if rule.cancelled_by and h.exists_from(rule.cancelled_by, start):
        return _Verdict(Status.CANCELLED)
    if rule.met_by and h.exists_from(rule.met_by, start):
        first_done = h.first_date_from(rule.met_by, start)
        return _Verdict(Status.MET, first_done, met_note(h.agency_from(rule.met_by, start)))
    first = h.first_after(rule.implied_by, start) if rule.implied_by else None
    if first is not None:
        ev = first.item
        assert isinstance(ev, Event)
        return _Verdict(Status.MET, None, _implied_text(ev, first))
    if rule.superseded_by and h.exists_from(rule.superseded_by, start):
        return _Verdict(Status.SUPERSEDED)
    if rule.missed_by and h.exists_from(rule.missed_by, start):
        return _Verdict(Status.MISSED)
    if open_and_past(Status.OPEN, end, today):
        return _Verdict(Status.PASSED, None, _no_news(state, end))
    return _Verdict(Status.OPEN)


def _when(s: Sourced) -> date:
    ev = s.item
    return ev.date if isinstance(ev, Event) and ev.date else s.release_date


def _implied_text(ev: Event, s: Sourced) -> str:
    what = ev.type.replace("_", " ") + (f" {ev.outcome}" if ev.outcome else "")
    return (
        f"met: no release said so, but a later step implies it ({what}, "
        f"{_when(s).isoformat()}, release {s.release_date.isoformat()})"
    )


def _no_news(state: ProcedureState, end: date) -> str:
    latest = History.of(state).latest_release
    if latest is None or latest <= end:
        return f"passed on {end.isoformat()}: no news since" + (
            f" the release of {latest.isoformat()}" if latest else ""
        )
    return f"passed on {end.isoformat()}: no release since says whether it happened"


def _late_note(
    rule: Rule, verdict: _Verdict, end: date, assumptions: tuple[str, ...]
) -> str | None:
    """A step done after the date computed from an assumed anchor: the anchor was later."""
    done = verdict.fulfilled_on
    if verdict.status != Status.MET or done is None or done <= end or not assumptions:
        return None
    late = (done - end).days
    return (
        f"done on {done.isoformat()}, {late} day{'s' if late != 1 else ''} after the date "
        f"computed from the assumed {rule.anchor.replace('_', ' ')}: the "
        f"{rule.anchor.replace('_', ' ')} was probably later than assumed (record it with "
        f"`tracker fact set`)"
    )


def _to_derivation(key: str, proc: Procedure, pack: Pack, c: _Computed) -> Derivation:
    return Derivation(
        key=key,
        title=_title(c.rule.title, proc),
        start=c.start,
        end=c.end,
        basis="rule",
        rule=f"{pack.id}/{c.rule.id}",
        evidence=c.evidence,
        steps=c.steps,
        assumptions=c.assumptions,
        source=c.rule.source,
        estimate=c.rule.is_estimate,
        status=c.status,
        release_ref=c.release_ref,
        notes=c.notes,
    )


def _title(template: str, proc: Procedure) -> str:
    return template.format(
        product=proc.product or "unnamed product",
        company=proc.company or "unknown company",
        agency=proc.agency,
    )


def _apply_stated(
    state: ProcedureState,
    results: dict[str, Derivation],
    covered: dict[str, tuple[Pack, _Computed]],
    today: date,
    packs: list[Pack],
) -> None:
    """Add stated timelines; a stated date replaces a rule's estimate of the same milestone.

    A milestone keeps its key whichever release states it: the latest release's statement
    revises the deadline (the store keeps the history), an earlier one at another key (a
    window later given as a day) is kept as superseded, never left as a live copy.

    Only what the result shows is derived: the latest statement at each key, and the last
    earlier one at a key no later release states (kept as superseded). The history finds
    both without reading the statements in between, so a long history of restatements costs
    no more than the statements that stand."""
    static = _milestone_rules(state.procedure, packs)
    history = History.of(state)
    current: dict[str, Callable[[], Derivation]] = {}
    older: dict[str, tuple[Callable[[], Derivation], date]] = {}
    for milestone, m in history.milestones.items():
        stated = _StatedKeys(state, milestone, covered.get(milestone), static, today)
        # Per key, the last statement of the latest release date and the last one before.
        now_at: dict[str, tuple[tuple[date, int, int], int]] = {}
        before: dict[str, tuple[tuple[date, int, int], int]] = {}
        for (n, point, days), entry in m.latest_per_class():
            key = stated.key(n, point, days)
            into = now_at if entry[0] == m.latest else before
            if key not in into or into[key][0] < entry:
                into[key] = (entry, n)
        for (n, point, days), entry in m.earlier():
            key = stated.key(n, point, days)
            if key not in before or before[key][0] < entry:
                before[key] = (entry, n)
        for key, (entry, n) in now_at.items():
            current[key] = stated.build(n, history.timelines[entry[2]])
        for key, (entry, n) in before.items():
            older[key] = (stated.build(n, history.timelines[entry[2]]), m.latest)
    for key, build in current.items():
        results[key] = build()
    for key, (build, restated) in older.items():
        if key in results:
            continue
        d = build()
        if d.status in (Status.OPEN, Status.PASSED):
            note = f"restated by the release of {restated.isoformat()}"
            d = replace(d, status=Status.SUPERSEDED, notes=(*d.notes, note))
        results[key] = d


@dataclass(frozen=True, slots=True)
class _StatedKeys:
    """The key and the derivation of a milestone's statements: the n-th statement of a
    release, a single day or a window, counting the rule's days or not."""

    state: ProcedureState
    milestone: str
    covered: tuple[Pack, _Computed] | None
    static: dict[str, str]
    today: date

    def _hit(self, days: int | None) -> tuple[tuple[Pack, _Computed] | None, str | None]:
        """The live rule the statement is about, and the rule id its key takes."""
        hit = self.covered
        if hit is not None and not _agrees_days(days, hit[1].rule):
            return None, None  # another act than the rule's: its own milestone, not its title
        return hit, hit[1].rule.id if hit else self.static.get(self.milestone)

    def key(self, n: int, point: bool, days: int | None) -> str:
        """The deadline key of such a statement."""
        hit, rule_id = self._hit(days)
        proc = self.state.procedure.key
        suffix = "" if n == 1 else f"-{n}"
        if hit is not None and point and n == 1:
            return f"{proc}/{hit[1].rule.id}"
        if rule_id is not None:
            return f"{proc}/{rule_id}" + (
                f"/stated{suffix}" if hit is not None or not point else suffix
            )
        return f"{proc}/stated-{self.milestone}{suffix}"

    def build(self, n: int, s: Sourced) -> Callable[[], Derivation]:
        """How to derive the deadline of a release's n-th statement of the milestone."""
        t = s.item
        assert isinstance(t, Timeline)
        point, days = t.start == t.end, stated_days(t)
        key = self.key(n, point, days)
        hit, _rule_id = self._hit(days)
        if hit is not None and point and n == 1:
            pack, c = hit
            return partial(_stated_over_rule, key, self.state, s, t, pack, c, self.today)
        rule_ref = f"{hit[0].id}/{hit[1].rule.id}" if hit else None
        return partial(_stated, key, self.state, s, t, rule_ref, hit, self.today)


def _milestone_rules(procedure: Procedure, packs: list[Pack]) -> dict[str, str]:
    """The first rule of each milestone in the packs that govern a procedure."""
    out: dict[str, str] = {}
    for pack in applicable_packs(procedure, packs):
        for rule in pack.rules:
            if rule.milestone:
                out.setdefault(rule.milestone, rule.id)
    return out


def _agrees_days(days: int | None, rule: Rule) -> bool:
    """A stated offset names the rule's act only when it counts the rule's period
    (`tracker.rules.history.stated_days`)."""
    if days is None or rule.offset is None or rule.offset.unit != "days":
        return True
    return days == rule.offset.amount


def _stated_over_rule(
    key: str, state: ProcedureState, s: Sourced, t: Timeline, pack: Pack, c: _Computed, today: date
) -> Derivation:
    cal = get_calendar(pack.pack.calendar)
    end = t.end
    steps = [Step("stated", f'"{t.expression}" in release {s.release_date.isoformat()}')]
    if t.why:
        steps.append(Step("read", t.why))
    assumptions = t.assumptions or c.assumptions
    if t.offset_days is not None and t.anchor_date is not None:
        anchor_date, anchor_text, assumptions = _stated_anchor(state, t, assumptions)
        raw = anchor_date + timedelta(days=t.offset_days)
        end = cal.roll(raw, c.rule.roll)
        steps += [
            Step("anchor", anchor_text),
            Step("offset", f"+{t.offset_days} days = {_fmt(raw)}"),
            Step("roll", _roll_text(c.rule.roll, raw, end, pack.pack.calendar)),
        ]
    steps.append(Step("rule", f"{pack.id}/{c.rule.id} computes {_fmt(c.end)}"))
    steps.append(Step("source", c.rule.source))
    verdict = _status(c.rule, state, c.trigger_date, end, today)
    notes = tuple(n for n in (verdict.note, _late_note(c.rule, verdict, end, assumptions)) if n)
    return Derivation(
        key=key,
        title=_title(c.rule.title, state.procedure),
        start=end,
        end=end,
        basis="stated",
        rule=f"{pack.id}/{c.rule.id}",
        evidence=t.evidence,
        steps=tuple(steps),
        assumptions=assumptions,
        source=c.rule.source,
        estimate=False,
        status=verdict.status,
        release_ref=s.release_ref,
        notes=notes,
    )


def _stated_anchor(
    state: ProcedureState, t: Timeline, assumptions: tuple[str, ...]
) -> tuple[date, str, tuple[str, ...]]:
    """The anchor a stated offset counts from: a recorded fact it names wins over the date
    the release gave or the reader assumed, exactly as for a rule's anchor."""
    assert t.anchor_date is not None
    fact = fact_of_anchor(t.anchor)
    known = state.facts.get(fact.value) if fact else None
    if fact is not None and known is not None:
        kept = tuple(a for a in assumptions if not a.startswith((t.anchor or "", fact.value)))
        return known, f"{t.anchor} = {_fmt(known)} (recorded fact)", kept
    assumed = " (assumed)" if t.assumptions else ""
    return t.anchor_date, f"{t.anchor} = {_fmt(t.anchor_date)}{assumed}", assumptions


def _stated(
    key: str,
    state: ProcedureState,
    s: Sourced,
    t: Timeline,
    rule_ref: str | None,
    hit: tuple[Pack, _Computed] | None,
    today: date,
) -> Derivation:
    steps = [
        Step(
            "stated",
            f'"{t.expression}" in release {s.release_date.isoformat()}, sentence {t.sentence + 1}',
        )
    ]
    if t.why:
        steps.append(Step("read", t.why))
    start, end, assumptions = t.start, t.end, t.assumptions
    if t.anchor_date is not None:
        anchor_date, anchor_text, assumptions = _stated_anchor(state, t, t.assumptions)
        steps.append(Step("anchor", anchor_text))
        if t.offset_days is not None and anchor_date != t.anchor_date:
            start = end = anchor_date + timedelta(days=t.offset_days)
            steps.append(Step("offset", f"+{t.offset_days} days = {_fmt(end)}"))
    notes: tuple[str, ...] = ()
    if hit is not None:
        rule_end = hit[1].end
        inside = start <= rule_end <= end
        steps.append(
            Step(
                "rule",
                f"{rule_ref} computes {_fmt(rule_end)}"
                + ("" if inside else " (outside the stated window)"),
            )
        )
        if not inside:
            notes = (
                f"the company's window {start.isoformat()}..{end.isoformat()} and the "
                f"rule's date {rule_end.isoformat()} disagree",
            )
    status, note = _stated_status(state, t.milestone, s.release_date, end, today)
    if note:
        notes += (note,)
    title = MILESTONE_TITLES.get(t.milestone, "Regulatory milestone")
    return Derivation(
        key=key,
        title=f"{title}: {state.procedure.product or 'unnamed product'}",
        start=start,
        end=end,
        basis="stated",
        rule=rule_ref,
        evidence=t.evidence,
        steps=tuple(steps),
        assumptions=assumptions,
        estimate=t.estimate,
        status=status,
        release_ref=s.release_ref,
        notes=notes,
    )


def _stated_status(
    state: ProcedureState, milestone: str, released: date, end: date, today: date
) -> tuple[str, str | None]:
    """A stated milestone no rule covers: cancelled by a withdrawal, met by its act or implied
    by a later step reported after the release that stated it, else open or passed."""
    if _later_of(state, ("withdrawal",), released):
        return Status.CANCELLED, None
    done = _later_of(state, DONE_BY.get(milestone, ()), released)
    if done is not None and not _ahead(done, today):
        return Status.MET, met_note([done])
    implied = _later_of(state, STATED_IMPLIED.get(milestone, ()), released)
    if implied is not None:
        ev = implied.item
        assert isinstance(ev, Event)
        return Status.MET, _implied_text(ev, implied)
    if open_and_past(Status.OPEN, end, today):
        return Status.PASSED, _no_news(state, end)
    return Status.OPEN, None


def _ahead(s: Sourced, today: date) -> bool:
    """An act dated after today is announced, not done (a meeting the agency scheduled)."""
    return isinstance(s.item, Event) and s.item.date is not None and s.item.date > today


def _later_of(state: ProcedureState, types: tuple[str, ...], after: date) -> Sourced | None:
    """The first event of one of `types` reported after `after`."""
    return History.of(state).first_reported_after(types, after)


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # strftime's %a, locale-free


def _fmt(d: date) -> str:
    return f"{d.isoformat()} ({_WEEKDAYS[d.weekday()]})"


def _roll_text(convention: str, raw: date, end: date, calendar: str) -> str:
    if convention == "none":
        return "none (the date stands even on a non-working day)"
    if raw == end:
        return f"{convention} on the {calendar} calendar: not needed"
    return f"{convention} on the {calendar} calendar: {_fmt(raw)} -> {_fmt(end)}"


def evaluate_example(
    pack: Pack, rule: Rule, trigger_on: date, receipt_on: date | None = None
) -> date:
    """Compute a rule's date for a bare trigger date, as `[[rules.examples]]` state it."""
    cal = get_calendar(pack.pack.calendar)
    anchor = receipt_on or trigger_on
    return cal.roll(_add(anchor, rule, cal), rule.roll)


def explain_rule(pack: Pack, rule: Rule, trigger_on: date) -> list[Step]:
    """The computation of a rule for a trigger date, step by step."""
    cal = get_calendar(pack.pack.calendar)
    raw = _add(trigger_on, rule, cal)
    end = cal.roll(raw, rule.roll)
    return [
        Step("trigger", _fmt(trigger_on)),
        Step("offset", f"{_describe(rule)} = {_fmt(raw)}"),
        Step("roll", _roll_text(rule.roll, raw, end, pack.pack.calendar)),
        Step("result", _fmt(end)),
        Step("source", rule.source),
    ]


def with_status(d: Derivation, today: date) -> Derivation:
    """A derivation's status as of `today`: an open deadline whose date is behind us passed."""
    status = status_on(d.status, d.end, today)
    return d if status == d.status else replace(d, status=status)
