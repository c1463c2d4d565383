"""Derive a procedure's deadlines from its events, stated timelines, facts and rule packs.

Pure: `today` is passed in. The result is the complete current picture; the store
reconciles it with what it held before (revisions, history).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from tracker.domain import Derivation, Event, Procedure, Step, Timeline
from tracker.extract.lexicon import MILESTONE_TITLES
from tracker.rules.calendars import BusinessCalendar, get_calendar
from tracker.rules.schema import EventMatch, Offset, Pack, Rule

# The agencies whose procedures each region groups (the EU procedure spans EMA and the Commission).
REGION = {"EMA": "EU", "EC": "EU"}


def region_of(agency: str) -> str:
    """The procedure region of an agency code."""
    return REGION.get(agency, agency)


@dataclass(frozen=True, slots=True)
class Sourced:
    """An event or timeline with the release it came from."""

    item: Event | Timeline
    release_date: date
    release_ref: str


@dataclass
class ProcedureState:
    """Everything known about one procedure."""

    procedure: Procedure
    events: list[Sourced] = field(default_factory=list)
    timelines: list[Sourced] = field(default_factory=list)
    facts: dict[str, date] = field(default_factory=dict)


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


# Events that fulfil or cancel a stated timeline that no rule covers.
STATED_MET: dict[str, tuple[str, ...]] = {
    "action-date": ("approval", "refusal"),
    "advisory-meeting": ("advisory_meeting", "trend_vote"),
    "reexamination-grounds": ("reexamination_grounds",),
    "reexamination-opinion": ("reexamination_outcome",),
    "reexamination-request": ("reexamination_request",),
    "commission-decision": ("approval", "refusal"),
    "decision": ("approval", "refusal"),
    "opinion": ("opinion",),
    "submission": ("submission", "resubmission"),
}


def applicable_packs(procedure: Procedure, packs: list[Pack]) -> list[Pack]:
    """The packs that govern a procedure's agency."""
    agencies = {a for a, r in REGION.items() if r == procedure.agency} or {procedure.agency}
    return [p for p in packs if agencies & set(p.pack.agencies)]


def derive(state: ProcedureState, packs: list[Pack], today: date) -> list[Derivation]:
    """Every deadline of a procedure, rule-derived and stated, with status as of `today`."""
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
            if rule.milestone and (held is None or held[1].status not in ("open", "missed")):
                covered[rule.milestone] = (pack, c)
    _apply_stated(state, results, covered, today)
    return sorted(results.values(), key=lambda d: (d.end, d.key))


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
    if rule.requires and not _matching(state, [rule.requires], None):
        return None
    if rule.unless and _matching(state, rule.unless, None):
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
        f"calendar '{cal.name}' has no closure table for {y}: the seat's public holidays were used"
        for y in cal.table_gaps(anchor, last)
    )
    steps.append(Step("source", rule.source + (f" <{rule.source_url}>" if rule.source_url else "")))
    status, fulfilled = _status(rule, state, start, last, today)
    result = _Computed(
        rule,
        start,
        first,
        last,
        status,
        fulfilled,
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
        found = _matching(state, [t.as_match()], None)
        dated = [s for s in found if isinstance(s.item, Event) and s.item.date]
        if not dated:
            continue
        s = max(dated, key=lambda x: (x.item.date, x.release_date))  # type: ignore[union-attr]
        ev = s.item
        assert isinstance(ev, Event) and ev.date
        text = (
            f"{ev.type} {ev.agency} {ev.outcome or ''}".rstrip()
            + (f" ({ev.detail})" if ev.detail else "")
            + f", {state.procedure.product or '?'}, {_fmt(ev.date)} "
            f"(release {s.release_date.isoformat()}, sentence {ev.sentence + 1})"
        )
        options.append((ev.date, text, ev.evidence, s.release_ref))
    return max(options, key=lambda o: o[0]) if options else None


def _matching(
    state: ProcedureState, matches: list[EventMatch], after: date | None
) -> list[Sourced]:
    out = []
    for s in state.events:
        ev = s.item
        assert isinstance(ev, Event)
        if not any(_is(ev, m) for m in matches):
            continue
        when = ev.date or s.release_date
        if after is not None and when < after:
            continue
        out.append(s)
    return out


def _is(ev: Event, m: EventMatch) -> bool:
    return (
        ev.type == m.type
        and (m.agency is None or ev.agency == m.agency)
        and (m.outcome is None or ev.outcome == m.outcome)
        and (m.detail is None or ev.detail == m.detail)
    )


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


def _status(
    rule: Rule, state: ProcedureState, start: date, end: date, today: date
) -> tuple[str, date | None]:
    if rule.cancelled_by and _matching(state, rule.cancelled_by, start):
        return "cancelled", None
    met = _matching(state, rule.met_by, start) if rule.met_by else []
    if met:
        dates = [s.item.date for s in met if isinstance(s.item, Event) and s.item.date]
        return "met", min(dates) if dates else None
    if rule.superseded_by and _matching(state, rule.superseded_by, start):
        return "superseded", None
    return ("missed" if end < today else "open"), None


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
) -> None:
    """Add stated timelines; a stated date replaces a rule's estimate of the same milestone."""
    per_release: dict[tuple[str | None, str], int] = {}
    for s in sorted(state.timelines, key=lambda x: (x.release_date, x.item.sentence)):
        t = s.item
        assert isinstance(t, Timeline)
        n = per_release.get((s.release_ref, t.milestone), 0) + 1
        per_release[(s.release_ref, t.milestone)] = n
        hit = covered.get(t.milestone)
        if hit is not None and t.start == t.end and n == 1:
            pack, c = hit
            key = f"{state.procedure.key}/{c.rule.id}"
            results[key] = _stated_over_rule(key, state, s, t, pack, c, today)
            continue
        suffix = "" if n == 1 else f"-{n}"
        if hit is not None:
            pack, c = hit
            key = f"{state.procedure.key}/{c.rule.id}/stated{suffix}"
            rule_ref: str | None = f"{pack.id}/{c.rule.id}"
        else:
            key = f"{state.procedure.key}/stated-{t.milestone}{suffix}"
            rule_ref = None
        results[key] = _stated(key, state, s, t, rule_ref, hit, today)


