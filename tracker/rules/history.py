"""A procedure's events and stated timelines, indexed for the questions the rules ask. Pure.

The engine asks a history a few kinds of question: the latest dated event of a kind, whether
one was reported from a day on, the first of them after a day, the statements that stand for
a milestone. Each is answered by a binary search in sorted lists kept per kind of event and
per milestone, so a question costs the same on a procedure of ten releases as on one of a
thousand. The index is built once per state and extended as the state's lists grow (the
store keeps a procedure's state between releases and appends what a release adds), so a
new release costs what its own items cost.

Every answer is exactly what a scan of the whole history in reading order would give: ties
go to the item read first, as a scan keeps its first best.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from tracker.domain import Event, ProcedureState, Sourced, Timeline

_AGENCY = "agency"  # `Sourced.kind` of an act the agency's own document told
_LAST = 1 << 62  # a position after every item: (day, _LAST) sorts after every (day, seq)

# An event's group: (agency, outcome, detail) under its type.
_GroupKey = tuple[str, str | None, str | None]


class Match(Protocol):
    """What a question names: an event type, and the agency, outcome and detail it wants
    (None: any). A rule's `EventMatch` and an event trigger are both one."""

    @property
    def type(self) -> str | None: ...
    @property
    def agency(self) -> str | None: ...
    @property
    def outcome(self) -> str | None: ...
    @property
    def detail(self) -> str | None: ...


@dataclass
class _Group:
    """The events of one type, agency, outcome and detail."""

    best: int = -1  # the dated event latest by (date, release date); first read among equals
    best_key: tuple[date, date] | None = None
    dated: list[tuple[date, int]] = field(default_factory=list)  # (date, seq), sorted
    undated: list[tuple[date, int]] = field(default_factory=list)  # (release date, seq)


@dataclass
class Milestone:
    """The statements of one milestone: sorted by (release date, sentence, reading order),
    each numbered within its release (`n`), and grouped by what decides its deadline key."""

    entries: list[tuple[date, int, int]] = field(default_factory=list)
    per_ref: dict[str, list[tuple[date, int, int]]] = field(default_factory=dict)
    # (n, a single day, stated days) -> that class's entries, sorted
    classes: dict[tuple[int, bool, int | None], list[tuple[date, int, int]]] = field(
        default_factory=dict
    )

    @property
    def latest(self) -> date:
        """The latest release date that states this milestone."""
        return self.entries[-1][0]

    def latest_per_class(
        self,
    ) -> Iterator[tuple[tuple[int, bool, int | None], tuple[date, int, int]]]:
        """Per class, its last statement."""
        for cls, entries in self.classes.items():
            yield cls, entries[-1]

    def earlier(self) -> Iterator[tuple[tuple[int, bool, int | None], tuple[date, int, int]]]:
        """Per class, its last statement released before the latest date."""
        latest = self.latest
        for cls, entries in self.classes.items():
            i = bisect_left(entries, (latest,)) - 1
            if i >= 0:
                yield cls, entries[i]


def stated_days(t: Timeline) -> int | None:
    """The days a statement counts, as a rule's offset would (None: it counts none)."""
    if t.offset_days is not None:
        return t.offset_days
    if t.anchor_date is not None and t.start == t.end:
        return (t.end - t.anchor_date).days  # an adjectival clock ("a 180-day review target")
    return None


