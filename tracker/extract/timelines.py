"""Stated timelines: the dates and offsets a release gives for regulatory acts."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from itertools import pairwise

from tracker.domain import Event, Sentence, Timeline
from tracker.extract import dates
from tracker.extract.clauses import (
    FUTURE_HINT,
    NEAR_BREAK,
    PAST_VERB,
    STOP,
    TAIL_BREAK,
    Scan,
    clause_of,
    told_in_past,
)
from tracker.extract.lexicon import LEXICON as LEX
from tracker.vocabulary import AGENCY_MILESTONES, DONE_BY, SPECIFIC_DECISIONS

_MISSED = LEX.cues["missed"]
_NON_REGULATORY = LEX.cues["non_regulatory"]
_NOT_A_DATE = LEX.cues["not_a_date"]
_GENERIC = LEX.cues["generic"]
_NEGATED_DATE = LEX.cues["negated_date"]
_CALLED_OFF_BEFORE = LEX.cues["called_off_before"]
_TOWARD_ACTS = LEX.cues["toward_acts"].pattern
_GOVERNING = LEX.cues["governing"].pattern

_ANCHOR = re.compile(
    r"^[\s,]*(?:of|after|post|from|following|since|upon|suivant|après|à compter de|à partir de)\s+"
    r"(?!which|that\b|this point)(?:the\s+|la\s+|le\s+|l')?"
    r"(?:date\s+of\s+)?(?:\w+(?:'|’)s\s+)?"
    r"(?P<receipt>receipt|receiving|notification|notice|réception|émission)?\s*(?:of\s+|de\s+|du\s+)?"
    r"(?:the\s+|its\s+|this\s+|such\s+|la\s+|le\s+|l'|sa\s+|son\s+|un\s+|une\s+)?"
    r"(?P<what>(?:(?!\s(?:and|or|but|to|et|ou)\s)[\w -]){0,40})"
)  # the anchor's noun phrase ends where a coordinated clause begins ("... and submit")
# "four to six weeks before the meeting", "ten days prior to the hearing": counted back from
# the anchor (the same groups as _ANCHOR).
_BEFORE_ANCHOR = re.compile(
    r"^[\s,]*(?:before|prior to|ahead of|in advance of|avant)\s+(?:the\s+|its\s+|la\s+|le\s+)?"
    r"(?P<receipt>)(?P<what>(?:(?!\s(?:and|or|but|to)\s)[\w -]){1,40})"
)
# "then 14 days", "N days thereafter", "aura ensuite 30 jours": a step of a chain, counted
# from the previous step's latest date.
# "a targeted 300-day review period", "a new six month PDUFA review clock": a duration used
# as an adjective of a review, counted from the review's start.
_REVIEW_CLOCK = re.compile(
    r"(?:\s+(?!(?:and|or|to|with|for|that|which|is|are|will|the|its)\b)[\w()]+){0,7}?"
    r"\s+(?:review|goal|clock|period|timeline|window)\b"
)
_LEAD_WORD = re.compile(
    r"(?:for|in|within|over|by|after|about|approximately|some|up|has|have|no|not)\b"
)
_ADJECTIVE_LEAD = re.compile(r"\b(?:an?|the|its|their|within the|within a)\s+(?:[\w-]+\s+){0,2}$")
# "completes a nine-month review": the clock has run, it dates nothing ahead.
_DONE_CLOCK = re.compile(
    r"\b(?:complet\w*|conclud\w*|end(?:s|ed)|after|following|finished)\b(?:[^.;]{0,60}?\s)?"
    r"(?:a|the|its)\s+$"
)
_FDA_WORDS = re.compile(r"\bpdufa\b|\bfda\b|\bgoal\b|\baction date\b")
_AND = re.compile(r"\band\b")
_NEXT_CYCLE = re.compile(r"\bresubmi|\bclass [12]\b")
_CLOCK_STARTS = ("submission", "response")
_PLURAL_EXPECTED = LEX.cues["plural_expected"].pattern
_ALTERNATIVE_LENGTH = LEX.cues["alternative_length"].pattern
_SUBJECT_EXPECTED = re.compile(
    r"\b(?:is|are) (?:now )?(?:expected|scheduled|anticipated|planned) to (?:occur|take place"
    r"|happen|be (?:made|filed|submitted|completed))\b"
)
_SUBJECT_END = re.compile(r"\s(?:is|are|was|were|will|has|have)\s")
# The words that name a filing, English and French ("suivant la soumission", "la demande").
_SUBMISSION_WORDS = r"submission|filing|application|soumission|dépôt|\bdemande\b"
_SUBMISSION_ANCHOR = re.compile(_SUBMISSION_WORDS)
_ANCHOR_BEFORE = LEX.cues["anchor_before"].pattern
_ANCHOR_TOLD = LEX.cues["anchor_told"].pattern
_ANCHOR_DATED = LEX.cues["anchor_dated"].pattern
_FILE_IN = re.compile(
    r"\b(?:file|submit|filings?|submissions?)\b[^;.]{0,30}?\bin (?:the )?[\w.]+ and\b"
)
_FILED_WITH_AFTER = re.compile(r"\s+(?:with|to) ((?:the )?(?:(?!" + STOP + r")[^;,]){0,160})")
_RESPECTIVELY = re.compile(r"\brespectively\b")
_CLAUSE_JOIN = re.compile(r",\s+(?:and|but|while)\s+(?:that\s+)?|\band that\b")
_VERB_FIRST = LEX.cues["verb_first"].pattern
_LATER = LEX.cues["later"].pattern
_CHAIN = LEX.cues["chain_step"].pattern
_STEP_LASTS = LEX.cues["step_lasts"].pattern
# An act told as done, in the perfect or the passive: "has completed its review".
_DONE_ACT = re.compile(
    r"\b(?:has|have|had|was|were)\s+(?:already\s+|now\s+|just\s+)?\w+(?:ed|en)\b"
)
_EXPLAINED_PERIOD = LEX.cues["explained_period"].pattern
_HYPHEN_UNIT = re.compile(r"\d-(?:day|week|month|year)\b|\b(?:\w+)-(?:day|week|month|year)$")
# A clause told in the present or with a modal, whatever past participle it holds ("the
# request must be made within 15 days", "the decision is typically issued two months after").
_PRESENT_AUX = re.compile(
    r"\b(?:is|are|be|must|will|shall|can|may|should|would|typically|generally|usually|"
    r"normally|has|have)\b"
)
_JOIN_WORDS = re.compile(
    r"^\s*(?:,|to|and|or|through|until|/|-)?\s*(?:(?:back|forward|out)\s+)?(?:to\s+)?$"
)
_PRONOUN = LEX.cues["same_act"].pattern
_BARE_REQUEST = LEX.cues["bare_request"].pattern
_SUBJECT_WILL = LEX.cues["subject_will"].pattern
_AGENCY_OF = {"EC": "EMA"}  # one procedure: the Commission decides what the EMA assessed


_EXTENSION_LENGTH = LEX.cues["extension_length"].pattern
_MOVED_FROM_DAY = LEX.cues["moved_from_day"].pattern
_DONE_WITHIN = LEX.cues["done_within"].pattern
_PAST_EXPECTATION = LEX.cues["past_expectation"].pattern


def _with_antecedent(low: str, clause: str, x: dates.Mention) -> str:
    """A date's clause, and the noun a relative clause it stands in hangs on ("the U.S.
    launch, which we anticipate in the first quarter": the launch's date)."""
    rel = low.rfind(", which", 0, x.pos)
    if rel < 0 or x.pos - rel > 120 or not clause.lstrip(" ,").startswith("which"):
        return clause
    return low[max(0, rel - 60) : x.endpos]


