"""What the agency's own word does to a procedure's deadlines. Pure.

- An act the agency's document reports (EMA's CHMP highlights) is dated by the agency: a
  company's mention of the same act (same type, agency and outcome, within a month, or
  undated) gives way to it, and what the company said is kept beside it for `explain`.
- "CHMP opinion expected" becomes the window of the plenaries it can be adopted at
  (`config/calendars/chmp-plenaries.toml`).
- Silence: a plenary whose highlights were read without an opinion for the procedure moves
  its expected opinion to the next plenary, saying so.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from tracker.domain import Derivation, Event, ProcedureState, Sourced, Step
from tracker.rules.plenaries import PlenaryCalendar, dates_label, load_plenaries
from tracker.vocabulary import DONE_BY, Status

AGENCY = "agency"
# How far apart a company's date and the agency's may be and still be one act (a release
# the day after the plenary, a late one): beyond it they are two acts.
SAME_ACT_DAYS = 31
# The milestones adopted at a CHMP plenary.
PLENARY_MILESTONES = frozenset({"opinion", "reexamination-opinion"})


def prefer_agency(state: ProcedureState) -> ProcedureState:
    """The state with each act the agency reported dated by the agency: the company's
    mentions of it dropped, what they said kept in `told`. Unchanged without agency word."""
    agency = [s for s in state.events if s.kind == AGENCY]
    if not agency:
        return state
    dropped: set[int] = set()
    told: dict[int, list[Sourced]] = {}
    for i, s in enumerate(state.events):
        if s.kind == AGENCY:
            continue
        a = _same_act(s, agency)
        if a is not None:
            dropped.add(i)
            told.setdefault(id(a), []).append(s)
    events = []
    for i, s in enumerate(state.events):
        if i in dropped:
            continue
        if id(s) in told:
            s = replace(s, told=_told(s, told[id(s)]))
        events.append(s)
    return ProcedureState(
        state.procedure,
        events,
        list(state.timelines),
        dict(state.facts),
        published=state.published,
    )


def _same_act(s: Sourced, agency: list[Sourced]) -> Sourced | None:
    ev = s.item
    if not isinstance(ev, Event):
        return None
    for a in agency:
        other = a.item
        assert isinstance(other, Event)
        if (ev.type, ev.agency, ev.outcome) != (other.type, other.agency, other.outcome):
            continue
        if ev.date is None or other.date is None:
            return a
        if abs((ev.date - other.date).days) <= SAME_ACT_DAYS:
            return a
    return None


def _told(a: Sourced, company: list[Sourced]) -> str | None:
    """What the company said of an act the agency dated, when its date differs."""
    ev = a.item
    assert isinstance(ev, Event)
    parts = []
    for c in sorted(company, key=lambda x: (x.release_date, x.release_ref)):
        other = c.item
        assert isinstance(other, Event)
        if other.date != ev.date:
            said = other.date.isoformat() if other.date else "no date"
            parts.append(f"the company's release of {c.release_date.isoformat()} said {said}")
    return "; ".join(dict.fromkeys(parts)) or None


def evidence_text(s: Sourced) -> str:
    """Where an event comes from, for a trigger line: the agency document, and the
    company's differing date beside it."""
    if s.kind != AGENCY:
        return ""
    return f"; agency document {s.release_ref}" + (f"; {s.told}" if s.told else "")


def met_note(met: list[Sourced]) -> str | None:
    """The note of a deadline an agency document shows met (None for a company's word)."""
    agency = sorted((s for s in met if s.kind == AGENCY), key=lambda s: s.release_ref)
    if not agency:
        return None
    s = agency[0]
    ev = s.item
    assert isinstance(ev, Event)
    what = ev.type.replace("_", " ") + (f" {ev.outcome}" if ev.outcome else "")
    when = ev.date.isoformat() if ev.date else s.release_date.isoformat()
    return f"met: {what} on {when}, agency document {s.release_ref}" + (
        f" (company: {s.told})" if s.told else ""
    )


def plenary_deadlines(
    state: ProcedureState,
    derivations: list[Derivation],
    milestones: dict[str, str],
    today: date,
    calendar: PlenaryCalendar | None = None,
    told: set[str] | None = None,
) -> list[Derivation]:
    """EU deadlines of an opinion as plenary windows, moved past plenaries whose highlights
    were read without it. `milestones` maps a deadline key to its milestone; `told`, the
    agency documents that told the procedure's events (found from the events if not given)."""
    if state.procedure.agency != "EU":
        return derivations
    cal = calendar or load_plenaries()
    out = []
    for d in derivations:
        if milestones.get(d.key) in PLENARY_MILESTONES and d.status in (
            Status.OPEN,
            Status.PASSED,
        ):
            if d.basis == "rule":
                d = _as_plenary_window(d, cal)
            if told is None:
                told = {s.release_ref for s in state.events if s.kind == AGENCY}
            d = _silence(d, state, cal, today, told)
        out.append(d)
    return out


