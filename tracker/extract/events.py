"""Regulatory events: which acts a sentence states, of which agency, when, with what outcome."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from datetime import date, timedelta
from functools import lru_cache

from tracker.domain import Event, Sentence
from tracker.extract import dates, lexicon
from tracker.extract.clauses import FUTURE_HINT, Scan, clause_prefix
from tracker.extract.lexicon import LEXICON as LEX

_HELD = LEX.cues["held"]
_TENTATIVE = LEX.cues["tentative"]
_LEAD_PLACE = LEX.cues["lead_place"].pattern
_FINAL_APPROVAL = LEX.cues["final_approval"]
_PREVIOUSLY = LEX.cues["previously"]
_OBJECT_OF = LEX.cues["object_of"]
_ANSWERED = LEX.cues["answered_act"]
_MEETING_PLANNED = LEX.cues["meeting_planned"]
_DEFINITE = re.compile(r"\b(?:the|this|that)\s+$")
_LETTER_TOLD = LEX.cues["letter_told"]
_AGENCY_ACTS = frozenset(
    ("refusal", "opinion", "trend_vote", "reexamination_outcome", "approval", "acceptance")
)
_DATED_LEAD = LEX.cues["dated_lead"]
_PLAN_WORD = LEX.cues["plan_word"]
_ASKED_FOR = LEX.cues["asked_for"].pattern
_ALSO = LEX.cues["also_act"].pattern
_NEGATIVE_NAME = LEX.cues["negative_name"].pattern
_CALLED_OFF = LEX.cues["called_off"].pattern
_CALLED_OFF_BEFORE = LEX.cues["called_off_before"].pattern
_OPTIONS = LEX.cues["options"].pattern
_OWN_PAST = LEX.cues["own_past"].pattern
_GENERIC_ACT = LEX.cues["generic_act"].pattern
_FIRST_OF_KIND = LEX.cues["first_of_kind"].pattern
_FOR_GERUND = LEX.cues["for_gerund"].pattern
_HELD_CLAUSE = re.compile(r"[;:]|\b(?:but|while|whereas)\b|\band\b(?! only\b)")
_PARTICIPLE = re.compile(r"(?:approved|authori[sz]ed|licensed|cleared)\b")
_BASE_VERB = LEX.cues["base_verb"].pattern
_TO_LEAD = LEX.cues["to_come"].pattern
_THIS_ACT = LEX.cues["this_act"].pattern
_US_LISTING = LEX.cues["sec_registrant"]
_EARLIER_ACT = LEX.cues["earlier_act"]
_BACKGROUND_PHRASE = LEX.cues["background_phrase"]
_POSSIBLE = LEX.cues["possible"]
_HEARSAY = LEX.cues["hearsay"].pattern
_TRIAL_APPLICATION = LEX.cues["trial_application"].pattern
_DESIGNATION_SOUGHT = LEX.cues["designation_sought"].pattern
_GRANTS_REQUEST = LEX.cues["grants_request"].pattern
_TODAY = LEX.cues["today"]
_EXPECTED_AFTER = LEX.cues["expected_after"]
_SUBMISSION_DAY = LEX.cues["submission_day"].pattern
_OWN_SUBMISSION_DAY = frozenset(("submission", "resubmission"))
_BULLETS = "•*-–·▪"
_BOTH = re.compile(r"\b(?:from|by) (?:both )?(?:the )?[\w.&' -]{2,60}? and (?:the )?")
_RECENT = timedelta(days=30)
_REACH = 300
_CHMP = re.compile(r"\bchmp\b|committee for medicinal products")
_PANEL = LEX.cues["advisory_panel"]
_ADVISORY_GROUP = LEX.cues["advisory_group"]
_ACT_BREAK = re.compile(
    r";|:(?![^()]*\))|,\s+(?:and|but|while|whereas)\b"
    r"|\band (?:the|its|our) (?:[\w()-]+ ){0,5}?(?:has|have|had|was|were|is|will)\b"
)
_DONE_VERB = re.compile(r"(?:\w+ )?\w+ed\b")

_EARLIER = LEX.cues["earlier"]
_MISSED = LEX.cues["missed"]
_NEGATED = LEX.cues["negated"]
_NEGATED_INTENT = LEX.cues["negated_intent"]
_PLANNED = LEX.cues["planned"]
_ADJECTIVAL = re.compile(r"(?:'s|’s|\bthe|\bits|\btheir|\bour) $")
_NEWS_GOAL = LEX.cues["news_goal"]
_MAYBE_AFTER = re.compile(r"\s+(?:may|might|could)\b")
_GOAL_NOT_SET = LEX.cues["goal_not_set"].pattern
_GOAL_ANTICIPATED = LEX.cues["goal_anticipated"].pattern
_MEETING_HELD = LEX.cues["meeting_held"].pattern
_GIVEN_BY = re.compile(r"\b(?:from|by)\s+(?:the\s+)?")
_WHERE_PLACE = LEX.cues["where_place"]
_FOR_PURPOSE = LEX.cues["for_purpose"]
_RUN_ENDS = re.compile(
    r";|(?<!\.[a-z])\.\s|\bin addition to\b|\bas well as\b|\bwhile\b|\bwhereas\b|\bbut\b"
)


class EventReader(Scan):
    """Reads the events of a release."""

    def events(self) -> list[Event]:
        found: dict[tuple[object, ...], tuple[int, list[Event]]] = {}
        replaced: list[Event] = []  # goal dates named as moved from, wherever they stand
        registrant = self._sec_registrant()
        for i in sorted(self.hinted):
            sent, low = self.sents[i], self.lows[i]
            hits = LEX.detect_all(low, self.act_needles.get(i, set()))
            # A back-reference ("following its approval by the Commission") is another act
            # even of the same kind: it bounds the stretch of today's act.
            spans = sorted(
                (m.start(), m.end(), r.name + ("/earlier" if r.reference else "")) for r, m in hits
            )
            self._longest_act = max((b - a for a, b, _ in spans), default=0)
            here: dict[tuple[object, ...], tuple[int, list[Event]]] = {}
            named_earlier: dict[tuple[object, ...], list[bool]] = {}
            days_set: dict[tuple[object, ...], list[date | None]] = {}
            for rule, m in hits:
                # The day a goal date names ("the PDUFA goal date for A is set for February 21,
                # 2020, and the PDUFA goal date for B ... February 26"): two goals, two events.
                target = self._goal_day(low, m) if rule.name == "goal_date" else None
                for rank, ev in self._events_from(sent, low, rule, m, spans):
                    # Designations of other kinds are other acts (Breakthrough, then priority).
                    detail = ev.detail if ev.type == "review_designation" else None
                    key: tuple[object, ...] = (ev.type, ev.agency, ev.outcome, ev.country, detail)
                    best, group = here.get(key, (rank, []))
                    refs = named_earlier.setdefault(key, [])
                    targets = days_set.setdefault(key, [])
                    # Two acts of one kind in one sentence are two events ("approval in
                    # Argentina and Mexico", "Orphan Drug and Sakigake designations"), and so
                    # are today's act and the earlier one it names ("the CHMP confirmed its
                    # June negative opinion": today's opinion and June's).
                    if all(
                        _distinct(ev, other)
                        or rule.reference != ref
                        or (target is not None and day is not None and target != day)
                        for other, ref, day in zip(group, refs, targets, strict=True)
                    ):
                        # "accepted both New Drug Applications": one acceptance of each
                        copies = 2 if _BOTH_APPLICATIONS.search(m.group(0)) and not group else 1
                        here[key] = (max(best, rank), [*group, *[ev] * copies])
                        refs.extend([rule.reference] * copies)
                        targets.extend([target] * copies)
            for key, (rank, group) in here.items():
                replaced += [e for e in group if e.type == "goal_date" and _replaced_goal(e)]
                # Across sentences, one event per (type, agency, outcome): the best-dated
                # mention wins; but an act the text marks as earlier ("In April 2015, the
                # FDA granted ...", "first received ... in November 2009") beside today's
                # news of the same kind is another act.
                if key in found and (
                    self._earlier_act(group, found[key][1], low)
                    or _another_act(group, found[key][1], self.ref)
                ):
                    found[(*key, "earlier", i)] = (rank, group)
                elif key not in found or rank > found[key][0]:
                    found[key] = (rank, group)
            for item, m in LEX.sec_items_in(low) if registrant else ():
                # Form 8-K items bind only SEC registrants (a US listing or an SEC filer;
                # a foreign private issuer files 6-K): the evidence is said.
                when, rank = self._event_date("sec_item", low, "", low, (m.start(), m.end()))
                ev = Event(
                    "sec_item", "SEC", None, self.product, when, sent.text, sent.index, item,
                    why=f"SEC registrant: {registrant}",
                )  # fmt: skip
                key = ("sec_item", "SEC", item, None, None)
                if key not in found or rank > found[key][0]:
                    found[key] = (rank, [ev])
        events = [ev for _, group in found.values() for ev in group]
        # An unlisted agency named ("the MFDS approved") and its country named ("approval in
        # South Korea") in another sentence are one act.
        placed = {(e.type, e.outcome) for e in events if e.agency == "OTHER" and e.country}
        events = [
            e
            for e in events
            if not (e.agency == "OTHER" and not e.country and (e.type, e.outcome) in placed)
        ]
        if any(e.type == "goal_date_extension" for e in events):
            # The new date of an extension is not a separately announced goal date; the
            # original date it replaced stays as a back-reference, undated.
            events = [e for e in events if e.type != "goal_date" or _replaced_goal(e)]
            if replaced and not any(e.type == "goal_date" for e in events):
                # The replaced date's mention lost to a better-dated one ("The FDA extended
                # the action date ...") that names the new date: the replaced one stands.
                events.append(replaced[0])
        return _infer_outcomes(events)

    def _events_from(
        self,
        sent: Sentence,
        low: str,
        rule: lexicon.Row,
        m: re.Match[str],
        spans: list[tuple[int, int, str]],
    ) -> list[tuple[int, Event]]:
        """The events one match states, each with how well it is dated (2 stated, 1 by the
        release, 0 unknown)."""
        prefix = clause_prefix(low, m.start())
        if _NEGATED.search(prefix[-30:]) or _NEGATED_INTENT.search(prefix):
            return []
        if rule.name in ("submission", "acceptance", "withdrawal") and _TRIAL_APPLICATION.search(
            low, max(0, m.start() - 20), m.end() + 40
        ):
            return []  # "accepted the company's Investigational New Drug (IND) application"
        if _HEARSAY.search(low, max(0, m.start() - 100), m.start()):
            return []  # "online speculation that the FDA had approved the drug is false"
        scheduled = rule.name in ("goal_date", "advisory_meeting", "goal_date_extension")
        if scheduled and _POSSIBLE.search(prefix):
            return []  # "the opinion may require the company to attend an oral explanation"
        # A background act's own words count for its modality ("following possible approval"),
        # but not its head noun: "following a positive EMA recommendation" is no plan.
        # Only the words that govern it do ("pending approval of"), not a plan further back
        # ("considers the reply to be a major amendment to the BLA resubmission").
        told = prefix[-25:] + m.group(0).rsplit(" ", 1)[0] if rule.reference else prefix
        # An act named as the object of another ("plans to appeal the issuance of a CRL",
        # "will respond to the CRL") happened, whatever the plan around it.
        # Only the agency's acts are answered; the company's own ("appeal this decision and
        # request a re-examination") stay plans.
        answered = rule.name in _AGENCY_ACTS and _ANSWERED.search(_object_window(low, m.start()))
        if (
            not scheduled
            and _PLANNED.search(told)
            and (not answered or _PLANNED.search(answered.group(0)))
            and not _OWN_PAST.search(m.group(0))
        ):
            return []  # "following possible approval of ..."
        if _TO_LEAD.search(prefix[-12:]) and _BASE_VERB.match(m.group(0)):
            return []  # "Genta to request re-examination": an act to come, told in a headline
        if rule.name == "goal_date" and (
            _GOAL_NOT_SET.search(prefix[-40:])
            or _GOAL_ANTICIPATED.search(low, max(0, m.start() - 160), m.start())
            or (
                _GOAL_NOT_SET.search(low, m.start(), m.end() + 30)
                # "the goal date by which the FDA is expected to decide is ...": set
                and not m.group(0).endswith("by which")
            )
        ):
            return []  # "which would set a goal date six months out": not set yet
        if rule.name == "advisory_meeting" and (
            _MAYBE_AFTER.match(low, m.end())
            or _ASKED_FOR.search(prefix[-50:])
            or (
                # "planning to hold an advisory committee meeting" with no date for it
                _MEETING_PLANNED.search(prefix[-60:])
                and not dates.find(_own_clause(low[m.end() : m.end() + 120]), self.ref, True)
            )
            or _CALLED_OFF.search(_own_clause(low[m.end() : m.end() + 200]))
            or _called_off_before(low, m.start())
        ):
            return []  # "an oral explanation may be requested", "intends to request a hearing"
        if _OPTIONS.search(low, max(0, m.start() - 200), m.start()):
            return []  # "options ... including withdrawing the application": none done
        if _GENERIC_ACT.search(low, max(0, m.start() - 30), m.start()):
            return []  # "an opinion on each ATMP application submitted to the EMA"
        if _PARTICIPLE.match(m.group(0)) and _FIRST_OF_KIND.search(
            low, max(0, m.start() - 50), m.start()
        ):
            return []  # "the first vaccine approved by the FDA for the disease": a kind
        if re.match(r"\w+ing\b", m.group(0)) and _FOR_GERUND.search(
            low, max(0, m.start() - 30), m.start()
        ):
            return []  # "a sound basis for granting a marketing authorisation": a purpose
        if (
            rule.name == "review_designation"
            and _DESIGNATION_SOUGHT.search(prefix + m.group(0))
            and not _GRANTS_REQUEST.match(m.group(0))
        ):
            return []  # "will request priority review"; not "granted the request for ..."
        if rule.name not in ("refusal", "trend_vote") and _NEGATED.search(
            _NEGATIVE_NAME.sub(" ", m.group(0))  # "the answer to the not approvable letter"
        ):
            return []  # "an advisory committee will not be scheduled"
        # A held state told before the act counts in the act's own clause only: "is the first
        # vaccine approved by the FDA and follows the May 2 grant by the Commission of ...".
        lead = _HELD_CLAUSE.split(prefix[-90:])[-1]
        held = bool(_HELD.search(lead + low[m.start() : m.end() + 60]))
        if held and rule.name != "goal_date":
            return []  # "is approved by the FDA for", "holds approvals in": a state, no act
        if (
            rule.name == "approval"
            and _tentative(low)
            and not _FINAL_APPROVAL.search(low, max(0, m.start() - 12), m.end() + 12)
        ):
            return []  # "this approval came in the form of a tentative approval": no approval
        if (
            rule.name not in ("advisory_meeting", "goal_date_extension")
            and not _DONE_VERB.match(m.group(0))
            and not m.group(0).endswith("by which")  # its own relative clause, not a plan
            and _EXPECTED_AFTER.search(_own_clause(low[m.end() : m.end() + 160]))
        ):
            return []  # "FDA acceptance of the resubmission is expected within 30 days"
        outcome = lexicon.outcome_of(rule, m)
        if rule.name == "trend_vote" and outcome is None:
            return []
        # The event's own stretch of the sentence: from the end of the event named before it
        # to the start of the one named after it.
        # A semicolon or colon between two acts ends the stretch of each.
        # Another mention of the same kind ("a complete response letter (CRL) received on
        # July 28") does not end the act's stretch; a semicolon or a new clause does.
        # Only the acts near it can bound it (its stretch is capped at _REACH each way): they
        # are found by bisection, so a sentence of many acts costs no more than its length.
        near = spans[
            bisect_left(spans, (m.start() - _REACH - self._longest_act,)) : bisect_right(
                spans, (m.end() + _REACH + 1,)
            )
        ]
        others = [(a, b) for a, b, kind in near if kind != rule.name]
        # An act's stretch is a few hundred characters at most, whatever the sentence's length.
        scope_start = max((e for s, e in others if e <= m.start()), default=0)
        scope_start = max(scope_start, m.start() - _REACH)
        cuts = [c.end() for c in _ACT_BREAK.finditer(low, scope_start, m.start() + 1)]
        scope_start = cuts[-1] if cuts else scope_start
        # An act that overlaps this one's end ("accepted for priority review" over "... was
        # accepted for") does not end its stretch: the words after both are both acts'. One
        # inside it, or one whose own day follows it ("a response to the approvable letter
        # received on August 1": the letter's day), still does.
        scope_end = next(
            (
                s
                for s, e in others
                if s > m.start()
                and (s >= m.end() or e <= m.end() or _DATED_LEAD.pattern.match(low, e))
            ),
            len(low),
        )
        scope_end = min(scope_end, m.end() + _REACH)
        cut = _ACT_BREAK.search(low, m.end(), scope_end)
        scope_end = cut.start() if cut else scope_end
        scope = low[scope_start:scope_end]
        when, rank = self._event_date(
            rule.name,
            low,
            prefix,
            scope,
            (m.start() - scope_start, m.end() - scope_start),
            scope_start,
        )
        if (
            held
            or (rule.reference and not (rank == 2 and self._dated_at(low, m.end(), when)))
            or (
                _OBJECT_OF.search(_object_window(low, m.start()))
                and not (rank == 2 and self._dated_at(low, m.end(), when))
            )
            or (self._highlight(sent) and rank < 2)  # a dated bullet keeps its day
            or (sent.index < self.headline_end and rank < 2)  # a headline's act: the body's
            or (sent.index not in self.body and rank < 2)  # an About section recounts
            or (self.results_release and rank == 1 and not _TODAY.search(low))
        ):
            # "the submission to Health Canada", "to discuss the CRL it received": an act
            # named as background or as the object of another, not this release's news.
            when, rank = None, 0
        if (
            rank == 1
            and rule.name == "refusal"
            and _DEFINITE.search(low, max(0, m.start() - 6), m.start())
            and not _LETTER_TOLD.search(prefix)
            and not _LETTER_TOLD.pattern.match(low, m.end())
        ):
            # "There were no safety issues in the CRL": the letter the release tells of,
            # named again, not another one issued today.
            when, rank = None, 0
        if (
            rank
            and m.group(0).startswith(("resubmitted", "submitted", "filed", "refiled"))
            and _ADJECTIVAL.search(low, max(0, m.start() - 6), m.start())
        ):
            when, rank = None, 0  # "the company's resubmitted NDA": done before this news
        how = "the release date" if rank == 1 else "the text" if rank == 2 and when else None
        details: list[str | None] = [LEX.detail_of(rule.name, low, m)]
        if rule.name == "review_designation":
            named = LEX.details_in(rule.name, m.group(0))
            details = list(named) if len(named) > 1 else details  # "Orphan Drug and Sakigake"
        out = []
        targets = self._agencies_for(rule.name, low, m, self._named(sent), scope, scope_start)
        if rule.reference and not _given_by(low, m):
            # "the submission to Health Canada", "follows the EC authorization": the agency
            # the background act names ("following approvals from A, B and C" names three).
            own = _nearest_agency(scope, m.start() - scope_start, m.end() - scope_start)
            right_after = low[m.end() : m.end() + 40]
            named_after = LEX.agencies_in(right_after) or [
                code for code, _name in LEX.country_mentions(right_after)
            ]
            inside = [c for c, _n in LEX.country_mentions(m.group(0)) if c != "OTHER"]
            if rule.name == "approval" and len(inside) > 1:
                # "the drug's European and US marketing authorisations": one per place
                targets = list(dict.fromkeys(_eu(c, "approval") for c in inside))
            else:
                if m.group(0).rstrip().endswith((" in", " from", " by")) and named_after:
                    # "following approval in the European Union": the place the act names
                    first = named_after[0]
                    own = "EC" if rule.name == "approval" and first in ("EMA", "EC") else first
                    targets = [own]
                targets = [t for t in targets if t.split("|")[0] == own][:1] or targets[:1]
        own_days = self._own_days(low, m, targets) if len(targets) > 1 and rank == 2 else {}
        for target in targets:
            agency, _, country = target.partition("|")
            kind = rule.name
            if target in own_days:
                # "approved by the Commission on 3 March and by Swissmedic in April": each
                # agency's act keeps the day (or the month, undated) told after its name
                when = own_days[target]
            if country == "trend_vote":
                kind, country = "trend_vote", ""
            if (
                kind == "trend_vote"
                and agency == "EMA"
                and "recommendation" in m.group(0)
                and _CHMP.search(low, m.start(), m.end() + 60)
                and not _ADVISORY_GROUP.search(m.group(0))  # the CHMP's advisory group votes
            ):
                kind = "opinion"  # "the positive recommendation by the CHMP": its opinion
            if kind == "refusal" and agency == "EMA":
                kind = "opinion"  # the CHMP "declined" or "refused": a negative opinion
            for detail in details:
                if kind == "review_designation" and detail == "orphan" and agency == "EMA":
                    agency = "EC"  # an EU orphan designation is the Commission's (CONTRACT.md)
                why = f'{rule.id}: "{m.group(0)}"' + (f"; dated by {how}" if how else "")
                ev = Event(
                    kind, agency, outcome, self.product, when, sent.text, sent.index,
                    detail, country or None, why,
                )  # fmt: skip
                out.append((rank, ev))
        return out

    def _own_days(self, low: str, m: re.Match[str], targets: list[str]) -> dict[str, date | None]:
        """The date told right after each agency's name, where the act names several."""
        at: list[tuple[int, str]] = []
        for target in targets:
            rx = LEX.agency_regex.get(target.split("|")[0])
            found = rx.search(low, m.start(), m.end() + 200) if rx else None
            if found:
                at.append((found.end(), target))
        at.sort()
        out: dict[str, date | None] = {}
        for i, (pos, target) in enumerate(at):
            stop = at[i + 1][0] if i + 1 < len(at) else min(len(low), pos + 40)
            told = dates.find(low[pos : min(stop, pos + 40)], self.ref, False)
            if told and told[0].pos <= 6:
                x = told[0]
                out[target] = x.start if x.kind == "date" and x.start else None
        return out

    def _dated_at(self, low: str, end: int, when: date | None) -> bool:
        """Whether the act's own words end right before the day it was dated by ("the
        submission on January 5"): a background act keeps a day it is given so."""
        lead = _DATED_LEAD.pattern.match(low, end)
        at = lead.end() if lead else end
        head = dates.find(low[at : at + 40], self.ref, None)
        return bool(head) and head[0].pos <= 2 and head[0].kind == "date" and head[0].start == when

    def _sec_registrant(self) -> str | None:
        """Why the issuer is taken to file Form 8-K: a US listing or an SEC filing named."""
        for low in self.lows[:40]:
            m = _US_LISTING.search(low)
            if m:
                return f'"{m.group(0)}"'
        return None

    def _earlier_act(self, new: list[Event], old: list[Event], low: str) -> bool:
        def news(group: list[Event]) -> bool:
            return any(e.date == self.ref for e in group)

        def earlier(group: list[Event], text: str) -> bool:
            # A month or more before the release, or undated with a marker of time past; a
            # date a few days back is today's news told exactly ("received on December 3").
            # A goal date names a day ahead ("our PDUFA date in January"): only words of time
            # past ("previously") make it another one.
            marker = _PREVIOUSLY if group[0].type == "goal_date" else _EARLIER_ACT
            return any(e.date is not None and e.date < self.ref - _RECENT for e in group) or (
                all(e.date is None for e in group) and bool(marker.search(text))
            )

        old_text = old[0].evidence.lower()
        if any(_points_back(e) for e in new):
            return False  # "its anticipation of this negative opinion": the act already told
        return (news(old) and earlier(new, low)) or (news(new) and earlier(old, old_text))

    def _highlight(self, sent: Sentence) -> bool:
        """An undated bullet of a results release's highlights (CONTRACT.md: null)."""
        return self.results_release and sent.text.lstrip()[:1] in _BULLETS

    def _agencies_for(
        self,
        etype: str,
        low: str,
        m: re.Match[str],
        named: list[str],
        scope: str,
        scope_start: int,
    ) -> list[str]:
        own = _nearest_agency(scope, m.start() - scope_start, m.end() - scope_start)
        given = _given_by(low, m)
        if given and etype not in ("opinion", "trend_vote", "goal_date", "goal_date_extension"):
            # "approvals from the FDA, the Commission and the MHRA", "acceptance for priority
            # review from China's NMPA": the agencies the act is from, not those before it.
            run = low[given.end() : given.end() + 120]
            stop = _RUN_ENDS.search(run)
            givers = LEX.agencies_in(run[: stop.start()] if stop else run)
            if etype == "approval":
                givers = list(dict.fromkeys(_eu(a, "approval") for a in givers))
            # "orphan drug designations received from both the FDA and the Commission": one
            # each, where the act's words are plural.
            many = etype in ("approval", "submission") or (
                etype == "review_designation" and _PLURAL_ACT.search(m.group(0))
            )
            if givers:
                return givers if many else givers[:1]
        if etype in (
            "opinion",
            "reexamination_request",
            "reexamination_grounds",
            "reexamination_outcome",
        ) and ("EMA" in named or self.doc_agency in ("EMA", "EC")):
            return ["EMA"]
        who = own or (named[0] if named else None)
        if etype == "opinion" and who in ("FDA", "TGA", "HC") and _PANEL.search(low):
            # "the positive opinion from ADEC", "the FDA advisory committee meeting at which
            # the committee recommended approval": a panel's vote
            return [f"{who}|trend_vote"]
        if etype == "trend_vote":
            if own and own != "EC":
                return [own]
            places = [c for c, _n in LEX.country_mentions(scope)]
            if places:  # "the commission of the French agency recommended ... in France"
                return ["EMA" if places[0] == "EC" else places[0]]
            if self.doc_agency in ("EMA", "EC"):
                return ["EMA"]
            if self.doc_agency is not None:
                return [self.doc_agency]
            return ["FDA"] if "advisory committee" in low or "panel" in low else ["EMA"]
        if etype == "goal_date" or etype == "goal_date_extension":
            # A clock stop or an extra month granted in an EU review is the EMA's.
            if own in ("EMA", "EC") or (own is None and self.doc_agency in ("EMA", "EC")):
                return ["EMA"]
            return [own] if own and own != "FDA" and etype == "goal_date_extension" else ["FDA"]
        if etype == "review_designation":
            # "with the ones in the US, Japan and China being granted priority review": one
            # per place the grant is told of.
            granted = _PLACES_GRANTED.search(low[max(0, m.start() - 90) : m.end()])
            if granted:
                places = [c for c, _n in LEX.country_mentions(granted.group(1)) if c != "OTHER"]
                if len(places) > 1:
                    return list(dict.fromkeys(_eu(c, "approval") for c in places))
            # "orphan designations from both the FDA and the European Commission": one each;
            # an EU orphan designation is the Commission's.
            after = scope[m.end() - scope_start :]
            direct = LEX.agencies_in(after[:80])
            both = _BOTH.search(after[:80])
            if (
                len(direct) > 1
                and both is not None
                # "by the FDA and the EMA", not "by the FDA and orphan designation by the EMA"
                and bool(LEX.agencies_in(after[both.end() : both.end() + 40]))
                and not LEX.details_in(etype, after[both.start() : both.end() + 40])
            ):
                return list(dict.fromkeys(_eu(a, "approval") for a in direct))
        if etype in ("withdrawal", "acceptance", "refusal"):
            # The agency or place the act's own words name decides ("withdraw the European
            # marketing authorisation application", whatever agency the sentence names next).
            words = m.group(0)
            inner = LEX.agencies_in(words) or [c for c, _n in LEX.country_mentions(words)]
            application = LEX.application_agency(words)
            if not inner and application in ("EMA", "HC") and own in (None, "EC", application):
                # an MAA, an NDS: one agency's, unless the act's subject is another agency
                # ("Swissmedic has accepted for review the marketing authorization
                # application": MAA is the Swiss and British word too)
                inner = [str(application)]
            if inner and inner[0] != "OTHER":
                return [_eu(inner[0], etype)]
        if etype == "submission" or (etype == "approval" and not LEX.agencies_in(scope)):
            # "announced U.S. and European regulatory submissions", "l'extension obtenue en
            # Europe": the places the act's own words name, one act each (an approval's
            # only where its stretch names no agency).
            places = [c for c, _n in LEX.country_mentions(m.group(0)) if c != "OTHER"]
            if places:
                return list(dict.fromkeys(_eu(c, etype) for c in places))
        if etype in ("approval", "submission", "refusal", "withdrawal", "acceptance"):
            # "patients in the US, where the drug was approved two years ago": the place the
            # act's relative clause hangs on, whatever agency the sentence named before it.
            lead = low[max(0, m.start() - 90) : m.start()]
            where = _WHERE_PLACE.search(lead)
            places = (
                [c for c, _n in LEX.country_mentions(lead[: where.start()][-40:])] if where else []
            )
            if places and places[-1] != "OTHER":
                return [_eu(places[-1], etype)]
        if etype in ("approval", "submission", "refusal", "withdrawal", "acceptance"):
            # One event per agency named in the act's own stretch: "approved by the
            # Commission in April and subsequently by the MHRA", "filed in Japan, the US and
            # the EU"; an EU approval is the Commission's.
            direct = LEX.agencies_in(scope)
            direct = list(dict.fromkeys(_eu(a, etype) for a in direct))
            if direct:
                # One event per agency named: "submitted to the FDA and the EMA".
                return direct if etype in ("approval", "submission") else [own or direct[0]]
            # Countries near the act: the list of a filing may run long ("submitted NDAs to
            # the agencies of Macau, Malaysia and Thailand"), an approval's is short.
            reach = 160 if etype == "submission" else 60
            if len(LEX.country_mentions(low[m.end() : m.end() + 60])) > 1:
                reach = 160  # "received marketing authorization in Austria, Belgium, ..."
            tail = low[m.end() : m.end() + reach]
            plan = _PLAN_WORD.search(tail)  # "... in the EU, and our planned filings in Japan"
            near = (
                low[max(0, m.start() - 100) : m.start()]
                + low[m.start() : m.end()]
                + (tail[: plan.start()] if plan else tail)
            )
            countries = [
                f"{code}|{name}"
                if name
                else ("EMA" if code == "EC" and etype != "approval" else code)
                for code, name in LEX.country_mentions(near if len(near) < len(scope) else scope)
                if code != "OTHER" or etype in ("submission", "approval", "acceptance")
            ]
            if countries:
                return (
                    list(dict.fromkeys(countries))
                    if etype in ("approval", "submission")
                    else [countries[0]]
                )
        opening = _LEAD_PLACE.match(low)
        if own is None and opening and opening.end() <= m.start():
            # "In the U.S., the drug was granted breakthrough therapy designation": the place
            # the sentence opens with, not the agency the release is about.
            places = [c for c, _n in LEX.country_mentions(opening.group(0))]
            if places and places[0] != "OTHER":
                return [_eu(places[0], etype)]
        if own:
            return [own]
        if named:
            return [named[0]]
        app = LEX.application_agency(scope)
        if app == "FDA" and (self.doc_agency or self.home_agency) in ("NMPA", "PMDA"):
            app = None  # an "NDA" is China's and Japan's word too
        if app is not None and app != self.doc_agency and not LEX.country_mentions(low):
            # "it has withdrawn the NDA" in a release about Canada: the kind of application
            # names its agency ("EC" for an EU approval, as everywhere).
            return [_eu(app, etype)]
        if self.doc_agency:
            agency = self.doc_agency
            if etype == "approval" and agency == "EMA":
                agency = "EC"
            return [agency]
        if self.home_agency:  # told without an agency by an issuer at home (a Tokyo dateline)
            return [self.home_agency]
        return ["OTHER"]

    def _goal_day(self, low: str, m: re.Match[str]) -> date | None:
        """The first full day told within the words after a goal date's mention."""
        for x in dates.find(low[m.end() : m.end() + 120], self.ref, True, dates.FULL_KINDS):
            return x.start
        return None

    def _event_date(
        self,
        etype: str,
        low: str,
        prefix: str,
        scope: str,
        at: tuple[int, int],
        offset: int = 0,
    ) -> tuple[date | None, int]:
        """The act's date and its rank (2 told, 1 the release's news, 0 none); `scope` is
        `low[offset:...]` and `at` the act's words in it."""
        if etype in ("goal_date", "goal_date_extension"):
            # The target date is a deadline; the event is its announcement, this release.
            near = low if len(low) < 2 * _REACH else scope
            # An extension names the date it replaces ("three months after the original
            # date"): that makes the extension no less today's news.
            superseded = etype == "goal_date" and _MISSED.search(near)
            if superseded or not _NEWS_GOAL.search(near):
                return None, 0
            head = scope[: at[0]]
            earlier = _PREVIOUSLY.search(head)
            if earlier and not (
                # "the previously set August 6 PDUFA date has been extended": the old
                # date's word, not the extension's
                etype == "goal_date_extension" and _OLD_DATE_NAMED.match(head, earlier.end())
            ):
                return None, 0  # "the FDA has previously assigned a PDUFA date of ..."
            set_on = [
                x.start
                for x in dates.find(head, self.ref, False)
                if x.kind == "date"
                and x.start
                and x.start < self.ref
                and at[0] - x.endpos > 2  # "its June 1 PDUFA date" names the goal itself
            ]
            if set_on:
                # "On February 24, 2017, the company received a letter in which the FDA said
                # it had assigned a PDUFA date": set that day.
                return set_on[-1], 2
            if _EARLIER.search(head) and any(
                x.end and x.end < self.ref for x in dates.find(head, self.ref, False)
            ):
                # "accepted the NDA in December with a PDUFA date of ...": set back then. A
                # past date after the goal words ("the CRL it issued in 2011") is another act's.
                return None, 0
            return self.ref, 1
        # A past year in the act's own words ("a response to its 2008 action letter"): that
        # year's act, not dated to the day.
        # An answer's own words hold the year of what it answers ("its response to the
        # April 2006 approvable letter"), not its own.
        years = _YEAR_IN.findall(scope, at[0], at[1])
        if (
            years
            and all(int(y) < self.ref.year for y in years)
            and etype not in ("resubmission", "reexamination_request", "reexamination_grounds")
        ):
            return None, 0
        # A preposed phrase naming the act this one follows ("following a positive CHMP
        # recommendation in April, the Commission granted"): its dates are that act's.
        # The phrase may begin before the scope, which starts at that other act's words.
        reach = max(0, offset + at[0] - 400)  # the phrase is at most a few hundred chars
        for b in _BACKGROUND_PHRASE.pattern.finditer(low, reach, offset + at[0] + 1):
            s, e = max(0, b.start() - offset), b.end() - offset
            if 0 < e <= at[0]:
                scope = scope[:s] + " " * (e - s) + scope[e:]
        # A meeting to come is dated ahead; one told as held, by the nearest year.
        ahead = etype == "advisory_meeting" and not _MEETING_HELD.search(scope)
        # An act is told done: its year-less day or weekday is the last one ("approved on
        # Friday", said on a Thursday); a meeting's may lie ahead.
        tense = True if ahead else (None if etype == "advisory_meeting" else False)
        mentions = dates.find(scope, self.ref, future=tense)
        # The explicit date nearest the words that name the event; a day after the act that
        # the text gives to the application's submission ("accepted the NDA, submitted on
        # January 5") is the submission's, not the acceptance's.
        full = sorted(
            (
                x
                for x in mentions
                if x.kind == "date"
                and x.start
                and (
                    etype in _OWN_SUBMISSION_DAY
                    # the day a submission is given ("the application, submitted on May 3,
                    # has been accepted"), before or after the act, is the submission's
                    or not _SUBMISSION_DAY.search(
                        scope, max(at[1] if x.pos >= at[1] else 0, x.pos - 60), x.pos
                    )
                )
            ),
            key=lambda x: x.pos - at[1] if x.pos >= at[1] else at[0] - x.endpos,
        )
        if etype == "advisory_meeting" and full:
            # A meeting is dated by its own day: the dateline's date in the same sentence is
            # the announcement's ("March 4 -- ... will hold a meeting ... on April 17").
            own = [x for x in full if x.start != self.ref]
            window_after = any(x.kind == "window" and x.pos >= at[1] for x in mentions)
            if window_after and not any(x.pos >= at[1] for x in own):
                # "a PDUFA date of June 30 and a meeting in the second quarter", "scheduled
                # for the committee's November 6-9 meeting": dated by a window, so no day.
                return None, 0
            if not own and (FUTURE_HINT.search(scope) or window_after):
                # only the release's own day, and the meeting is to come ("today announced
                # that the FDA will hold an advisory committee meeting"): its day is not told
                return None, 0
            return (own or full)[0].start, 2
        past = [x for x in full if x.start and x.start <= self.ref]
        if len(past) > 1:
            # The dateline's own date is not the act's when the text dates the act.
            past = [x for x in past if x.start != self.ref] or past
        # Only the dateline's day (or "today said"), and a past month or year in the act's
        # own words after it ("June 3 -- ... said that a submission was made in Switzerland
        # in early February"): the act is that earlier one, not dated to the day.
        if (
            past
            and all(x.start == self.ref for x in past)
            and any(
                x.kind == "window"
                and x.end
                and (x.end < self.ref or (not x.has_year and tense is False))
                and (x.pos >= at[1] or 0 <= at[0] - x.endpos <= 2)  # "April 2006 letter"
                and not _CLAUSE_CUT.search(scope, at[1], max(at[1], x.pos))
                and not _RELATIVE.search(scope, at[1], max(at[1], x.pos))  # "that it requested"
                for x in mentions
            )
        ):
            return None, 0
        if past:
            return past[0].start, 2
        if (
            _EARLIER.search(prefix)
            or _EARLIER.search(scope)
            # a period that begins before the release dates the act back then; one wholly
            # ahead ("ahead of the opinion scheduled for later this month") is another act's
            or any(
                x.kind == "past_ref"
                or (
                    x.kind == "window"
                    and x.start
                    # a year-less period of a done act is the last one ("submitted in the
                    # first quarter", said in May)
                    and (x.start < self.ref or (not x.has_year and tense is False))
                )
                for x in mentions
            )
        ):
            return None, 0
        if etype == "advisory_meeting" and (
            FUTURE_HINT.search(scope) or any(x.kind == "window" for x in mentions)
        ):
            # "the FDA will hold an advisory committee meeting; the date has not been set":
            # a meeting to come is dated by its own day, not by the release's
            return None, 0
        return self.ref, 1