def _from_reply(t: Timeline) -> bool:
    """Counted from a (re)submission or a response to a letter: the next review cycle's."""
    return t.anchor is not None and ("submission" in t.anchor or "response" in t.anchor)


def _done_here(t: Timeline, events: list[Event], ref: date) -> bool:
    """A timeline whose act the same sentence reports as done by the same agency is how long
    the act took, not a deadline still owed."""
    if t.agency is None or t.milestone == "advisory-meeting":
        return False  # a meeting announced today is still to come
    region = _AGENCY_OF.get(t.agency, t.agency)
    # The act told in the same sentence, or just before ("The FDA has approved it. The
    # approval comes ahead of the September 15 PDUFA date."): answered before it came.
    here = [e for e in events if e.sentence in (t.sentence, t.sentence - 1)]
    if {_AGENCY_OF.get(e.agency, e.agency) for e in here} != {region}:
        return False  # several agencies' acts in one sentence: whose act the date is, is unclear
    # A refusal answered by a resubmission told beside it closed the last cycle; the goal
    # date set for the resubmission is the next cycle's ("classified the resubmission as a
    # Class 2 response to the February 10 letter and set a new date of November 4").
    next_cycle = (
        any(e.type == "resubmission" for e in events)
        or bool(_NEXT_CYCLE.search(t.evidence.lower()))
        or _from_reply(t)
    )
    return any(
        e.type in DONE_BY.get(t.milestone, ())
        and not (next_cycle and e.type == "refusal")
        and e.date is not None
        and e.date <= ref
        and e.date < t.start
        and _AGENCY_OF.get(e.agency, e.agency) == region
        for e in here
    )


_MOVE_LENGTH = LEX.cues["move_length"].pattern
_NEW_DAY = LEX.cues["new_day"].pattern
_REEXAMINATION = re.compile(r"re-?examin|réexamen")
_NEW_DATE = re.compile(r"\b(?:to|until|now)\s+(?:(?:on|of|the)\s+)?$")
# A step due by the original date: "expects to receive it by the original June 27 PDUFA date".
_BY_THE_ORIGINAL = re.compile(r"\b(?:by|before|on or before) the original\s+$")
_EXTENDED = LEX.cues["move_word"]
_MOVED_TO_DAY = LEX.cues["moved_to_day"]
_JOIN = re.compile(r"^\s*(?:/|or|to|through|-|and)\s*$")
_LISTED = re.compile(r"^\s*,?\s*(?:/|or|and|to|through|-)\s*$")


def _moved_to(low: str, expression: str) -> bool:
    """Whether the words right before `expression` in `low` lead to the day a date moved to."""
    at = low.find(expression.lower())
    return at > 0 and _MOVED_TO_DAY.search(low[max(0, at - 220) : at]) is not None


def _past_either_side(low: str, x: dates.Mention) -> bool:
    """A window that began before the release, in a clause told in the past on either side
    ("adopted a trend vote at its March meeting", "In January, the company announced ...")."""
    if told_in_past(low, x.pos):
        return True
    tail = low[x.endpos : x.endpos + 100]
    cut = TAIL_BREAK.search(tail)
    tail = tail[: cut.start()] if cut else tail
    return bool(PAST_VERB.search(tail)) and not FUTURE_HINT.search(tail)


_CONDITION = LEX.cues["condition_of"].pattern


def _commercial(clause: str, width: int, low: str, pos: int) -> bool:
    """Whether the words nearest a date in its clause are non-regulatory ("launching in the
    first quarter") rather than a regulatory act ("assuming a fall 2020 approval")."""
    if not _NON_REGULATORY.search(clause):
        return False
    at = clause.find(low[pos : pos + width])
    if at < 0:
        return True
    end = at + width

    def gap(a: int, b: int) -> int:
        return at - b if b <= at else max(0, a - end)

    cues = list(_NON_REGULATORY.pattern.finditer(clause))
    acts = [
        m
        for r in LEX.milestones
        for m in r.finditer(clause)
        # "to launch in the third quarter, following FDA approval": an act after the date
        # told as the launch's condition is not what the date is for
        if not (m.start() >= end and _CONDITION.search(clause, max(end, m.start() - 25), m.start()))
    ]
    if not acts:
        return True
    first_act = min(m.start() for m in acts)
    if any(m.end() <= first_act and m.end() <= at for m in _GOVERNING.finditer(clause)):
        return True  # "an update on the FDA review in Q2": the act is the cue's object
    return min(gap(m.start(), m.end()) for m in cues) <= min(gap(m.start(), m.end()) for m in acts)