class History:
    """The index of one state's events and timelines (see the module's docstring)."""

    def __init__(self, state: ProcedureState) -> None:
        self._lock = threading.Lock()
        # The state's own lists (a seq is a position in them), and how much of each is in.
        self.events = self._events = state.events
        self.timelines = self._timelines = state.timelines
        self._n_events = 0
        self._n_timelines = 0
        self._groups: dict[str, dict[_GroupKey, _Group]] = {}
        self._reported: dict[str, list[tuple[date, int]]] = {}  # type -> (release date, seq)
        self._first_dated: dict[tuple[str, str, str | None], date] = {}
        self._agency: list[int] = []
        self.agency_refs: set[str] = set()
        self.latest_release: date | None = None
        self.milestones: dict[str, Milestone] = {}
        # The groups each list of matches takes (emptied when a new group appears).
        self._taken: dict[tuple[tuple[Any, ...], ...], list[tuple[int, str, _GroupKey, _Group]]]
        self._taken = {}

    @classmethod
    def of(cls, state: ProcedureState) -> History:
        """The state's index, built on first use and brought up to date with its lists (a
        list replaced, or shortened, builds it afresh)."""
        h = state.index
        if (
            type(h) is History
            and h._n_events == len(state.events)
            and h._n_timelines == len(state.timelines)
            and h._events is state.events
            and h._timelines is state.timelines
        ):
            return h  # up to date already
        if (
            not isinstance(h, History)
            or h._events is not state.events
            or h._timelines is not state.timelines
            or h._n_events > len(state.events)
            or h._n_timelines > len(state.timelines)
        ):
            h = History(state)
            state.index = h
        h._sync()
        return h

    def _sync(self) -> None:
        with self._lock:
            while self._n_events < len(self._events):
                self._add_event(self._n_events)
                self._n_events += 1
            while self._n_timelines < len(self._timelines):
                self._add_timeline(self._n_timelines)
                self._n_timelines += 1

    # events

    def _add_event(self, seq: int) -> None:
        s = self.events[seq]
        ev = s.item
        assert isinstance(ev, Event)
        rd = s.release_date
        groups = self._groups.setdefault(ev.type, {})
        gk = (ev.agency, ev.outcome, ev.detail)
        g = groups.get(gk)
        if g is None:
            g = groups[gk] = _Group()
            self._taken.clear()
        if ev.date is not None:
            key = (ev.date, rd)
            if g.best_key is None or key > g.best_key:
                g.best, g.best_key = seq, key
            insort(g.dated, (ev.date, seq))
            told = (ev.type, ev.agency, ev.outcome)
            if told not in self._first_dated or rd < self._first_dated[told]:
                self._first_dated[told] = rd
        else:
            insort(g.undated, (rd, seq))
        insort(self._reported.setdefault(ev.type, []), (rd, seq))
        if s.kind == _AGENCY:
            self._agency.append(seq)
            self.agency_refs.add(s.release_ref)
        if self.latest_release is None or rd > self.latest_release:
            self.latest_release = rd

    @property
    def has_agency(self) -> bool:
        """True when an agency's own document told any of the events."""
        return bool(self._agency)

    def _matching_groups(
        self, matches: Iterable[Match]
    ) -> list[tuple[int, str, _GroupKey, _Group]]:
        """(position of the type among the matches, type, key, group) of every group that
        some match takes."""
        ms = tuple(matches)
        memo = tuple((m.type, m.agency, m.outcome, m.detail) for m in ms)
        hit = self._taken.get(memo)
        if hit is not None:
            return hit
        order: dict[str, int] = {}
        wanted: dict[str, list[Match]] = {}
        for m in ms:
            assert m.type is not None
            order.setdefault(m.type, len(order))
            wanted.setdefault(m.type, []).append(m)
        out = [
            (order[kind], kind, gk, g)
            for kind, kinds in wanted.items()
            for gk, g in self._groups.get(kind, {}).items()
            if any(_takes(m, gk) for m in kinds)
        ]
        self._taken[memo] = out
        return out

    def _told_by(self, kind: str, gk: _GroupKey) -> date | None:
        """The first release date that dated an act of this kind: an undated mention read
        after it is that act told again."""
        return self._first_dated.get((kind, gk[0], gk[1]))

    def exists(self, matches: Iterable[Match]) -> bool:
        """True when any event matches."""
        return any(g.dated or g.undated for *_, g in self._matching_groups(matches))

    def latest_dated(self, match: Match) -> Sourced | None:
        """The dated event latest by (date, release date), the first read among equals."""
        best: tuple[date, date, int] | None = None
        for *_, g in self._matching_groups([match]):
            if g.best_key is not None:
                cand = (*g.best_key, -g.best)  # the lower seq wins a tie
                if best is None or cand > best:
                    best = cand
        return self.events[-best[2]] if best is not None else None

    def _undated_from(self, kind: str, gk: _GroupKey, g: _Group, pos: int) -> int | None:
        """The seq of the undated mention at `pos` in `g.undated` if it counts (no earlier
        release dated the act), else None: later ones are released later still."""
        if pos >= len(g.undated):
            return None
        told = self._told_by(kind, gk)
        rd, seq = g.undated[pos]
        return seq if told is None or rd <= told else None

    def exists_from(self, matches: Iterable[Match], after: date) -> bool:
        """True when a matching event happened (or, undated, was reported) on or after
        `after`; an undated mention of an act already dated does not count."""
        for _pos, kind, gk, g in self._matching_groups(matches):
            if g.dated and g.dated[-1][0] >= after:
                return True
            i = bisect_left(g.undated, (after, -1))
            if self._undated_from(kind, gk, g, i) is not None:
                return True
        return False

    def first_date_from(self, matches: Iterable[Match], after: date) -> date | None:
        """The earliest date on or after `after` among matching dated events."""
        out: date | None = None
        for *_, g in self._matching_groups(matches):
            i = bisect_left(g.dated, (after, -1))
            if i < len(g.dated) and (out is None or g.dated[i][0] < out):
                out = g.dated[i][0]
        return out

    def agency_from(self, matches: Sequence[Match], after: date) -> list[Sourced]:
        """The agency's own events among those `exists_from` counts, in reading order."""
        if not self._agency:
            return []
        out = []
        order = [k for k in dict.fromkeys(m.type for m in matches) if k is not None]
        for kind in order:
            for seq in self._agency:
                s = self.events[seq]
                ev = s.item
                assert isinstance(ev, Event)
                if ev.type != kind:
                    continue
                gk = (ev.agency, ev.outcome, ev.detail)
                if not any(_takes(m, gk) for m in matches if m.type == kind):
                    continue
                if ev.date is not None:
                    if ev.date >= after:
                        out.append(s)
                    continue
                told = self._told_by(kind, gk)
                if s.release_date >= after and (told is None or s.release_date <= told):
                    out.append(s)
        return out

    def first_after(self, matches: Iterable[Match], start: date) -> Sourced | None:
        """The matching event that happened (or, undated, was reported) first after
        `start`, the first in the matches' order among equals."""
        best: tuple[date, int, int] | None = None
        for pos, kind, gk, g in self._matching_groups(matches):
            i = bisect_right(g.dated, (start, _LAST))
            if i < len(g.dated):
                cand = (g.dated[i][0], pos, g.dated[i][1])
                best = cand if best is None or cand < best else best
            j = bisect_right(g.undated, (start, _LAST))
            seq = self._undated_from(kind, gk, g, j)
            if seq is not None:
                cand = (g.undated[j][0], pos, seq)
                best = cand if best is None or cand < best else best
        return self.events[best[2]] if best is not None else None

    def first_reported_after(self, types: Iterable[str], after: date) -> Sourced | None:
        """The first event of one of `types` reported after `after` (the first type among
        equals)."""
        best: tuple[date, int, int] | None = None
        for pos, kind in enumerate(dict.fromkeys(types)):
            rows = self._reported.get(kind)
            if not rows:
                continue
            i = bisect_right(rows, (after, _LAST))
            if i < len(rows):
                cand = (rows[i][0], pos, rows[i][1])
                best = cand if best is None or cand < best else best
        return self.events[best[2]] if best is not None else None

    # timelines

    def _add_timeline(self, seq: int) -> None:
        s = self.timelines[seq]
        t = s.item
        assert isinstance(t, Timeline)
        m = self.milestones.setdefault(t.milestone, Milestone())
        entry = (s.release_date, t.sentence, seq)
        insort(m.entries, entry)
        mine = m.per_ref.setdefault(s.release_ref, [])
        insort(mine, entry)
        if mine[-1] != entry:
            # Read before a statement of the same release already indexed: the numbers of
            # the statements after it move, so this milestone's classes are rebuilt.
            self._classify(m)
            return
        self._class_of(m, len(mine), entry)

    def _class_of(self, m: Milestone, n: int, entry: tuple[date, int, int]) -> None:
        t = self.timelines[entry[2]].item
        assert isinstance(t, Timeline)
        insort(m.classes.setdefault((n, t.start == t.end, stated_days(t)), []), entry)

    def _classify(self, m: Milestone) -> None:
        m.classes = {}
        for entries in m.per_ref.values():
            for n, entry in enumerate(entries, 1):
                self._class_of(m, n, entry)


def _takes(m: Match, gk: _GroupKey) -> bool:
    """True when the match takes events of this (agency, outcome, detail)."""
    agency, outcome, detail = gk
    return (
        (m.agency is None or m.agency == agency)
        and (m.outcome is None or m.outcome == outcome)
        and (m.detail is None or m.detail == detail)
    )