_BOTH_APPLICATIONS = LEX.cues["both_applications"].pattern
_PLURAL_ACT = re.compile(r"\b(?:designations|statuses)\b")
_OLD_DATE_NAMED = LEX.cues["old_date_named"].pattern
_YEAR_IN = re.compile(r"\b((?:19|20)\d\d)\b")
_CLAUSE_CUT = re.compile(r"[,;:]|\b(?:but|while|whereas)\b")  # "A and B" is one object
_RELATIVE = re.compile(r"\b(?:that|which|who|whose|when)\b")
_NEXT_CLAUSE = re.compile(r",\s+(?:and|but|while|whereas)\s")


def _another_act(new: list[Event], old: list[Event], ref: date) -> bool:
    """Whether an act of a kind already read is another one: told with "also" ("the FDA has
    also accepted the response for the tablets"), or a goal date set on another day ("The
    PDUFA action date is December 21" after "... is December 22")."""
    if _told_also(new[0]) and not _told_also(old[0]):
        return True
    if new[0].type == "goal_date":

        def days(evidence: str) -> set[date]:
            return {
                x.start
                for x in dates.find(evidence.lower(), ref, True)
                if x.kind == "date" and x.start and x.start > ref
            }

        mine, theirs = days(new[0].evidence), days(old[0].evidence)
        return bool(mine) and bool(theirs) and mine.isdisjoint(theirs)
    return False