def _stated_over_rule(
    key: str, state: ProcedureState, s: Sourced, t: Timeline, pack: Pack, c: _Computed, today: date
) -> Derivation:
    cal = get_calendar(pack.pack.calendar)
    end = t.end
    steps = [Step("stated", f'"{t.expression}" in release {s.release_date.isoformat()}')]
    if t.why:
        steps.append(Step("read", t.why))
    if t.offset_days is not None and t.anchor_date is not None:
        raw = t.anchor_date + timedelta(days=t.offset_days)
        end = cal.roll(raw, c.rule.roll)
        steps += [
            Step(
                "anchor",
                f"{t.anchor} = {_fmt(t.anchor_date)}" + (" (assumed)" if t.assumptions else ""),
            ),
            Step("offset", f"+{t.offset_days} days = {_fmt(raw)}"),
            Step("roll", _roll_text(c.rule.roll, raw, end, pack.pack.calendar)),
        ]
    steps.append(Step("rule", f"{pack.id}/{c.rule.id} computes {_fmt(c.end)}"))
    steps.append(Step("source", c.rule.source))
    status, _ = _status(c.rule, state, c.trigger_date, end, today)
    return Derivation(
        key=key,
        title=_title(c.rule.title, state.procedure),
        start=end,
        end=end,
        basis="stated",
        rule=f"{pack.id}/{c.rule.id}",
        evidence=t.evidence,
        steps=tuple(steps),
        assumptions=t.assumptions or c.assumptions,
        source=c.rule.source,
        estimate=False,
        status=status,
        release_ref=s.release_ref,
    )


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
    if t.anchor_date is not None:
        steps.append(Step("anchor", f"{t.anchor} = {_fmt(t.anchor_date)}"))
    notes: tuple[str, ...] = ()
    if hit is not None:
        rule_end = hit[1].end
        inside = t.start <= rule_end <= t.end
        steps.append(
            Step(
                "rule",
                f"{rule_ref} computes {_fmt(rule_end)}"
                + ("" if inside else " (outside the stated window)"),
            )
        )
        if not inside:
            notes = (
                f"the company's window {t.start.isoformat()}..{t.end.isoformat()} and the "
                f"rule's date {rule_end.isoformat()} disagree",
            )
    met_types = STATED_MET.get(t.milestone, ())
    after = _matching_types(state, met_types, s.release_date)
    cancelled = _matching_types(state, ("withdrawal",), s.release_date)
    status = "cancelled" if cancelled else "met" if after else "missed" if t.end < today else "open"
    title = MILESTONE_TITLES.get(t.milestone, "Regulatory milestone")
    return Derivation(
        key=key,
        title=f"{title}: {state.procedure.product or 'unnamed product'}",
        start=t.start,
        end=t.end,
        basis="stated",
        rule=rule_ref,
        evidence=t.evidence,
        steps=tuple(steps),
        assumptions=t.assumptions,
        estimate=t.estimate,
        status=status,
        release_ref=s.release_ref,
        notes=notes,
    )


def _matching_types(state: ProcedureState, types: tuple[str, ...], after: date) -> bool:
    for s in state.events:
        ev = s.item
        assert isinstance(ev, Event)
        if ev.type in types and s.release_date > after:
            return True
    return False


def _fmt(d: date) -> str:
    return f"{d.isoformat()} ({d.strftime('%a')})"


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


def slug(text: str | None) -> str:
    """A lower-case, dash-separated identifier fragment."""
    s = re.sub(r"[^a-z0-9]+", "-", (text or "unknown").lower()).strip("-")
    return s or "unknown"


def procedure_for(company: str | None, product: str | None, agency: str) -> Procedure:
    """The procedure of a product before an agency's region."""
    region = region_of(agency)
    key = f"{slug(company)}/{slug(product)}/{region.lower()}"
    return Procedure(key, company, product, region)


def with_status(d: Derivation, today: date) -> Derivation:
    """An open deadline whose date has passed is missed."""
    if d.status == "open" and d.end < today:
        return replace(d, status="missed")
    return d