class TimelineReader(Scan):
    """Reads the stated timelines of a release."""

    def timelines(self, events: list[Event]) -> list[Timeline]:
        self.later_steps: list[Timeline] = []
        self.clock_unanchored = False
        out = self._read_timelines(events)
        if self.clock_unanchored:
            # A review clock was read before the step that starts it ("A Class 1
            # resubmission has a two-month review goal. ... resubmission on January 28"):
            # read once more, knowing the release's stated steps.
            self.later_steps = [t for t in self.so_far if t.milestone in _CLOCK_STARTS]
            if any(t.anchor is None for t in self.later_steps):
                out = self._read_timelines(events)
        return out

    def _read_timelines(self, events: list[Event]) -> list[Timeline]:
        out: list[Timeline] = []
        seen: set[tuple[date, date, str | None]] = set()
        self.so_far: list[Timeline] = []
        self.release_events = events
        self.twins: set[int] = set()  # the further acts of one phrase
        previous: Timeline | None = None
        proc_start = self._procedure_start(events)
        for i, (sent, low) in enumerate(zip(self.sents, self.lows, strict=True)):
            if i not in self.regulatory or sent.index not in self.body or _GENERIC.search(low):
                continue
            found = self._timelines_in(sent, low, events, previous, proc_start)
            goals = [t for t in found if t.milestone == "action-date"]
            if len(goals) > 1 and _EXTENDED.search(low):
                # "extended the PDUFA date from May 1 to August 1": only the new date stands,
                # the one the move leads to ("updated ... from June 30 to April 30": the
                # earlier); without such words, the latest.
                newest = [t for t in goals if _moved_to(low, t.expression)]
                latest = newest[-1] if newest else max(goals, key=lambda t: t.end)
                found = [t for t in found if t.milestone != "action-date" or t is latest]
            for t in found:
                # One deadline per date and agency, except the several acts one phrase
                # dates: "approval by the Commission in the first half of 2025" and, in
                # another sentence, "a US approval in the first half of 2025" are two.
                region = _AGENCY_OF.get(t.agency, t.agency) if t.agency else None
                same = {g for (a, b, g) in seen if (a, b) == (t.start, t.end)}
                if (
                    not same
                    or (region is not None and None not in same and region not in same)
                    or id(t) in self.twins
                ):
                    seen.add((t.start, t.end, region))
                    out.append(t)
            previous = found[-1] if found else previous
        if any(
            e.type in ("approval", "refusal") and e.agency == "FDA" and e.date == self.ref
            for e in events
        ):
            # The FDA acted in this news: its goal date is answered, no longer a deadline; a
            # goal date of the next cycle (after a resubmission) still stands.
            out = [
                t
                for t in out
                if t.milestone != "action-date"
                or _from_reply(t)
                or _NEXT_CYCLE.search(t.evidence.lower())
            ]
        if any(e.type == "goal_date_extension" and e.date == self.ref for e in events):
            # Extended in this news: the date a review clock gives ("a statutory six-month
            # review") is the one the extension replaced; only the stated new date stands.
            out = [
                t for t in out if not (t.estimate and t.milestone in ("action-date", "decision"))
            ]
        gone = {
            _AGENCY_OF.get(e.agency, e.agency)
            for e in events
            if e.type == "withdrawal" and e.date == self.ref
        }
        if gone:
            # The application withdrawn in this news: the agency's steps still ahead of it
            # ("the final vote scheduled later this month") will not come.
            out = [
                t
                for t in out
                if not (
                    t.milestone in _AGENCY_STEPS
                    and _AGENCY_OF.get(t.agency or "", t.agency or self.doc_agency or "") in gone
                )
            ]
        return out

    def _procedure_start(self, events: list[Event]) -> date | None:
        for e in events:
            if e.type == "acceptance" and e.date:
                return e.date
        return None

    def _timelines_in(
        self,
        sent: Sentence,
        low: str,
        events: list[Event],
        previous: Timeline | None,
        proc_start: date | None,
    ) -> list[Timeline]:
        future = True if FUTURE_HINT.search(low) else None
        mentions = dates.find(low, self.ref, future)
        if any(not x.has_year for x in mentions):
            # "filed ... in April and expects a decision by ...", "was approved by the FDA in
            # January": a year-less date in a clause told in the past tense is in the past,
            # whatever the rest of the sentence.
            past = {x.pos: x for x in dates.find(low, self.ref, False)}
            # "PDUFA dates of December 27, and December 28, 2016": a day listed before one
            # with its year shares that year, not the past tense of its clause.
            listed = {
                a.pos
                for a, b in pairwise(mentions)
                if b.has_year and _LISTED.match(low[a.endpos : b.pos])
            }
            mentions = [
                _last_one(past.get(x.pos, x), self.ref)
                if not x.has_year and x.pos not in listed and told_in_past(low, x.pos)
                else x
                for x in mentions
            ]
        if not _EXTENDED.search(low):  # "moved from May 1 to August 1" is not a range
            mentions = _merge_spans(mentions, low)
        mentions = self._same_occasion(low, mentions)
        i = self.pos[sent.index]
        missed = i in self.missed and bool(_MISSED.search(low))
        self.shared_anchor: tuple[re.Match[str], int] | None = None
        out: list[Timeline] = []
        region_start = 0
        last: str | None = None
        for x in mentions:
            region = low[region_start : min(len(low), x.endpos + 40)]
            clause = clause_of(low, region_start, x.pos, x.endpos)
            between = low[region_start : x.pos]
            joined = last is not None and _JOIN_WORDS.match(between)
            moved = last is not None and (
                _EXTENDED.search(between) is not None or _NEW_DAY.search(between) is not None
            )
            region_start = x.endpos
            if (i in self.vague and _NOT_A_DATE.search(clause)) or (
                i in self.nonreg
                and _commercial(_with_antecedent(low, clause, x), x.endpos - x.pos, low, x.pos)
            ):
                continue
            if _NEGATED_DATE.search(
                clause[: max(0, clause.find(x.text))] if x.text in clause else ""
            ):
                continue  # "action will likely not be taken in October": no date it keeps
            if x.kind == "offset" and _EXTENSION_LENGTH.match(low, x.endpos):
                continue  # "the three-month extension does not change ...": a length, no date
            if _PAST_EXPECTATION.search(
                clause[: max(0, clause.find(x.text))] if x.text in clause else ""
            ):
                continue  # "we expected to obtain the decision by the end of this year"
            if x.kind == "offset" and _DONE_WITHIN.search(low, max(0, x.pos - 140), x.pos):
                continue  # "the amendment was received within three months of ...": past
            if (
                x.kind == "offset"
                and _HYPHEN_UNIT.search(x.text)
                and not _REVIEW_CLOCK.match(low, x.endpos)
            ):
                continue  # "halved their 28-day attack count": a measure, not a date
            if x.kind == "offset" and _EXPLAINED_PERIOD.search(low, max(0, x.pos - 50), x.pos):
                continue  # "October 9, which is the usual six-month clock": it explains the date
            if (
                x.kind == "offset"
                and told_in_past(low, x.pos)
                and not _PRESENT_AUX.search(clause_of(low, 0, x.pos, x.pos))
            ):
                # "the FDA accepted the filing less than two weeks later", "it resubmitted the
                # NDA three weeks after receiving the letter": a length told in the past
                continue
            if joined and last is not None:
                # "from May 1 to August 1", "by three months to May 28": the same act, another
                # date; words after the date belong to what follows it.
                milestone: str | None = last
            else:
                milestone = self._milestone(low, x, clause, region)
                if milestone is None and (moved or (last and _PRONOUN.search(between))):
                    # "the date of May 30 was extended to August 30"; "to start the rolling
                    # submission in the second half and to complete it in early 2021"
                    milestone = last
            last = milestone
            if milestone is None:
                continue
            if milestone in ("advisory-meeting", "meeting") and _CALLED_OFF_BEFORE.search(
                clause[: max(0, clause.find(x.text))] if x.text in clause else ""
            ):
                continue  # "cancelled the oral explanation scheduled for December 12"
            # "extended from May 30 to August 30", "the previous date of May 30 was moved to
            # August 30": the date the act was moved to stands, the one it left does not. Only
            # the date the superseding words lead to is gone ("on or before September 21,
            # three months later than the original date of June 21": June 21).
            # The superseding words stand in the date's own clause: "the FDA previously
            # granted priority review; its goal is to act by March 28" supersedes nothing.
            own = clause[: clause.find(x.text)] if x.text in clause else between
            gone = (
                missed
                and bool(_MISSED.search(between))
                and bool(_MISSED.search(own))
                and not (_EXTENDED.search(low) and _NEW_DATE.search(low, max(0, x.pos - 20), x.pos))
                # "expects to receive it by the original June 27 PDUFA date": an original
                # date that nothing in the release replaces still stands
                and not (
                    _BY_THE_ORIGINAL.search(between)
                    and not _EXTENDED.search(low)
                    and not any(e.type == "goal_date_extension" for e in events)
                )
            )
            t = self._resolve_mention(x, low, sent, milestone, events, previous, proc_start, gone)
            if t is not None and _done_here(t, events, self.ref):
                t = None  # "approved Orvanta, one month after the CHMP recommended it"
            if t is not None:
                t = replace(t, why=f'milestone {t.milestone} from "{clause.strip()}"')
                acts = self._each_act(t, x, low, between, mentions)
                if t.milestone in ("decision", "submission") and x.kind in ("date", "window"):
                    acts = self._each_agency(acts, low[: x.pos], between, low[x.endpos :])
                for t2 in acts:
                    if x.text and _SAME_OCCASION.fullmatch(x.text):
                        self.twins.add(id(t2))  # another act on the day just dated: kept
                    out.append(t2)
                    self.so_far.append(t2)
                previous = t
        return out

    def _each_act(
        self,
        t: Timeline,
        x: dates.Mention,
        low: str,
        before: str,
        mentions: list[dates.Mention],
    ) -> list[Timeline]:
        """One timeline per act an offset dates: "acceptance of the resubmission and issuance
        of a PDUFA date are expected within 30 days" is two deadlines on one day; so is
        "the CHMP recommendation and the FDA decision are expected in 2020" for a period."""
        if x.kind != "offset":
            return self._each_subject(t, before)
        later = [m.pos for m in mentions if m.pos > x.pos]
        # Acts after the offset are its own when it opens their clause ("thirty days after
        # receipt, the agency will determine ... and assign a goal date"), or when no later
        # date follows them; not in "... within 15 days of receipt of the opinion and submit
        # the grounds within 60 days", where the grounds are the second offset's. Its anchor
        # is never one of its acts, nor the anchor of the offset before it.
        after = low[x.endpos : min(later[0] if later else len(low), x.endpos + 300)]
        anchor = _ANCHOR.match(after)
        after = after[anchor.end() :] if anchor and anchor.group("what") else after
        if later and not after.lstrip().startswith(","):
            after = ""
        earlier = [m for m in mentions if m.pos < x.pos]
        before = before[-300:]
        if earlier and earlier[-1].kind == "offset":
            told = _ANCHOR.match(before)
            before = before[told.end() :] if told and told.group("what") else before
        stretch = before if LEX.milestone_of(before) else after
        cut = stretch.rfind(", ", 0, max(0, len(stretch) - 2)) if stretch is before else -1
        stretch = stretch[cut + 2 :] if cut >= 0 else stretch  # the acts' own clause
        acts: list[str] = []
        for piece in _AND.split(stretch):
            if _DONE_ACT.search(piece) and not FUTURE_HINT.search(piece):
                continue  # "the agency has completed its review and approval is expected"
            found = LEX.milestone_of(piece)
            if found and found not in acts:
                acts.append(found)
        if SPECIFIC_DECISIONS & set(acts) and "decision" in acts:
            # "the Commission will review the recommendation and a final decision is
            # expected": the decision is the Commission's, one act, not two.
            acts = [a for a in acts if a != "decision"]
            if len(acts) == 1 and t.milestone == "decision":
                return [replace(t, milestone=acts[0])]
        if len(acts) < 2:
            return [t]
        first = t if t.milestone in acts else replace(t, milestone=acts[0])
        twins = [replace(t, milestone=a) for a in acts if a != first.milestone]
        self.twins.update(id(x) for x in twins)
        return [first, *twins]

    def _each_subject(self, t: Timeline, before: str) -> list[Timeline]:
        """Acts joined as the plural subject of the verb that dates them ("A and B are
        expected in 2020"): one timeline each, with its own agency."""
        verb = _PLURAL_EXPECTED.search(before[-200:])
        toward = None if verb else _TOWARD_ACTS.search(before[-200:])
        if verb is not None:
            subject = before[-200:][: verb.start()]
            cut = max(subject.rfind(", "), subject.rfind("; "))
            subject = subject[cut + 2 :] if cut >= 0 else subject
        elif toward is not None:
            subject = toward.group("acts")  # "toward a formal opinion and approval in 2019"
        else:
            return [t]
        acts: list[tuple[str, str | None]] = []
        for piece in _AND.split(subject):
            found = LEX.milestone_of(piece)
            if found and found not in [a for a, _ in acts]:
                agency = self._agency_for_milestone(found, LEX.agencies_in(piece))
                acts.append((found, agency))
        if len(acts) < 2:
            return [t]
        out = [replace(t, milestone=a, agency=g or t.agency) for a, g in acts]
        self.twins.update(id(x) for x in out[1:])
        return out

    def _same_occasion(self, low: str, mentions: list[dates.Mention]) -> list[dates.Mention]:
        """ "The opinion is expected at the same meeting", "on that day": the days of the
        meeting (or step) this release dated last stand for the words that point back to it."""
        extra = []
        for m in _SAME_OCCASION.finditer(low):
            if any(x.pos <= m.start() < x.endpos for x in mentions):
                continue
            # A day ahead that this sentence gave before the words, else the step last dated.
            here = [
                (x.start, x.end)
                for x in mentions
                if x.endpos <= m.start() and x.kind in ("date", "window") and x.start and x.end
                and x.start > self.ref
            ]  # fmt: skip
            meeting = m.group("what") != "day"
            step = next(
                (
                    (t.start, t.end)
                    for t in reversed(self.so_far)
                    if not meeting or t.milestone in ("advisory-meeting", "meeting", "opinion")
                ),
                None,
            )
            days = here[-1] if here else step
            if days is None:
                continue
            kind = "date" if days[0] == days[1] else "window"
            extra.append(dates.Mention(kind, days[0], days[1], m.group(0), m.start(), m.end()))
        return sorted(mentions + extra, key=lambda x: x.pos) if extra else mentions

    def _each_agency(
        self, acts: list[Timeline], low: str, between: str, after: str = ""
    ) -> list[Timeline]:
        """One decision per agency a sentence names side by side just before the date: "under
        review by Health Canada and Anvisa, with potential approvals in 2024" is two
        decisions ("A and B have approved it, and C is expected to decide in 2019" is one). A
        filing names its agencies in the words since the previous date, or right after the
        date ("to file submissions in 2020 with the EMA and the FDA")."""
        filed = _filing_agencies(between)
        tail = _FILED_WITH_AFTER.match(after)
        if len(filed) < 2 and tail and " and " in tail.group(1):
            named = list(dict.fromkeys(LEX.agencies_in(tail.group(1))))
            filed = ["EMA" if c == "EC" else c for c in named] if len(named) > 1 else filed
        if len(filed) < 2 and _FILE_IN.search(between):
            # "plans to file in the U.S. and Europe around the end of 2015": one per place
            places = [
                "EMA" if c == "EC" else c
                for c, _n in LEX.country_mentions(between[-120:])
                if c != "OTHER"
            ]
            places = list(dict.fromkeys(places))
            filed = places if len(places) > 1 else filed
        # the run of agencies stands just before the date: a sentence's earlier hundreds of
        # acts are not read again for each of its dates
        chains = {"decision": _coordinated_agencies(low[-300:]), "submission": filed}
        if all(len(c) < 2 for c in chains.values()):
            return acts
        out: list[Timeline] = []
        for t in acts:
            chain = chains.get(t.milestone, [])
            if len(chain) < 2:
                out.append(t)
                continue
            each = [replace(t, agency=code) for code in chain]
            self.twins.update(id(x) for x in each[1:])
            out.extend(each)
        return out

    def _milestone(self, low: str, x: dates.Mention, clause: str, region: str) -> str | None:
        """The act a mention dates. For an offset, its anchor ("within 15 days of receipt of
        the opinion") names what the time counts from, not the act that is due: the act is
        looked for without it first, and a bare "request" in a release about re-examination
        is the re-examination request."""
        moved = _MOVED_FROM_DAY.search(low, max(0, x.pos - 360), x.pos)
        if moved:
            # "extended the action date for the review of the NDA for X from May 1": the day
            # a date moved from dates what was moved, named first after the verb.
            found = LEX.milestone_of(moved.group("object"))
            if found is not None:
                return found
        if x.kind == "offset":
            anchor = _ANCHOR.match(low[x.endpos :]) or _BEFORE_ANCHOR.match(low[x.endpos :])
            if anchor and anchor.group("what"):
                # The anchor names no act that is due, here or in the fallbacks below.
                clause = clause.replace(anchor.group(0), " ")
                region = region.replace(anchor.group(0), " ")
                found = LEX.milestone_of(clause)
                if found is None and _BARE_REQUEST.search(clause) and self._about_reexamination():
                    found = "reexamination-request"
                rest = low[x.endpos + anchor.end() : x.endpos + anchor.end() + 200]
                if found is None and rest.lstrip().startswith(","):
                    # "thirty days after receipt of the resubmission, the agency will decide
                    # ...": an offset opening its clause dates the act that follows.
                    found = LEX.milestone_of(rest)
                if found is not None:
                    return found
        # "Resubmission of the NDA is a requirement for approval and is expected to occur on
        # January 28": the act the clause's subject names.
        told = _SUBJECT_EXPECTED.search(clause)
        if told:
            subject = _SUBJECT_END.split(clause[: told.start()], maxsplit=1)[0]
            found = LEX.milestone_of(subject)
            if found:
                return found
        # What the subject itself will do, told just before the date, is the act it dates.
        before = low[max(0, x.pos - 150) : x.pos]
        will = _SUBJECT_WILL.search(before)
        if will:
            act = will.group("act")
            # The subject performs the act its verb heads: "plans to file for approval in
            # Japan" is a filing, not the agency's decision the words name after it.
            found = LEX.milestone_of(act)
            head = LEX.milestone_of(act.split()[0])
            if found in AGENCY_MILESTONES and head is not None:
                found = head
            if found is None and _BARE_REQUEST.search(act) and self._about_reexamination():
                found = "reexamination-request"
            if found is not None:
                return found
        # An act named before a date, in the same clause, is the one it dates ("following a
        # Type A meeting on June 12, the company plans to resubmit": the meeting).
        breaks = [m.end() for m in NEAR_BREAK.finditer(before)]
        near = LEX.milestone_of(before[breaks[-1] :] if breaks else before)
        found = near or LEX.milestone_of(clause) or LEX.milestone_of(region)
        if found is None and _VERB_FIRST.match(clause.lstrip(" ,")):
            # ", is expected in the third quarter": the subject stands before a relative
            # clause ("the Commission's decision, which normally follows ..., is expected").
            rel = max(low.rfind(", which", 0, x.pos), low.rfind(", that", 0, x.pos))
            if rel > 0:
                subject = _CLAUSE_JOIN.split(low[max(0, rel - 80) : rel])[-1]
                found = LEX.milestone_of(subject)
        if (
            found is None
            and x.kind == "offset"
            and _BARE_REQUEST.search(low, x.endpos, x.endpos + 60)
            and self._about_reexamination()
        ):
            # "la société dispose de 15 jours pour notifier sa demande" in a release about
            # re-examination: the request it names after the length
            found = "reexamination-request"
        return found

    def _about_reexamination(self) -> bool:
        return any(_REEXAMINATION.search(low) for low in self.lows)

    def _resolve_mention(
        self,
        x: dates.Mention,
        low: str,
        sent: Sentence,
        milestone: str,
        events: list[Event],
        previous: Timeline | None,
        proc_start: date | None,
        missed: bool,
    ) -> Timeline | None:
        agency = self._agency_for_milestone(milestone, self._named(sent))
        if milestone == "action-date" and agency not in (None, "FDA"):
            milestone = "decision"  # "Health Canada's target is to complete its review ..."
        if x.kind in ("date", "window"):
            if x.start is None or x.end is None or x.end <= self.ref or missed:
                return None
            if x.kind == "window" and x.start <= self.ref and _past_either_side(low, x):
                return None  # "adopted a trend vote at its March meeting" (released in March)
            return Timeline(x.start, x.end, milestone, agency, x.text, sent.text, sent.index)
        if x.kind == "day_n" and proc_start and x.amount:
            d = proc_start + timedelta(days=x.amount - 1)
            if d <= self.ref:
                return None
            return Timeline(
                d,
                d,
                "procedure-day",
                agency,
                x.text,
                sent.text,
                sent.index,
                offset_days=x.amount - 1,
                anchor="procedure start",
                anchor_date=proc_start,
                estimate=True,
            )
        if x.kind == "offset":
            return self._offset(x, low, sent, milestone, agency, events, previous)
        return None

    def _offset(
        self,
        x: dates.Mention,
        low: str,
        sent: Sentence,
        milestone: str,
        agency: str | None,
        events: list[Event],
        previous: Timeline | None,
    ) -> Timeline | None:
        after = low[x.endpos : x.endpos + 80]
        anchor_m = _ANCHOR.match(after)
        if x.amount is None or x.unit is None:
            return None
        before_m = _BEFORE_ANCHOR.match(after) if anchor_m is None else None
        back = before_m is not None
        if back:
            anchor_m = before_m
        if anchor_m is not None and anchor_m.group("what").strip():
            self.shared_anchor = (anchor_m, x.endpos + anchor_m.end())
        elif (
            self.shared_anchor is not None
            and _AND.search(low, self.shared_anchor[1], x.pos)
            # "... and the committee will then have 60 days": a step of a chain, not a share
            and not (_CHAIN.search(x.text) or _CHAIN.search(low, max(0, x.pos - 25), x.pos))
        ):
            # "notify within 15 days of receipt of the opinion and submit the grounds within
            # 60 days": a coordinated offset with no anchor of its own shares the first's.
            anchor_m = self.shared_anchor[0]
        lead_in = low[max(0, x.pos - 150) : x.pos] + ("by " if x.text.startswith("by ") else "")
        if _MOVE_LENGTH.search(lead_in):
            return None  # how far a date moved, not when something is due
        if not (
            dates.STATED_OFFSET_LEAD.match(x.text)
            or anchor_m
            or (previous and _LATER.match(low, x.endpos))
            # "the evaluation should then last 4 to 6 months": a step of the chain, how long
            or (previous and _STEP_LASTS.search(low, max(0, x.pos - 40), x.pos))
        ):
            lead = low[max(0, x.pos - 40) : x.pos]
            if _CLOCK_IS.search(lead) and _REVIEW_WORD.search(lead):
                return self._review_clock(x, low, sent, agency, events, previous)
            if (
                not _LEAD_WORD.match(x.text)
                and _REVIEW_CLOCK.match(low, x.endpos)
                and _ADJECTIVE_LEAD.search(lead)
                and not _DONE_CLOCK.search(low, max(0, x.pos - 100), x.pos)
            ):
                return self._review_clock(x, low, sent, agency, events, previous)
            return None
        # the purpose may follow the anchor: "has 15 days from receipt of the opinion to ..."
        purpose = (
            after[anchor_m.end() :]
            if anchor_m is not None
            and not back
            and not anchor_m.group(0).lstrip(" ,").startswith("of ")  # "30 days of records"
            else after
        )
        if x.text.startswith(("ha", "aura", "dispose")) and not (
            after.startswith((" to ", " pour ")) or purpose.startswith((" to ", " pour "))
        ):
            return None  # "has 90 days to respond", not "has 30 days of cash"
        if x.unit == "business_day" or (
            self.pos[sent.index] in self.vague and _NOT_A_DATE.search(low)
        ):
            return None
        chained = previous is not None and bool(
            _CHAIN.search(x.text)
            or _CHAIN.search(low, max(0, x.pos - 25), x.pos)
            or _LATER.match(low, x.endpos)  # "a decision expected about two months later"
        )
        if previous is not None and not chained and previous.sentence == sent.index:
            # "once the hearing on July 4 is over, the committee has ten days": the dated act
            # the clause opens with is the anchor, though it stands before the offset.
            lead = low[: x.pos]
            cue = _ANCHOR_BEFORE.search(lead)
            chained = cue is not None and previous.expression.lower() in lead[cue.end() :]
        unnamed = anchor_m is None or not anchor_m.group("what").strip()
        led = None
        if not chained and unnamed:
            # "Once the meeting is completed, the committee has seven days": the act the
            # clause opens with, dated in an earlier sentence, is the anchor.
            cue = _LED_BY.match(low[: x.pos])
            led = self._dated_named(cue.group(1)) if cue else None
            then = _DAY_THEN.search(low, max(0, x.pos - 200), x.pos) if led is None else None
            day = dates.parse_full_date(then.group("day")) if then else None
            if day is not None:
                # "the NDA was submitted on March 2, 2015 and the FDA has 60 days to decide":
                # the act the clause before dates is what the days count from.
                led = ("the act dated before", day, day)
        anchor_name: str
        anchor_date: date | None
        assumptions: tuple[str, ...]
        if led is not None:
            anchor_name, anchor_date, assumptions = led[0], led[2], ()
        elif chained and previous is not None and unnamed:
            anchor_name, anchor_date, assumptions = ("previous step", previous.end, ())
        else:
            anchor_name, anchor_date, assumptions = self._anchor(
                anchor_m, milestone, events, previous
            )
            inner = (
                [
                    d
                    for d in dates.find(anchor_m.group("what"), self.ref, None, dates.FULL_KINDS)
                    if d.start
                ]
                if anchor_m is not None and not back
                else []
            )
            if inner:
                # "within 30 days of the meeting on June 1": the day the anchor's own words give
                anchor_date, assumptions = inner[0].start, ()
            dated = _ANCHOR_DATED.match(low, x.endpos) if anchor_m else None
            told = dated or (
                _ANCHOR_TOLD.search(low, x.endpos, x.endpos + 140) if anchor_m else None
            )
            if told:
                # "within 150 days of validation, which took place on February 15": the
                # anchor's day is given right after it (a day of its own, "after the original
                # date of April 11", may lie ahead).
                month = told.groupdict().get("month")
                if month and not dated:
                    # "six months from the submission of the response, which occurred in
                    # August 2005": the anchor's month, shifted at both ends (CONTRACT.md).
                    spans = [
                        m for m in dates.find("in " + month, self.ref, False) if m.kind == "window"
                    ]
                    if spans and spans[0].end and spans[0].end <= self.ref:
                        return self._shifted(spans[0], x, milestone, agency, sent, anchor_name)
                ahead = told.groupdict().get("fday"), told.groupdict().get("fwin")
                if ahead[1]:
                    # "ten months after filing, which is planned for the third quarter": the
                    # window the anchor is planned in, each end shifted (CONTRACT.md).
                    spans = [m for m in dates.find(ahead[1], self.ref, True) if m.start and m.end]
                    if spans:
                        return self._shifted(spans[0], x, milestone, agency, sent, anchor_name)
                if ahead[0]:
                    planned = dates.find(ahead[0], self.ref, True, dates.FULL_KINDS)
                    if planned and planned[0].start:
                        anchor_date, assumptions = planned[0].start, ()
                given = told.groupdict().get("day") or told.groupdict().get("bareday")
                day = dates.parse_full_date(given) if given else None
                if day is not None and (dated or day <= self.ref):
                    anchor_date, assumptions = day, ()
        if back:
            # Counted back only from an act the release dates; "needs four more weeks before
            # its review is complete" counts from the release.
            found = self._dated_act(anchor_m)
            if found is None:
                back = False
                anchor_name, anchor_date, assumptions = ("release", self.ref, ())
            else:
                anchor_name, first_day, last_day = found
                hi, lo = x.amount, x.amount_lo if x.amount_lo is not None else x.amount
                start = dates.add_offset(first_day, -hi, x.unit)
                end = dates.add_offset(last_day, -lo, x.unit)
                if end <= self.ref:
                    return None
                return Timeline(
                    start, end, milestone, agency, x.text, sent.text, sent.index,
                    anchor=f"before {anchor_name}", anchor_date=first_day,
                )  # fmt: skip
        if anchor_date is None:
            return None
        end = dates.add_offset(anchor_date, x.amount, x.unit)
        window = self._window_of(anchor_m) if anchor_name != "previous step" else None
        if window is not None and anchor_name.endswith(("submission", "resubmission")):
            # "thirty days after receipt of the resubmission" (planned in Q2), "12 to 18
            # months after the filing" (planned in 2019): each end of the window shifts,
            # the start by the shorter length (CONTRACT.md, offsets from a window).
            start = dates.add_offset(window[0], x.amount_lo or x.amount, x.unit)
            end = dates.add_offset(window[1], x.amount, x.unit)
            if end <= self.ref:
                return None
            return Timeline(
                start, end, milestone, agency, x.text, sent.text, sent.index,
                anchor=f"{anchor_name} (stated window)", anchor_date=window[0],
            )  # fmt: skip
        if x.amount_lo is not None:
            # "60 to 90 days after the opinion" spans both; "four to six weeks before the
            # meeting" counts back and spans both (CONTRACT.md).
            first = dates.add_offset(anchor_date, x.amount_lo, x.unit)
            if end <= self.ref:
                return None
            return Timeline(
                first, end, milestone, agency, x.text, sent.text, sent.index,
                anchor=anchor_name, anchor_date=anchor_date, assumptions=assumptions,
            )  # fmt: skip
        if end <= self.ref:
            return None
        offset_days = (end - anchor_date).days if x.unit == "day" else None
        return Timeline(
            end,
            end,
            milestone,
            agency,
            x.text,
            sent.text,
            sent.index,
            offset_days=offset_days,
            anchor=anchor_name,
            anchor_date=anchor_date,
            assumptions=assumptions,
        )

    def _dated_act(self, anchor_m: re.Match[str] | None) -> tuple[str, date, date] | None:
        """The act an anchor names with the days the release gives it: a step it stated
        (a day or a window), else an event it dated; None when it dates neither."""
        if anchor_m is None:
            return None
        return self._dated_named(anchor_m.group("what"))

    def _dated_named(self, what: str) -> tuple[str, date, date] | None:
        """The act words name ("the oral hearing", "the opinion") with its days."""
        named = LEX.milestone_of(what)
        wanted = {named} if named else set()
        if _MEETING_WORDS.search(what):
            wanted |= {"advisory-meeting", "meeting"}
        for t in reversed(self.so_far):
            if t.milestone in wanted:
                return (t.milestone.replace("-", " "), t.start, t.end)
        for etype, words in _ANCHOR_EVENTS:
            if re.search(words, what):
                ev = next((e for e in self.release_events if e.type == etype and e.date), None)
                if ev is not None and ev.date is not None:
                    return (etype.replace("_", " "), ev.date, ev.date)
        return None

    def _window_of(self, anchor_m: re.Match[str] | None) -> tuple[date, date] | None:
        """The stated window of the act an anchor names, when no event dates it."""
        if anchor_m is None or not _SUBMISSION_ANCHOR.search(anchor_m.group("what")):
            return None
        for t in reversed(self.so_far):
            if t.milestone == "submission" and t.anchor is None:  # stated, not derived
                return (t.start, t.end)
        return None

    def _shifted(
        self,
        span: dates.Mention,
        x: dates.Mention,
        milestone: str,
        agency: str | None,
        sent: Sentence,
        anchor_name: str,
    ) -> Timeline | None:
        """An offset from an anchor told only as a window: each end shifted (CONTRACT.md)."""
        assert span.start and span.end and x.amount is not None and x.unit is not None
        first = dates.add_offset(span.start, x.amount, x.unit)
        last = dates.add_offset(span.end, x.amount, x.unit)
        if last <= self.ref:
            return None
        return Timeline(
            first, last, milestone, agency, x.text, sent.text, sent.index,
            anchor=f"{anchor_name} ({span.text})", anchor_date=span.start,
        )  # fmt: skip

    def _review_clock(
        self,
        x: dates.Mention,
        low: str,
        sent: Sentence,
        agency: str | None,
        events: list[Event],
        previous: Timeline | None,
    ) -> Timeline | None:
        """A review clock's end: counted from the step just stated (a response or
        resubmission "at which point" the clock begins), else the acceptance or submission
        this release reports, else the release. A clock in working days is not dated, as
        no plain offset in business days is: the text names no calendar of closures."""
        assert x.amount is not None and x.unit is not None
        if x.unit == "business_day":
            return None
        milestone = "action-date" if _FDA_WORDS.search(low) else "decision"
        starts = ("acceptance", "resubmission", "submission")
        begun = next((e for e in events if e.type in starts and e.date), None)
        # Whose clock: the agency the sentence names, else the FDA's for an action date, else
        # that of the act the release tells begun (today's resubmission to the FDA).
        agency = (
            (agency if self._named(sent) else None)
            or ("FDA" if milestone == "action-date" else None)
            or (begun.agency if begun else None)
            or agency
        )
        if agency == "FDA":
            milestone = "action-date"  # the end of an FDA review clock is its action date
        step = next(
            (
                t
                for t in reversed(self.so_far)
                if t.milestone in _CLOCK_STARTS
                and t.anchor is None
                # a step filed with another agency starts no clock here (an EU submission
                # in the headline, an FDA resubmission's review in the body)
                and (agency is None or t.agency in (None, agency))
            ),
            None,
        )
        told = begun is not None
        if step is None and not told:
            # A step stated later in the release ("... a two-month review goal. ... the
            # resubmission on January 28"), when the release tells no such act done.
            step = next((t for t in self.later_steps if t.anchor is None), None)
        if (
            step is None
            and self.so_far
            and self.so_far[-1].milestone in _CLOCK_STARTS
            and (agency is None or self.so_far[-1].agency in (None, agency))
        ):
            # "respond within 90 days ... a response would start a new 150-day review": the
            # step just stated, though it counts from something itself.
            step = self.so_far[-1]
        if (
            previous is not None
            and previous.sentence == sent.index
            and _CHAIN.search(low, max(0, x.pos - 25), x.pos)
        ):
            # "a deadline of January 29 for responses followed by a 30-day assessment
            # period": the clock runs from the step the sentence just dated.
            step = previous
        if step is None:
            self.clock_unanchored = True
        # "review periods of 2 months and 6 months, respectively" (one per class): the span
        # of both, as "A or B" is (CONTRACT.md).
        other = _ALTERNATIVE_LENGTH.match(low, x.endpos)
        longest = x.amount
        if other and other.group("u").rstrip("s") == x.unit:
            n = dates.number_value(other.group("n"))
            longest = n if n is not None and n > x.amount else x.amount
        if step is not None:
            # The stated step that starts the clock: a (re)submission or a response.
            start = dates.add_offset(step.start, x.amount, x.unit)
            end = dates.add_offset(step.end, longest, x.unit)
            anchor, anchor_date = f"{step.milestone} ({step.expression})", step.start
        else:
            kinds: tuple[str, ...] = ("acceptance", "resubmission", "submission")
            # The act the clock is said to run from ("a ten-month clock from the submission
            # on January 5") comes first; else the acceptance, resubmission or submission.
            named = _CLOCK_FROM.match(low, x.endpos, x.endpos + 80)
            if named:
                first = [t for t, words in _ANCHOR_EVENTS if re.search(words, named.group(1))]
                kinds = tuple(first[:1]) + tuple(k for k in kinds if k not in first[:1])
            ev = next((e for k in kinds for e in events if e.type == k and e.date), None)
            if ev is None and any(
                e.type in kinds and e.date is None and e.sentence == sent.index for e in events
            ):
                # "the MAA was validated by the EMA in January, starting the 210-day review":
                # the clock runs from an act the text dates only to a month; no day to give
                return None
            anchor_date = ev.date if ev and ev.date else self.ref
            anchor = ev.type if ev else "release"
            start = dates.add_offset(anchor_date, x.amount, x.unit)
            end = dates.add_offset(anchor_date, longest, x.unit)
        if end <= self.ref:
            return None
        return Timeline(
            start, end, milestone, agency, x.text, sent.text, sent.index,
            anchor=anchor, anchor_date=anchor_date, estimate=True,
        )  # fmt: skip

    def _anchor(
        self,
        anchor_m: re.Match[str] | None,
        milestone: str,
        events: list[Event],
        previous: Timeline | None,
    ) -> tuple[str, date | None, tuple[str, ...]]:
        if anchor_m is None or not anchor_m.group("what").strip():
            if (
                milestone == "response"
                and previous is not None
                and previous.milestone in ("procedure-day", "response")
            ):
                return (previous.milestone, previous.end, ())
            return ("release", self.ref, ())
        what = anchor_m.group("what")
        receipt = bool(anchor_m.group("receipt"))
        for etype, words in _ANCHOR_EVENTS:
            if re.search(words, what):
                ev = next((e for e in events if e.type == etype and e.date), None)
                when = ev.date if ev and ev.date else self.ref
                label = ("receipt of the " if receipt else "") + etype.replace("_", " ")
                note = (f"{label} assumed on {when.isoformat()}",) if receipt or ev is None else ()
                return (label, when, note)
        if previous is not None and re.search(r"goal|pdufa|action date", what):
            return ("goal date", previous.end, ())
        named = LEX.milestone_of(what)
        step = next((t for t in reversed(self.so_far) if named and t.milestone == named), None)
        if step is not None:
            # "within 60 days of receiving the grounds": the step this release dated earlier.
            return (f"{named} ({step.expression})", step.end, step.assumptions)
        return ("release", self.ref, ())

    def _agency_for_milestone(self, milestone: str, named: list[str]) -> str | None:
        if milestone.startswith("reexamination") or milestone in ("opinion",):
            return "EMA"
        if milestone == "commission-decision":
            return "EC"
        if milestone == "action-date" and (not named or "FDA" in named):
            return "FDA"
        return named[0] if named else self.doc_agency