def _eu(code: str, etype: str) -> str:
    """The EU body an act of this kind is recorded against (CONTRACT.md): an authorisation
    is the Commission's, every other step of a centralised procedure the EMA's."""
    if code in ("EMA", "EC"):
        return "EC" if etype == "approval" else "EMA"
    return code


def _given_by(low: str, m: re.Match[str]) -> re.Match[str] | None:
    """The "by" or "from" that names who did an act, at its end or just after it ("approvals
    from the FDA", "accepted for evaluation by the Swiss agency")."""
    purpose = _FOR_PURPOSE.pattern.match(low, m.end())
    end = (purpose.end() if purpose else m.end()) + 12
    # The act's words may end with the "by the" itself ("following the approval by the ").
    return _GIVEN_BY.search(low, max(m.start(), m.end() - 10), end)


def _object_window(low: str, at: int) -> str:
    """The words before an act in which another act may take it as its object: back to the
    clause's start, across the commas of a name ("the response by Acme, Inc. to the FDA")."""
    before = low[max(0, at - 90) : at]
    cut = max(before.rfind(";"), before.rfind(":"))
    return before[cut + 1 :]


def _act_words(e: Event) -> tuple[str, str, int]:
    """The event's sentence (lower-cased), the lexicon match that read it (quoted in `why`)
    and where that match stands in the sentence (-1 when not found)."""
    text = e.evidence.lower()
    words = e.why.split(": ", 1)[1].split('"')[1] if e.why and '"' in e.why else ""
    return text, words, text.find(words) if words else -1


