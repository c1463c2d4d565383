"""The reader's vocabulary, loaded from `lexicon.toml`: agencies, countries, acts, milestones,
modality and context cues, event details and Form 8-K items.

Every pattern runs over lower-cased text. The literal needles that gate a pattern are
computed from the pattern (`needles.py`), and the sentences of a release are first scanned
once for all needles with one Aho-Corasick automaton; only then do the few patterns whose
needles occur run, on the few sentences that hold them.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import ahocorasick

from tracker.extract.dates import NUMBER_WORDS, TEMPORAL_NEEDLES
from tracker.extract.needles import needles
from tracker.vocabulary import MILESTONE_TITLES as _MILESTONE_TITLES
from tracker.vocabulary import MILESTONES

__all__ = ["LEXICON", "Lexicon", "Row"]


@dataclass(frozen=True, slots=True)
class Row:
    """One lexicon entry: what it stands for, its pattern, its needles and its examples."""

    section: str
    name: str  # event type, milestone, cue name, agency code, detail or 8-K item
    id: str
    pattern: re.Pattern[str]
    needles: frozenset[str] | None  # None: no literal every match holds (always tried)
    examples: tuple[str, ...]
    outcome: str | None = None
    kind: str | None = None  # for details: the event type they refine
    reference: bool = False  # an act named as background ("the submission to the FDA")

    def search(self, text: str) -> re.Match[str] | None:
        if self.needles is not None and self.needles.isdisjoint(present_needles(text)):
            return None
        return self.pattern.search(text)

    def finditer(self, text: str) -> list[re.Match[str]]:
        if self.needles is not None and self.needles.isdisjoint(present_needles(text)):
            return []
        return list(self.pattern.finditer(text))


# Every row's needles in one automaton: a text is scanned once for all of them, and each
# row then asks only whether one of its own is among those found. The reader asks many rows
# about the same sentence or window, so the answer is kept for the last few thousand texts.
_GATE = ahocorasick.Automaton()


@lru_cache(maxsize=4096)
def present_needles(text: str) -> frozenset[str]:
    """The lexicon needles that occur in `text` (lower-cased), found in one pass."""
    if _GATE.kind != ahocorasick.AHOCORASICK:
        return frozenset()
    return frozenset(needle for _end, needle in _GATE.iter(text))


def _arm_gate(rows: list[Row]) -> None:
    for row in rows:
        for needle in row.needles or ():
            if needle not in _GATE:
                _GATE.add_word(needle, needle)
    _GATE.make_automaton()
    present_needles.cache_clear()


class Cue:
    """Several rows of one cue name searched as one: the leftmost match of any of them."""

    def __init__(self, rows: list[Row]) -> None:
        self.rows = rows
        self.pattern = re.compile("|".join(f"(?:{r.pattern.pattern})" for r in rows))
        ns = [r.needles for r in rows]
        self.needles: frozenset[str] | None = (
            None if any(n is None for n in ns) else frozenset().union(*ns)  # type: ignore[arg-type]
        )

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        return self.pattern.search(text, pos, len(text) if endpos is None else endpos)


# A shared word list named in a pattern: "@move_verb@" stands for `[words] move_verb`.
_WORD_REF = re.compile(r"@(\w+)@")


def _expand(pattern: str, words: dict[str, str], where: str) -> str:
    """`pattern` with each `@name@` replaced by the non-capturing group of `[words] name`."""

    def word(m: re.Match[str]) -> str:
        if m.group(1) not in words:
            raise ValueError(f"{where}: no [words] entry {m.group(1)!r}")
        return f"(?:{words[m.group(1)]})"

    return _WORD_REF.sub(word, pattern)


def _load_rows(data: dict[str, Any]) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = {}
    words: dict[str, str] = data.get("words", {})
    for section, rows in data.items():
        if section == "words":
            continue
        for n, raw in enumerate(rows):
            name = raw.get("type") or raw.get("name") or raw.get("code") or raw.get("item")
            if section in ("country", "home", "application"):
                name = raw["agency"]
            if section == "detail":
                name = raw["name"]
            pattern = _expand(
                raw["pattern"], words, f"lexicon.toml [[{section}]] #{n + 1} ({name})"
            )
            try:
                compiled = re.compile(pattern)
            except re.error as exc:  # a broken row names itself
                raise ValueError(f"lexicon.toml [[{section}]] #{n + 1} ({name}): {exc}") from exc
            examples = tuple(raw.get("examples", ()))
            if not examples:
                raise ValueError(f"lexicon.toml [[{section}]] #{n + 1} ({name}): no example")
            out.setdefault(section, []).append(
                Row(
                    section,
                    name,
                    raw.get("id") or f"{section}:{name}:{n + 1}",
                    compiled,
                    needles(pattern),
                    examples,
                    raw.get("outcome"),
                    raw.get("type") if section == "detail" else None,
                    bool(raw.get("reference", False)),
                )
            )
    return out


class Lexicon:
    """The loaded lexicon with the derived automata and combined cues."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.rows = _load_rows(data)
        _arm_gate([r for rows in self.rows.values() for r in rows])
        self.agencies: list[Row] = self.rows["agency"]
        self.countries: list[Row] = self.rows["country"]
        self.homes: list[Row] = self.rows.get("home", [])
        self.applications: list[Row] = self.rows.get("application", [])
        self.acts: list[Row] = self.rows["act"]
        self.milestones: list[Row] = self.rows["milestone"]
        unknown = sorted({r.name for r in self.milestones} - MILESTONES)
        if unknown:
            raise ValueError(f"lexicon milestones not in tracker.vocabulary: {', '.join(unknown)}")
        self.details: list[Row] = self.rows.get("detail", [])
        self.sec_items: list[Row] = self.rows.get("sec_item", [])
        by_name: dict[str, list[Row]] = {}
        for row in self.rows["cue"]:
            by_name.setdefault(row.name, []).append(row)
        self.cues = {name: Cue(rows) for name, rows in by_name.items()}
        # Event types in the order their first row appears; rows of one type together.
        self.act_types: dict[str, list[Row]] = {}
        for row in self.acts:
            self.act_types.setdefault(row.name, []).append(row)
        self.agency_regex = {r.name: r.pattern for r in self.agencies}
        self._rows_by_needle: dict[str, list[int]] = {}
        for i, row in enumerate(self.acts):
            for needle in row.needles or ():
                self._rows_by_needle.setdefault(needle, []).append(i)

        def union(rows: list[Row]) -> frozenset[str]:
            out: set[str] = set()
            for r in rows:
                if r.needles is None:
                    raise ValueError(f"lexicon row {r.id} has no literal needle to gate it")
                out |= r.needles
            return frozenset(out)

        self.agency_needles = {r.name: union([r]) for r in self.agencies}
        self.event_hint = union(self.acts) | union(self.sec_items)
        self.regulatory_needles = union(self.cues["regulatory"].rows)
        self.doc_needles = (
            self.regulatory_needles
            | self.event_hint
            | frozenset().union(*self.agency_needles.values())
        )
        self.clause_needles = frozenset(TEMPORAL_NEEDLES) | frozenset().union(
            *(
                c.needles
                for name, c in self.cues.items()
                if name in ("non_regulatory", "missed", "not_a_date") and c.needles
            )
        )

    # scanning

    def needle_hits(self, text: str, which: str = "doc") -> dict[str, list[int]]:
        """Start offsets of every needle in `text`, found in one Aho-Corasick pass.

        Python's regex engine tries every alternative at every position, so one big
        alternation over a 9 KB release costs about a millisecond; finding literal needles
        first and running the real patterns only on the sentences that hold them is cheaper.
        """
        hits: dict[str, list[int]] = {}
        for end, needle in self._automaton(which).iter(text):
            hits.setdefault(needle, []).append(end - len(needle) + 1)
        return hits

    @cache  # noqa: B019 - one lexicon per process, kept for its lifetime
    def _automaton(self, which: str) -> ahocorasick.Automaton:
        auto = ahocorasick.Automaton()
        for needle in self.doc_needles if which == "doc" else self.clause_needles:
            auto.add_word(needle, needle)
        auto.make_automaton()
        return auto

    # agencies

    def agencies_in(self, s: str) -> list[str]:
        """Agencies named in a lower-cased sentence, in order of first mention."""
        return _ordered(self.agencies, s)

    def home_agency(self, head: str) -> str | None:
        """The issuer's home regulator, from the place its dateline or head-office line names
        ("TOKYO, September 21, 2018", "Head Office: Osaka, Japan"): the agency of acts the
        release tells without naming one."""
        found = [(m.start(), r.name) for r in self.homes for m in [r.search(head)] if m]
        return min(found)[1] if found else None

    def application_agency(self, s: str) -> str | None:
        """The agency whose kind of application `s` names first ("the NDA" is the FDA's, "the
        NDS" Health Canada's, "the MAA" the EMA's), or None."""
        found = [(m.start(), r.name) for r in self.applications for m in [r.search(s)] if m]
        return min(found)[1] if found else None

    def country_mentions(self, s: str) -> list[tuple[str, str]]:
        """(agency, country words) for every country named, in order; each country of an
        agency outside the list counts apart ("in Argentina and Mexico" is two)."""
        found = []
        for row in self.countries:
            for m in row.finditer(s):
                found.append((m.start(), row.name, m.group(0) if row.name == "OTHER" else ""))
        seen: set[tuple[str, str]] = set()
        out = []
        for _, code, name in sorted(found):
            if (code, name) not in seen:
                seen.add((code, name))
                out.append((code, name))
        return out

    # acts

    def acts_for(self, present: set[str]) -> list[Row]:
        """The act rows one of whose needles is among `present` (a sentence's needles)."""
        rows: set[int] = set()
        for needle in present:
            rows.update(self._rows_by_needle.get(needle, ()))
        return [self.acts[i] for i in sorted(rows)]

    def detect_all(
        self, s: str, present: set[str] | None = None
    ) -> list[tuple[Row, re.Match[str]]]:
        """Every mention of every event type in a lower-cased sentence, in text order; of
        two overlapping mentions of one type the leftmost (then the earlier row) wins, so
        "approved by the Commission in April; approved in Switzerland in December" is two.
        `present`, the needles the sentence holds, limits the rows tried."""
        hits: list[tuple[Row, re.Match[str]]] = []
        candidates = self.acts if present is None else self.acts_for(present)
        by_type: dict[str, list[Row]] = {}
        for row in candidates:
            by_type.setdefault(row.name, []).append(row)
        for rows in by_type.values():
            found = sorted(
                (
                    (m.start(), n, row, m)
                    for n, row in enumerate(rows)
                    for m in row.pattern.finditer(s)
                ),
                key=lambda f: (f[0], f[1]),
            )
            end = -1
            for start, _n, row, m in found:
                if start >= end:
                    hits.append((row, m))
                    end = m.end()
        return sorted(hits, key=lambda h: h[1].start())

    def details_in(self, etype: str, text: str) -> list[str]:
        """Every sub-kind of an event type a stretch of text names, in lexicon order."""
        return [r.name for r in self.details if r.kind == etype and r.search(text)]

    def detail_of(self, etype: str, s: str, m: re.Match[str]) -> str | None:
        """What kind of designation, letter, resubmission or approval a match names."""
        rows = [r for r in self.details if r.kind == etype]
        # The act's own words first ("... and orphan drug designation" after a fast track
        # named just before it is the orphan one), then the words around them.
        for row in rows:
            if row.pattern.search(m.group(0)):
                return row.name
        window = s[max(0, m.start() - 60) : m.end() + 120]
        for row in rows:
            if row.search(window):
                return row.name
        return None

    def sec_items_in(self, s: str) -> list[tuple[str, re.Match[str]]]:
        """Form 8-K items a lower-cased sentence reports as done."""
        planned = self.cues["planned"]
        out = []
        for row in self.sec_items:
            m = row.search(s)
            if m and not planned.search(s[max(0, m.start() - 60) : m.start()]):
                out.append((row.name, m))
        return out

    def milestone_of(self, clause: str) -> str | None:
        """The regulatory act a clause's timeline is about, or None if it names none."""
        for row in self.milestones:  # ordered from the most to the least specific
            if row.search(clause):
                return row.name
        return None