# A clause opening with the act it counts from: "Once the meeting is completed, ...".
_DAY_THEN = LEX.cues["day_then"].pattern
_LED_BY = re.compile(
    r"^\s*(?:" + _ANCHOR_BEFORE.pattern + r")\s+((?:the|its|this|that)\s+[^,;]{2,60}?)"
    r"\s+(?:is|has been|was|are|have been)\s+(?:completed|over|held|concluded|finished|done)\b"
)
_CLOCK_FROM = re.compile(r"[^;.]{0,40}?\b(?:from|after|following|of) (?:the |its )?([\w-]+)")
_SAME_OCCASION = LEX.cues["same_occasion"].pattern
_CLOCK_IS = LEX.cues["clock_is"].pattern
_REVIEW_WORD = re.compile(r"\breview\b|\bclock\b")
# An agency's own steps of a review, which a withdrawal of the application ends.
_AGENCY_STEPS = AGENCY_MILESTONES | {"advisory-meeting", "review", "classification"}
_MEETING_WORDS = re.compile(r"\b(?:meeting|hearing|oral explanation|session|réunion)\b")
# The event an anchor's words name, English and French ("suivant la soumission").
_ANCHOR_EVENTS = [
    ("opinion", r"opinion|\bavis\b"),
    ("refusal", r"complete response|crl|refusal|letter|\bnon\b|\banc\b|non-conformité|refus"),
    ("acceptance", r"filing date|acceptance|validation|accept|recevabilité"),
    ("resubmission", r"resubmission|response to the|resoumission|réponse à"),
    ("submission", _SUBMISSION_WORDS),
    ("approval", r"approval|authori[sz]ation|approbation|autorisation"),
]


