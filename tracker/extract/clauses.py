"""The clauses of a sentence and the scan of a release's sentences.

A release is scanned once for every lexicon needle (one Aho-Corasick pass); each sentence then
knows which agencies it names, whether it may state an event, and whether it may state a
timeline. Clause helpers cut a sentence at its clause breaks and tell a clause's tense.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from datetime import date
from itertools import accumulate

from tracker.domain import Sentence
from tracker.extract import dates
from tracker.extract.lexicon import LEXICON as LEX
from tracker.extract.text import for_matching

_PLANNED = LEX.cues["planned"]
_NEGATED = LEX.cues["negated"]
_NEGATED_INTENT = LEX.cues["negated_intent"]
_EARLIER = LEX.cues["earlier"]
_MISSED = LEX.cues["missed"]
_NOT_A_DATE = LEX.cues["not_a_date"]
_NON_REGULATORY = LEX.cues["non_regulatory"]
_REGULATORY = LEX.cues["regulatory"]
FUTURE_HINT = LEX.cues["future_hint"]
PAST_VERB = LEX.cues["past_verb"]
NEAR_BREAK = re.compile(r"[,;:]|\b(?:and|but|while|whereas)\b")


def told_in_past(low: str, pos: int) -> bool:
    """Whether the clause leading to `pos` is in the past tense (and not the future)."""
    before = low[max(0, pos - 120) : pos]
    if _DONE_PARTICIPLE.search(before):
        return True  # "the new data submitted in November", whatever the clause's "will"
    cut = [m.end() for m in _CLAUSE_BREAK.finditer(before)]
    clause = before[cut[-1] :] if cut else before
    # "today announced that the decision is due on August 28": the reporting verb's tense is
    # not its complement's.
    reported = [m.end() for m in _REPORTED_THAT.finditer(clause)]
    clause = clause[reported[-1] :] if reported else clause
    return bool(PAST_VERB.search(clause)) and not FUTURE_HINT.search(clause)


_REPORTED_THAT = LEX.cues["reported_that"].pattern


# A past participle right before the date, as a reduced relative clause ("the data submitted
# in November"); not a passive to come ("will be submitted in", "once filed in").
_DONE_PARTICIPLE = re.compile(
    r"(?<!\bbe )(?<!\bbeing )(?<!\bonce )(?<!\bwhen )(?<!\bif )(?<!\bto )(?<!\bwill )"
    r"\b(?:submitted|filed|received|granted|issued|sent|held|adopted)\s+(?:in|on)\s+$"
)


# A full stop that ends a sentence, not an abbreviation's ("the U.S. in", "Inc. and").
STOP = r"(?<!\.[a-z])(?<!\binc)(?<!\bco)(?<!\bltd)(?<!\bcorp)(?<!\bno)\.\s"
_STOP = STOP
_CLAUSE_BREAK = re.compile(
    r"[;:]|,\s+(?:and|but|while|which)\b|\band (?:expects?|plans?|will|"
    r"intends?|anticipates?)\b|" + _STOP
)
_DIGIT = re.compile(r"\d")
_CONTINUES = LEX.cues["continues_act"].pattern
TAIL_BREAK = re.compile(r"[;:]|" + _STOP + r"|,? and |,? but |,? while ")


def clause_prefix(low: str, pos: int) -> str:
    start = max(low.rfind(",", 0, pos), low.rfind(";", 0, pos), low.rfind(":", 0, pos))
    return low[start + 1 : pos]


def clause_of(low: str, region_start: int, pos: int, endpos: int) -> str:
    """The clause holding a mention: from the last clause break before it to the mention."""
    head = low[region_start:pos]
    breaks = list(_CLAUSE_BREAK.finditer(head))
    start = region_start + (breaks[-1].end() if breaks else 0)
    tail = low[endpos : endpos + 60]
    cut = TAIL_BREAK.search(tail)
    return low[start:endpos] + (tail[: cut.start()] if cut else tail)


_RESULTS = re.compile(
    r"\b(?:results|financial (?:report|statements)|(?:first|second|third|fourth|full)[- ]"
    r"(?:quarter|half|year)|half[- ]year(?:ly)?|annual report|[1-4]q ?\d\d|q[1-4] ?\d\d)\b"
)


class Scan:
    """The sentences of one release, scanned once against the lexicon."""

    def __init__(self, sents: list[Sentence], ref: date, product: str | None) -> None:
        # The body, plus "About" sentences that name the product: an About section may
        # recount the product's regulatory history ("In December 2010 the FDA accepted ...").
        key = (product or "\0").lower()
        self.sents = [
            s
            for s in sents
            if s.section == "body" or (s.section == "about" and key in s.text.lower())
        ]
        self.body = {s.index for s in sents if s.section == "body"}
        self.ref = ref
        self.product = product
        # The headline and sub-headlines: the sentences before the one that holds the
        # dateline. An act they name is dated only by the body (CONTRACT.md: an act named
        # only in a headline is null).
        self.headline_end = next(
            (
                s.index
                for s in self.sents[:6]
                if any(
                    m.start == ref
                    for m in dates.find(for_matching(s.text.lower()), ref, kinds=dates.FULL_KINDS)
                )
            ),
            0,
        )
        # A results release: its undated highlights are null-dated back-references.
        self.results_release = bool(_RESULTS.search(" ".join(x.text for x in sents[:3]).lower()))
        self.lows = [for_matching(s.text.lower()) for s in self.sents]
        self.pos = {s.index: i for i, s in enumerate(self.sents)}
        # One pass of each vocabulary over the whole text, mapped back to sentences: far
        # cheaper than searching every sentence with every pattern.
        doc = "\n".join(self.lows)
        starts = list(accumulate((len(x) + 1 for x in self.lows), initial=0))

        hits = LEX.needle_hits(doc)

        def sentences_of(needles: frozenset[str]) -> set[int]:
            return {bisect_right(starts, p) - 1 for n in needles for p in hits.get(n, ())}

        placed: dict[int, list[tuple[int, str]]] = {}
        for code, needles in LEX.agency_needles.items():
            rx = LEX.agency_regex[code]
            for i in sentences_of(needles):
                m = rx.search(self.lows[i])
                if m:
                    placed.setdefault(i, []).append((m.start(), code))
        self.named: dict[int, list[str]] = {i: [c for _, c in sorted(v)] for i, v in placed.items()}
        self.hinted = sentences_of(LEX.event_hint)
        # The act needles each sentence holds: only their rows are tried on it.
        self.act_needles: dict[int, set[str]] = {}
        for n in LEX.event_hint:
            for p in hits.get(n, ()):
                self.act_needles.setdefault(bisect_right(starts, p) - 1, set()).add(n)
        candidates = sorted(
            i for i in sentences_of(LEX.regulatory_needles) if _REGULATORY.search(self.lows[i])
        )
        # A second, smaller pass over just those sentences.
        sub = "\n".join(self.lows[i] for i in candidates)
        sub_starts = list(accumulate((len(self.lows[i]) + 1 for i in candidates), initial=0))
        near: dict[str, set[int]] = {}
        for needle, found in LEX.needle_hits(sub, "clause").items():
            near[needle] = {candidates[bisect_right(sub_starts, p) - 1] for p in found}

        def clause_sents(needles: frozenset[str] | None) -> set[int]:
            if needles is None:
                return set(candidates)
            return set().union(*(near.get(n, ()) for n in needles))

        self.nonreg = clause_sents(_NON_REGULATORY.needles)
        self.missed = clause_sents(_MISSED.needles)
        self.vague = clause_sents(_NOT_A_DATE.needles)
        worded = clause_sents(frozenset(dates.TEMPORAL_NEEDLES))
        self.regulatory = {i for i in candidates if i in worded or _DIGIT.search(self.lows[i])}
        # A sentence going on about the act of a regulatory sentence just before it.
        self.regulatory |= {
            i + 1
            for i in candidates
            if i + 1 < len(self.lows)
            and _CONTINUES.match(self.lows[i + 1])
            and _DIGIT.search(self.lows[i + 1])
        }
        self.doc_agency = self._dominant_agency()
        self.home_agency = LEX.home_agency(doc[:400])

    def _named(self, sent: Sentence) -> list[str]:
        return self.named.get(self.pos[sent.index], [])

    def _dominant_agency(self) -> str | None:
        counts: Counter[str] = Counter()
        for codes in self.named.values():
            counts.update(codes)
        if not counts:
            return None
        top = counts.most_common(1)[0][0]
        return "EMA" if top == "EC" and counts.get("EMA") else top