def _ordered(rows: list[Row], s: str) -> list[str]:
    found = []
    for row in rows:
        m = row.search(s)
        if m:
            found.append((m.start(), row.name))
    return [code for _, code in sorted(found)]


_OUTCOME_WORDS = {
    "positive": "positive",
    "favorable": "positive",
    "favourable": "positive",
    "support": "positive",
    "opposition": "negative",
    "negative": "negative",
    "unfavorable": "negative",
    "unfavourable": "negative",
    "mixed": "mixed",
    "positif": "positive",
    "négatif": "negative",
    "négative": "negative",
    "défavorable": "negative",
    "reversed": "positive",
    "upheld": "negative",
    "confirmed": "negative",
}


def outcome_of(row: Row, m: re.Match[str]) -> str | None:
    """The outcome a match states: the row's own, an outcome word, or a vote count."""
    if row.outcome:
        return row.outcome
    groups = m.groupdict()
    for name in ("out", "out2"):
        word = groups.get(name)
        if word:
            return _OUTCOME_WORDS.get(word)
    if groups.get("nay"):
        return "negative"  # "voted not to recommend"
    if groups.get("unan"):
        return "negative" if groups.get("unan_no") else "positive"  # "unanimously against"
    if groups.get("votes"):
        if groups.get("against"):
            return "negative"  # "voted 8-4 against", "voted 5 to 8 against": the result
        return _vote_outcome(groups["votes"], groups.get("votes2") or "")
    return None


def _vote_outcome(a: str, b: str) -> str:
    x = int(a) if a.isdigit() else NUMBER_WORDS.get(a, 0)
    y = int(b) if b.isdigit() else NUMBER_WORDS.get(b, 0)
    return "positive" if x > y else "negative" if x < y else "mixed"


# Kept here for the reader's callers; the vocabulary owns the milestones.
MILESTONE_TITLES = _MILESTONE_TITLES


def load(text: str | None = None) -> Lexicon:
    """The lexicon from TOML text (default: the packaged `lexicon.toml`)."""
    if text is None:
        text = resources.files("tracker.extract").joinpath("lexicon.toml").read_text("utf-8")
    return Lexicon(tomllib.loads(text))


LEXICON = load()