def _points_back(e: Event) -> bool:
    """Whether the act's words are led by a pointing word ("this negative opinion")."""
    text, _words, at = _act_words(e)
    return at > 0 and bool(_THIS_ACT.search(text, max(0, at - 12), at))


def _told_also(e: Event) -> bool:
    """Whether the act's own words, or the few just before them, say "also"."""
    text, words, at = _act_words(e)
    if at < 0 or not _ALSO.search(text, max(0, at - 25), at + len(words)):
        return False
    # "accepted the application, and also granted it priority review": "also" joins the acts
    # of its own sentence, it does not make the priority review another one.
    return not any(row.name != e.type for row, _m in LEX.detect_all(text[:at]))


def _own_clause(tail: str) -> str:
    """The rest of an act's clause: up to ", and ..." where another subject's clause starts
    ("X has approved it, and the TGA is expected to decide": the expectation is the TGA's)."""
    cut = _NEXT_CLAUSE.search(tail)
    return tail[: cut.start()] if cut else tail


_PLACES_GRANTED = LEX.cues["places_granted"].pattern


def _called_off_before(low: str, at: int) -> bool:
    """Whether the words just before position `at` call the act off ("cancelled the ")."""
    return any(c.end() == at for c in _CALLED_OFF_BEFORE.finditer(low, max(0, at - 40), at))