_SIDE_BY_SIDE = re.compile(
    r"^\s*(?:\([^)]{0,12}\)\s*)?(?:,\s*(?:and\s+)?|and\s+|et\s+|as well as\s+)"
    r"(?:the\s+|l['’]\s*)?[\w'’ ]{0,35}$"
)


_FILED_TO = re.compile(
    r"\b(?:to|with|before|auprès de|à)\s+(?:the\s+|la\s+|l['’]\s*)?"
    r"(?:u\.s\.\s+|us\s+|european\s+|japanese\s+)?$"
)
_LAST_CLAUSE = re.compile(r"[;:]|" + STOP)


def _filing_agencies(low: str) -> list[str]:
    """The agencies a planned filing names, each with its own "to" or "with", in the clause
    that leads to the date ("to submit the BLA to the FDA and the MAA to the EMA in the
    fourth quarter": two filings); one agency gives []."""
    cuts = [m.end() for m in _LAST_CLAUSE.finditer(low)]
    start = cuts[-1] if cuts else 0
    found = sorted(
        (m.start(), "EMA" if row.name == "EC" else row.name)
        for row in LEX.agencies
        for m in row.finditer(low)
        if row.name != "SEC"
        and m.start() >= start
        and _FILED_TO.search(low, max(start, m.start() - 30), m.start())
    )
    codes = list(dict.fromkeys(code for _, code in found))
    return codes if len(codes) > 1 else []