def _as_plenary_window(d: Derivation, cal: PlenaryCalendar) -> Derivation:
    span = cal.window(d.start, d.end)
    if span is None:
        return d
    first, last = span
    if (first.start, last.end) == (d.start, d.end):
        return d
    what = (
        f"CHMP plenary {first.label}"
        if first == last
        else f"CHMP plenaries {first.label} to {last.label}"
    )
    step = Step("plenary", f"{what} (calendar: {cal.source})")
    return replace(d, start=first.start, end=last.end, steps=(*d.steps, step))


def _silence(
    d: Derivation, state: ProcedureState, cal: PlenaryCalendar, today: date, told: set[str]
) -> Derivation:
    """Move an expected opinion past each plenary whose highlights were read without it."""
    silent = sorted(
        (start, end)
        for start, end, ref in state.published
        if ref not in told and start <= d.end and end >= d.start
    )
    notes, steps = list(d.notes), list(d.steps)
    start, end = d.start, d.end
    seen: set[tuple[date, date]] = set()
    while silent:
        first, last = silent[-1]
        seen.update(silent)
        label = dates_label(first, last)
        nxt = cal.next_after(last)
        if nxt is None:
            notes.append(
                f"not in the CHMP highlights of {label}; the next plenary is not in the calendar"
            )
            break
        notes.append(f"not in the CHMP highlights of {label}: moved to the plenary of {nxt.label}")
        steps.append(Step("silence", f"not in the CHMP highlights of {label}; next {nxt.label}"))
        start, end = nxt.start, nxt.end
        silent = sorted(
            (a, b)
            for a, b, ref in state.published
            if ref not in told and (a, b) not in seen and a <= end and b >= start
        )
    if (start, end) == (d.start, d.end) and notes == list(d.notes):
        return d
    status = Status.OPEN if end >= today else Status.PASSED
    notes = [n for n in notes if not n.startswith("passed on ")] if status == Status.OPEN else notes
    return replace(d, start=start, end=end, status=status, notes=tuple(notes), steps=tuple(steps))


# The note a stated deadline carries when the agency dates its act otherwise (the "changed"
# notice of `tracker.remind.plan` looks for it).
AGENCY_DATE = "agency date: "


def agency_dates(
    state: ProcedureState, derivations: list[Derivation], milestones: dict[str, str]
) -> list[Derivation]:
    """Each deadline with the kind of its evidence ("agency" when the agency's document gave
    it, else "company"); a stated deadline whose act an agency document dates on another day
    (within SAME_ACT_DAYS of it, outside its window) keeps the company's date, with the
    agency's beside it in a note and a step. Unchanged without the agency's word."""
    agency = [s for s in state.events if s.kind == AGENCY]
    if not agency:
        return derivations
    refs = {s.release_ref for s in agency}
    out = []
    for d in derivations:
        if d.release_ref in refs:
            d = replace(d, evidence_kind=AGENCY)
        acts = DONE_BY.get(milestones.get(d.key, ""), ())
        if d.basis == "stated" and acts:
            s = _dated_otherwise(
                d, [a for a in agency if isinstance(a.item, Event) and a.item.type in acts]
            )
            if s is not None:
                ev = s.item
                assert isinstance(ev, Event) and ev.date is not None
                stated = d.end.isoformat() if d.start == d.end else f"{d.start} to {d.end}"
                text = (
                    f"the {ev.agency} dates it {ev.date.isoformat()} (agency document "
                    f"{s.release_ref}); the company stated {stated}"
                )
                d = replace(
                    d, notes=(*d.notes, AGENCY_DATE + text), steps=(*d.steps, Step("agency", text))
                )
        out.append(d)
    return out


def _dated_otherwise(d: Derivation, agency: list[Sourced]) -> Sourced | None:
    """The agency's report of a deadline's act on a day outside its window, nearest first."""
    near = []
    for s in agency:
        ev = s.item
        if not isinstance(ev, Event) or ev.date is None or d.start <= ev.date <= d.end:
            continue
        gap = min(abs((ev.date - d.start).days), abs((ev.date - d.end).days))
        if gap <= SAME_ACT_DAYS:
            near.append((gap, s.release_ref, s))
    return min(near, key=lambda x: (x[0], x[1]))[2] if near else None


def agency_date_note(notes: tuple[str, ...]) -> str | None:
    """What a deadline's "agency date" note says (None without one)."""
    for n in notes:
        if n.startswith(AGENCY_DATE):
            return n[len(AGENCY_DATE) :]
    return None
