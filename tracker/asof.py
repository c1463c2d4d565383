"""The tracker's view as of a past (or future) day: what it knew and what was owed then.

Deadlines are derived again from the releases issued up to that day only, with statuses
for that day; a person's hand-set date or close counts from the moment it was made. Nothing
is written: this is a view for `--as-of`, never a change to the store.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time

from tracker.domain import Deadline, Derivation, ProcedureState
from tracker.pipeline import Context
from tracker.rules.engine import derive
from tracker.vocabulary import LIVE, Closed, Status, status_on


def deadlines_as_of(
    ctx: Context, as_of: date, procedure_keys: list[str] | None = None
) -> list[Deadline]:
    """Every deadline as it stood at the end of `as_of`, ordered by date then key."""
    out: list[Deadline] = []
    end_of_day = datetime.combine(as_of, time.max, tzinfo=UTC)
    keys = procedure_keys if procedure_keys is not None else ctx.store.procedure_keys()
    for key in keys:
        full = ctx.store.procedure_state(key)
        state = ProcedureState(
            full.procedure,
            [s for s in full.events if s.release_date <= as_of],
            [s for s in full.timelines if s.release_date <= as_of],
            {n: v for n, v in full.facts.items() if v <= as_of},
        )
        if not state.events and not state.timelines:
            continue
        stored = {d.key: d for d in ctx.store.deadlines(include_all=True, procedure_key=key)}
        for d in derive(state, ctx.packs, as_of):
            out.append(_with_people(_deadline(d, state), stored.get(d.key), end_of_day, as_of))
    return sorted(out, key=lambda d: (d.end, d.key))


def _deadline(d: Derivation, state: ProcedureState) -> Deadline:
    return Deadline(
        key=d.key,
        title=d.title,
        start=d.start,
        end=d.end,
        basis=d.basis,
        rule=d.rule,
        status=d.status,
        procedure=state.procedure,
        evidence=d.evidence,
        assumptions=d.assumptions,
        steps=d.steps,
        source=d.source,
        estimate=d.estimate,
        release_ref=d.release_ref,
        notes=d.notes,
        evidence_kind=d.evidence_kind,
    )


def _with_people(d: Deadline, row: Deadline | None, end_of_day: datetime, as_of: date) -> Deadline:
    """A person's hand-set date and close, if they had been made by then."""
    if row is None:
        return d
    if row.hand_set and row.hand_set_at and row.hand_set_at <= end_of_day:
        d = replace(d, start=row.start, end=row.end, hand_set=row.hand_set)
        d = replace(d, hand_set_at=row.hand_set_at, evidence_kind="hand-set")
        if d.status in LIVE:
            d = replace(d, status=status_on(Status.OPEN, d.end, as_of))
    if row.closed and row.closed_at and row.closed_at <= end_of_day:
        kind = Closed(row.closed)
        d = replace(d, status=kind.status, closed=row.closed, closed_by=row.closed_by)
    return d