def _coordinated_agencies(low: str) -> list[str]:
    """The agencies named in one coordinated run ("Health Canada and Anvisa", "the FDA, the
    EMA and the PMDA") that ends with the last agency `low` names; one agency gives []."""
    found = sorted(
        (m.start(), m.end(), row.name)
        for row in LEX.agencies
        for m in row.finditer(low)
        if row.name != "SEC"
    )
    run: list[str] = []
    end = -1
    for start, stop, code in found:
        if start < end:
            continue  # one mention read by two rows
        if run and _SIDE_BY_SIDE.match(low[end:start]):
            if code not in run:
                run.append(code)
        else:
            run = [code]
        end = stop
    return run if len(run) > 1 else []  # the run that ends with the last agency named


def _last_one(x: dates.Mention, ref: date) -> dates.Mention:
    """A year-less period told in the past is the last one: "submitted the NDAs in the first
    quarter", said in May, is this year's first quarter, not next year's."""
    if x.kind == "window" and x.start and x.end and x.start > ref:
        start = dates.replace_year(x.start, x.start.year - 1)
        end = dates.replace_year(x.end, x.end.year - 1)
        return replace(x, start=start, end=end)
    return x


def _merge_spans(mentions: list[dates.Mention], low: str) -> list[dates.Mention]:
    """Join "A / B", "A or B" and "A to B" into one window spanning both."""
    out: list[dates.Mention] = []
    for x in mentions:
        prev = out[-1] if out else None
        if (
            prev
            and prev.kind in ("date", "window")
            and x.kind in ("date", "window")
            and prev.start
            and x.end
            and _JOIN.match(low[prev.endpos : x.pos])
            # "to May 15 and June 27, respectively", "PDUFA dates of June 30, 2016 and July
            # 15, 2016": one day each, not a span
            and not _RESPECTIVELY.search(low, x.endpos, x.endpos + 120)
            and not (prev.kind == x.kind == "date" and "and" in low[prev.endpos : x.pos])
        ):
            start = prev.start
            if not prev.has_year and x.has_year and x.start and start.year != x.start.year:
                # "June or July, 2025": the year named once, at the end, is both months'
                # (not "the end of this year or early next year", whose first has its own).
                moved = dates.replace_year(start, x.start.year)
                start = moved if moved <= x.end else start
            if start <= x.end:
                out[-1] = dates.Mention(
                    "window", start, x.end, low[prev.pos : x.endpos], prev.pos, x.endpos
                )
                continue
        out.append(x)
    return out