def _replaced_goal(e: Event) -> bool:
    """A goal date named undated as the one a move replaced ("from October 24 to ...")."""
    return e.date is None and bool(_MISSED.search(e.evidence.lower()))


@lru_cache(maxsize=64)
def _tentative(low: str) -> bool:
    """Whether a sentence speaks of a tentative approval (asked once per sentence, not once
    per act: a sentence may hold hundreds)."""
    return bool(_TENTATIVE.search(low))


def _distinct(a: Event, b: Event) -> bool:
    """Whether two same-kind mentions in one sentence are two acts: other details (Orphan and
    Sakigake designations) or other countries named for an unlisted agency."""
    return bool(
        (a.detail and b.detail and a.detail != b.detail)
        or (a.country and b.country and a.country != b.country)
    )


def _nearest_agency(scope: str, at: int, until: int) -> str | None:
    """The agency named nearest to an act within the act's own stretch of the sentence; one
    named inside the act's own words ("and the FDA granted orphan designation") first."""
    best: tuple[int, str] | None = None
    for row in LEX.agencies:
        for m in row.finditer(scope):
            if at <= m.start() and m.end() <= until:
                distance = -1  # named inside the act's words
            else:
                distance = at - m.end() if m.end() <= at else m.start() - at
            if best is None or distance < best[0]:
                best = (distance, row.name)
    return best[1] if best else None


def _infer_outcomes(events: list[Event]) -> list[Event]:
    """An opinion whose outcome is unstated is negative when re-examination was requested;
    a re-examination concluded by an opinion has that opinion's outcome."""
    types = {e.type for e in events}
    # Today's opinion: the dated one; in a release without a date, the first one told.
    news = [e.outcome for e in events if e.type == "opinion" and e.outcome and e.date] or [
        e.outcome
        for e in sorted(events, key=lambda e: e.sentence)
        if e.type == "opinion" and e.outcome
    ][:1]
    out = []
    for e in events:
        if e.type == "opinion" and e.outcome is None:
            outcome = "negative" if "reexamination_request" in types else None
            e = Event(e.type, e.agency, outcome, e.product, e.date, e.evidence, e.sentence)
        if e.type == "reexamination_outcome" and e.outcome is None:
            if not news:
                continue
            e = Event(e.type, e.agency, news[0], e.product, e.date, e.evidence, e.sentence)
        out.append(e)
    return out
