"""Read a release: its dateline, issuer, product, regulatory events and stated timelines.

`extract(name, data)` is pure: no clock, no database, no network.
"""

from __future__ import annotations

import hashlib
import re
import string
from bisect import bisect_right
from collections import Counter
from datetime import date, timedelta
from itertools import accumulate

from tracker.domain import Event, Extraction, ReleaseInfo, Sentence, Timeline
from tracker.extract import dates, lexicon, text
from tracker.extract.lexicon import LEXICON as LEX

__all__ = ["extract", "extract_text"]


def extract(name: str, data: bytes) -> Extraction:
    """Extract everything from one document's bytes; `name` decides how it is decoded."""
    doc = text.load(name, data)
    warnings = (
        (
            f"document truncated: only its first {text.MAX_BYTES:,} bytes and "
            f"{text.MAX_CHARS:,} characters are read",
        )
        if doc.truncated
        else ()
    )
    return extract_text(
        name, doc.text, subject=doc.subject, date_header=doc.date_header, warnings=warnings
    )


def extract_text(
    name: str,
    body: str,
    subject: str | None = None,
    date_header: str | None = None,
    warnings: tuple[str, ...] = (),
) -> Extraction:
    """Extract from already-decoded text."""
    clean = text.normalise(body)
    sents = text.sentences(clean, normalised=True)
    if subject:
        sents = [Sentence(-1, text.normalise(subject)), *sents]
    release_date = release_date_of(clean) or (
        dates.parse_full_date(date_header) if date_header else None
    )
    language = language_of(clean)
    company, ticker = issuer_of(clean)
    product = product_of(sents)
    info = ReleaseInfo(release_date, company, ticker, subject or title_of(clean), product, language)
    sha = fingerprint(clean)
    if release_date is None or language != "en":
        extra = (
            ()
            if language == "en"
            else (f"language '{language}' is not supported; only the release date was read",)
        )
        return Extraction(name, info, (), (), sha, warnings + extra)
    reader = _Reader(sents, release_date, product)
    events = reader.events()
    timelines = reader.timelines(events)
    return Extraction(name, info, tuple(events), tuple(timelines), sha, warnings)


_PUNCTUATION = str.maketrans(dict.fromkeys(string.punctuation + "“”‘’«»–—…®™©•·", " "))


def fingerprint(clean: str) -> str:
    """The identity of a release's text: case, spacing, punctuation and markup do not count,
    so the same release as text, HTML, e-mail or from another site is stored once."""
    words = clean.lower().translate(_PUNCTUATION).split()
    return hashlib.sha256(" ".join(words).encode("utf-8", "replace")).hexdigest()


# --- release metadata ---------------------------------------------------------------------------

_WIRE = re.compile(
    r"^\s*(?:\(|/)?\s*(?:/?pr ?newswire|\(?business ?wire|\(?globe ?newswire|"
    r"marketwire|accesswire|/?ots|\(ots|\(?newswire|--|-{1,2} |/|\(bw\)|\)\s*[-–]"
    r"|\s*\(?[a-z ]*wire)",
    re.IGNORECASE,
)
_LEAD = re.compile(
    r"(?:published on|publicatie datum|date:|dated|for immediate release|"
    r"date of report[^:]*:|release date:?|datum:?)\s*$",
    re.IGNORECASE,
)
_IN_SENTENCE = re.compile(
    r"(?:\b(?:of|is|was|on|by|until|before|after|date|dates|since|from|"
    r"through|to|and|expected|scheduled|pdufa)\s*)$",
    re.IGNORECASE,
)
_FOREIGN_DATE = re.compile(
    r"\b(\d{1,2})\.?(?: de)? ("
    + "|".join(sorted(dates.ALL_MONTHS, key=len, reverse=True))
    + r")\.?,?(?: de)? ((?:19|20)\d\d)\b"
)


def release_date_of(clean: str) -> date | None:
    """The dateline date: the best-placed full date near the top of the release."""
    low = clean[:700].lower()
    found = _best_dateline(low)
    if found is None or found[0] < 3:
        found = _best_dateline(clean[:3000].lower()) or found
    return found[2] if found else None


def _best_dateline(low: str) -> tuple[int, int, date] | None:
    best: tuple[int, int, date] | None = None
    for mention in dates.find(low, date(2000, 1, 1), kinds=dates.FULL_KINDS):
        if not mention.has_year or mention.start is None:
            continue
        score = _dateline_score(low, mention.pos, mention.endpos)
        if best is None or score > best[0]:
            best = (score, mention.pos, mention.start)
    if best is not None and best[0] >= 3:
        return best
    for m in _FOREIGN_DATE.finditer(low):
        d = dates._safe_date(int(m.group(3)), dates.ALL_MONTHS[m.group(2)], int(m.group(1)))
        if d is None:
            continue
        score = _dateline_score(low, m.start(), m.end())
        if best is None or score > best[0] or (score == best[0] and m.start() < best[1]):
            best = (score, m.start(), d)
    return best


def _dateline_score(low: str, start: int, end: int) -> int:
    line_start = low.rfind("\n", 0, start) + 1
    line_end = low.find("\n", end)
    line_end = len(low) if line_end < 0 else line_end
    before, after = low[line_start:start], low[end:line_end]
    score = 0
    if _WIRE.match(after):
        score += 5
    if _LEAD.search(before):
        score += 4
    if (not before.strip(" (*-–") and not after.strip(" )*-–.,")) or (
        re.search(r"[a-z.)]+,\s*\(?$", before) and start - line_start < 140
    ):
        score += 3
    elif before.rstrip().endswith("(") or before.strip() == "":
        score += 2
    if _IN_SENTENCE.search(before):
        score -= 4
    return score - start // 2000


_TICKER = re.compile(
    r"\((?P<ex>(?:[A-Za-z][\w .&/-]{0,40}?)?(?:nasdaq|nyse|amex|tsx|asx|six|aim|lse|euronext|otc"
    r"|omx|xetra|frankfurt|nasdaq gm|nasdaq gs|cse|sgx|hkex|tse|lon|ams|swx)[\w .&/-]{0,30}?)"
    r"\s*:\s*(?P<t>[A-Za-z][A-Za-z.]{0,7})(?:[;,][^)]*)?\)"
    r"|\((?P<t2>[A-Za-z]{2,6})\s*:\s*(?P<ex2>aim|lse|tsx|nyse|nasdaq|six|asx)\)",
    re.IGNORECASE,
)
_CORP = re.compile(
    r"\b([A-Z][\w&.'-]+(?:,? (?:[A-Z][\w&.'-]*|of|&|de|and))*,? (?:Inc\.?|Incorporated|Corporation"
    r"|Corp\.?|plc|PLC|N\.?V\.?|AG|S\.?A\.?|SE|Ltd\.?|Limited|GmbH|AB|A/S|ASA|Holding AG|Co\.))"
)
_NAME_STOP = {
    "--",
    "said",
    "today",
    "company",
    "announced",
    "reports",
    "newswire)",
    "wire)",
    "biotech",
    "the",
    "and",
    "that",
    "/prnewswire/",
}


def issuer_of(clean: str) -> tuple[str | None, str | None]:
    """The issuing company and its ticker, from the first "(Exchange: TICKER)" mention."""
    head = clean[:6000]
    m = _TICKER.search(head)
    if not m:
        corp = _CORP.search(head)
        return (corp.group(1) if corp else None), None
    ticker = (m.group("t") or m.group("t2")).upper().rstrip(".")
    before = head[max(0, m.start() - 200) : m.start()]
    before = re.sub(r"\s*\([^()]*\)\s*$", "", before.rstrip())  # drop ("Alias" or "the Company")
    return _name_before(before), ticker


def _name_before(before: str) -> str | None:
    words = before.replace("\n", " ").split()
    lowercase = not any(c.isupper() for c in before)
    picked: list[str] = []
    for word in reversed(words):
        bare = word.strip(",").lower()
        if bare in _NAME_STOP or word.endswith(("/", "--")) or len(picked) >= 6:
            break
        if not lowercase and not (word[:1].isupper() or word in ("&", "of", "de")):
            break
        picked.append(word)
        if lowercase and len(picked) >= 3:
            break
    name = " ".join(reversed(picked)).strip(" ,-")
    if not name:
        return None
    return name.title() if lowercase else name


def title_of(clean: str) -> str | None:
    """The headline: the most prominent line before the dateline paragraph."""
    for line in clean.split("\n")[:30]:
        line = line.strip(" *#")
        if (
            len(line.split()) >= 4
            and "@" not in line
            and not line.endswith(":")
            and not re.search(r"\(\d{3}\)", line)
        ):
            return line[:300]
    return None


_MARKED = re.compile(
    r"\b([A-Z][\w-]{2,}|[a-z][\w-]*[A-Z][\w-]*)(?:\s?(?:®|™|\(R\)|\(TM\)|\[®\]|"
    r"\[™\]|\(r\)|\(tm\)))"
)
_GENERIC = re.compile(r"\b([A-Za-z][\w-]{2,})\s?(?:®|™)?\s\(([a-z][a-z -]{5,60})\)")


_APPLIED_FOR = re.compile(
    r"(?:\b(?:[Aa]pplication|NDA|BLA|MAA|NDS|sNDA|sBLA|[Ss]ubmission|[Aa]uthori[sz]ation|"
    r"[Oo]pinion|[Dd]ossier)(?:\s\([A-Za-z]{2,6}\))?\s(?:for|of)\s(?:its\s|the\s)?"
    r"|\b(?:has |have )?(?:approved|approves|cleared)\s|\bdesignations? (?:to|for)\s)"
    r"(?P<name>[A-Z][a-z][A-Za-z0-9-]{2,}|[a-z][a-z-]{4,}(?=\s(?:for|in|to|as|by|has|have|is|was"
    r"|were|will|and|with|from|at|on|\()|[.,;])"
    r"|[A-Z]{1,5}-?\d{2,6})\b"
)
_NOT_A_NAME = frozenset(
    [
        "the",
        "its",
        "their",
        "our",
        "treatment",
        "patients",
        "adults",
        "children",
        "review",
        "marketing",
        "approval",
        "use",
        "adult",
        "pediatric",
        "paediatric",
        "priority",
        "standard",
        "accelerated",
        "conditional",
        "full",
        "results",
        "data",
        "additional",
        "further",
        "supplemental",
        "regulatory",
        "documents",
        "information",
        "responses",
        "clinical",
        "safety",
        "efficacy",
        "re-examination",
        "reconsideration",
    ]
)


def product_of(sents: list[Sentence]) -> str | None:
    """The product the release is about: the most mentioned trade-marked name."""
    counts: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    for s in sents:
        if s.boilerplate or not ("®" in s.text or "™" in s.text or "(" in s.text or "[" in s.text):
            continue
        for m in _MARKED.finditer(s.text):
            name = m.group(1)
            counts[name.lower()] += 1
            forms.setdefault(name.lower(), Counter())[name] += 1
    if counts:
        best = counts.most_common(1)[0][0]
        # Prefer the spelling used in running text over an all-caps headline.
        return max(forms[best].items(), key=lambda kv: (not kv[0].isupper(), kv[1]))[0]
    for s in sents[:12]:
        m = _GENERIC.search(s.text)
        if m and m.group(1).lower() not in ("the", "and", "for", "its"):
            return m.group(1)
    # No marks: the name an application or a decision is "for" ("its NDA for tavorelin",
    # "approved Korvexa for", "a negative opinion for Ostevo").
    named: Counter[str] = Counter()
    for s in sents[:20]:
        if s.boilerplate:
            continue
        for m in _APPLIED_FOR.finditer(s.text):
            name = m.group("name")
            if name.lower() not in _NOT_A_NAME:
                named[name] += 1
    return named.most_common(1)[0][0] if named else None


_FOREIGN = {
    "fr": re.compile(r"\b(?:le|la|les|des|du|et|est|une|pour|avec|autorisation|médicament)\b"),
    "de": re.compile(r"\b(?:der|die|das|und|ist|eine|für|mit|zulassung|arzneimittel)\b"),
    "es": re.compile(r"\b(?:el|los|las|del|y|es|una|para|con|autorización|medicamento)\b"),
}
_ENGLISH = re.compile(r"\b(?:the|and|of|to|is|for|with|that|has|its)\b")


def language_of(clean: str) -> str:
    """'en', or the code of a language we recognise but do not read ('fr', 'de', 'es')."""
    sample = clean[:6000].lower()
    if sample.count(" the ") + sample.count(" and ") >= 8:
        return "en"
    english = len(_ENGLISH.findall(sample))
    best, best_n = "en", english
    for code, pat in _FOREIGN.items():
        n = len(pat.findall(sample))
        if n > best_n * 1.5 and n > 15:
            best, best_n = code, n
    return best


# --- events and timelines -------------------------------------------------------------------

_PLANNED = LEX.cues["planned"]
_NEGATED = LEX.cues["negated"]
_NEGATED_INTENT = LEX.cues["negated_intent"]
_EARLIER = LEX.cues["earlier"]
_MISSED = LEX.cues["missed"]
_NOT_A_DATE = LEX.cues["not_a_date"]
_NON_REGULATORY = LEX.cues["non_regulatory"]
_REGULATORY = LEX.cues["regulatory"]

_ADJECTIVAL = re.compile(r"(?:'s|’s|\bthe|\bits|\btheir|\bour) $")
_NEWS_GOAL = re.compile(
    r"assign|\bset\b|learn|establish|inform|told|notif|accept|grant|undergo"
    r"|communicat|announc|received|confirm|extended|now\b|\bnew\b"
)
_FUTURE_HINT = re.compile(
    r"\b(?:will|expect\w*|anticipat\w*|plan\w*|intend\w*|scheduled|target"
    r"|goal|pdufa|action date|by|estimated|tentative\w*|to be|projected)\b"
)
_PAST_VERB = re.compile(
    r"\b(?:filed|submitted|received|announced|completed|held|granted|approved|accepted|sent"
    r"|made|met|was|were|had|did|obtained|issued|adopted|resubmitted|concluded)\b"
)
_NEAR_BREAK = re.compile(r"[,;:]|\b(?:and|but|while|whereas)\b")


def _told_in_past(low: str, pos: int) -> bool:
    """Whether the clause leading to `pos` is in the past tense (and not the future)."""
    before = low[max(0, pos - 120) : pos]
    cut = [m.end() for m in _CLAUSE_BREAK.finditer(before)]
    clause = before[cut[-1] :] if cut else before
    return bool(_PAST_VERB.search(clause)) and not _FUTURE_HINT.search(clause)


_ANCHOR = re.compile(
    r"^[\s,]*(?:of|after|from|following|since|upon)\s+(?!which|that\b|this point)(?:the\s+)?"
    r"(?:date\s+of\s+)?"
    r"(?P<receipt>receipt|receiving|notification|notice)?\s*(?:of\s+)?(?:the\s+|its\s+|this\s+|"
    r"such\s+)?(?P<what>[\w -]{0,40})"
)
_OFFSET_LEAD = re.compile(
    r"^(?:with)?in\b|^ha(?:s|ve)\b|^no later than|^not later than|^approximately|^about"
    r"|^some|^an additional|^a further|^additional|^up to|^after|^over the"
    r"|^the next"
)
_CLAUSE_BREAK = re.compile(
    r"[;:]|,\s+(?:and|but|while|which)\b|\band (?:expects?|plans?|will|"
    r"intends?|anticipates?)\b|\.\s"
)
_DIGIT = re.compile(r"\d")
_JOIN_WORDS = re.compile(r"^\s*(?:,|to|and|or|through|until|/|-)?\s*(?:to\s+)?$")
_MAYBE_AFTER = re.compile(r"\s+(?:may|might|could)\b")
_PRONOUN = re.compile(r"\b(?:it|this|them|which)\b")
_BARE_REQUEST = re.compile(r"\brequest\b")
_REEXAMINATION = re.compile(r"re-?examin")
_NEW_DATE = re.compile(r"\b(?:to|until|now)\s+(?:(?:on|of|the)\s+)?$")
_EXTENDED = re.compile(r"\bextend|\bextension|\bpostpone|\bdelay|\bmoved\b")
_TAIL_BREAK = re.compile(r"[;:]|\. |,? and |,? but |,? while ")
_JOIN = re.compile(r"^\s*(?:/|or|to|through|-|and)\s*$")


class _Reader:
    """Reads the sentences of one release against its release date."""

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
        self.lows = [s.text.lower() for s in self.sents]
        self.pos = {s.index: i for i, s in enumerate(self.sents)}
        # One pass of each vocabulary over the whole text, mapped back to sentences: far
        # cheaper than searching every sentence with every pattern.
        doc = "\n".join(self.lows)
        starts = list(accumulate((len(x) + 1 for x in self.lows), initial=0))

        hits = LEX.needle_hits(doc)

        def sentences_of(needles: frozenset[str]) -> set[int]:
            return {bisect_right(starts, p) - 1 for n in needles for p in hits.get(n, ())}

        self.named: dict[int, list[str]] = {}
        for code, needles in LEX.agency_needles.items():
            rx = LEX.agency_regex[code]
            for i in sentences_of(needles):
                m = rx.search(self.lows[i])
                if m:
                    self.named.setdefault(i, []).append((m.start(), code))  # type: ignore[arg-type]
        self.named = {i: [c for _, c in sorted(v)] for i, v in self.named.items()}  # type: ignore[misc]
        self.hinted = sentences_of(LEX.event_hint)
        candidates = sorted(
            i
            for i in sentences_of(LEX.regulatory_needles)
            if _REGULATORY.search(self.lows[i])
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
        worded = clause_sents(dates.TEMPORAL_NEEDLES)
        self.regulatory = {i for i in candidates if i in worded or _DIGIT.search(self.lows[i])}
        self.doc_agency = self._dominant_agency()

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

    # events

    def events(self) -> list[Event]:
        found: dict[tuple[str, str, str | None], tuple[int, Event]] = {}
        for i in sorted(self.hinted):
            sent, low = self.sents[i], self.lows[i]
            hits = LEX.detect(low)
            spans = sorted((m.start(), m.end()) for _, m in hits)
            for rule, m in hits:
                for rank, ev in self._events_from(sent, low, rule, m, spans):
                    key = (ev.type, ev.agency, ev.outcome)
                    # One event per (type, agency, outcome): the best-dated mention wins.
                    if key not in found or rank > found[key][0]:
                        found[key] = (rank, ev)
            for item, m in LEX.sec_items_in(low):
                when, rank = self._event_date("sec_item", low, "", low, (m.start(), m.end()))
                ev = Event("sec_item", "SEC", None, self.product, when, sent.text, sent.index, item)
                key = ("sec_item", "SEC", item)
                if key not in found or rank > found[key][0]:
                    found[key] = (rank, ev)
        events = [ev for _, ev in found.values()]
        if any(e.type == "goal_date_extension" for e in events):
            # The new date of an extension is not a separately announced goal date.
            events = [e for e in events if e.type != "goal_date"]
        return _infer_outcomes(events)

    def _events_from(
        self,
        sent: Sentence,
        low: str,
        rule: lexicon.Row,
        m: re.Match[str],
        spans: list[tuple[int, int]],
    ) -> list[tuple[int, Event]]:
        """The events one match states, each with how well it is dated (2 stated, 1 by the
        release, 0 unknown)."""
        prefix = _clause_prefix(low, m.start())
        if _NEGATED.search(prefix[-30:]) or _NEGATED_INTENT.search(prefix):
            return []
        scheduled = rule.name in ("goal_date", "advisory_meeting", "goal_date_extension")
        if not scheduled and _PLANNED.search(prefix):
            return []
        if rule.name == "advisory_meeting" and _MAYBE_AFTER.match(low, m.end()):
            return []  # "an oral explanation may be requested"
        if rule.name == "review_designation" and re.search(
            r"\b(?:request|seek|apply)", prefix + m.group(0)
        ):
            return []
        outcome = lexicon.outcome_of(rule, m)
        if rule.name in ("trend_vote", "reexamination_outcome") and outcome is None:
            return []
        # The event's own stretch of the sentence: from the end of the event named before it
        # to the start of the one named after it.
        scope_start = max((e for s, e in spans if e <= m.start()), default=0)
        scope_end = next((s for s, _ in spans if s > m.start()), len(low))
        scope = low[scope_start:scope_end]
        when, rank = self._event_date(
            rule.name, low, prefix, scope, (m.start() - scope_start, m.end() - scope_start)
        )
        if (
            rank
            and m.group(0).startswith(("resubmitted", "submitted", "filed", "refiled"))
            and _ADJECTIVAL.search(low, max(0, m.start() - 6), m.start())
        ):
            when, rank = None, 0  # "the company's resubmitted NDA": done before this news
        return [
            (
                rank,
                Event(
                    rule.name,
                    agency,
                    outcome,
                    self.product,
                    when,
                    sent.text,
                    sent.index,
                    LEX.detail_of(rule.name, low, m),
                ),
            )
            for agency in self._agencies_for(rule.name, low, m, self._named(sent))
        ]

    def _agencies_for(self, etype: str, low: str, m: re.Match[str], named: list[str]) -> list[str]:
        if etype in (
            "opinion",
            "reexamination_request",
            "reexamination_grounds",
            "reexamination_outcome",
        ) and ("EMA" in named or self.doc_agency in ("EMA", "EC")):
            return ["EMA"]
        if etype == "trend_vote":
            return ["FDA"] if "advisory committee" in low or "panel" in low else ["EMA"]
        if etype == "goal_date" or etype == "goal_date_extension":
            return ["FDA"]
        if etype in ("approval", "submission", "refusal", "withdrawal", "acceptance"):
            countries = [
                c
                for c in LEX.countries_in(low[max(0, m.start() - 80) : m.end() + 80])
                if c != "OTHER" or etype == "submission"
            ]
            near = (
                LEX.agencies_in(low[max(0, m.start() - 100) : m.end() + 100])
                if len(named) > 1
                else named
            )
            direct = [a for a in near if a not in ("EMA",) or etype != "approval"]
            if etype == "approval" and ("EC" in near or "EMA" in near or "EC" in countries):
                direct = list(dict.fromkeys("EC" if a in ("EMA", "EC") else a for a in direct)) or [
                    "EC"
                ]
            if len(countries) > 1 and not direct:
                return list(dict.fromkeys(countries))
            if direct:
                # One event per agency named: "approved by the Commission and Swissmedic".
                return direct if etype == "approval" else [direct[0]]
            if countries:
                return [countries[0]]
        if named:
            return [named[0]]
        if self.doc_agency:
            agency = self.doc_agency
            if etype == "approval" and agency == "EMA":
                agency = "EC"
            return [agency]
        return ["OTHER"]

    def _event_date(
        self, etype: str, low: str, prefix: str, scope: str, at: tuple[int, int]
    ) -> tuple[date | None, int]:
        if etype in ("goal_date", "goal_date_extension"):
            # The target date is a deadline; the event is its announcement, this release.
            if _MISSED.search(low) or not _NEWS_GOAL.search(low):
                return None, 0
            head = scope[: at[0]]
            if _EARLIER.search(head) and any(
                x.end and x.end < self.ref for x in dates.find(head, self.ref, False)
            ):
                # "accepted the NDA in December with a PDUFA date of ...": set back then. A
                # past date after the goal words ("the CRL it issued in 2011") is another act's.
                return None, 0
            return self.ref, 1
        mentions = dates.find(scope, self.ref, future=etype == "advisory_meeting" or None)
        # The explicit date nearest the words that name the event.
        full = sorted(
            (x for x in mentions if x.kind == "date" and x.start),
            key=lambda x: x.pos - at[1] if x.pos >= at[1] else at[0] - x.endpos,
        )
        if etype == "advisory_meeting" and full:
            return full[0].start, 2
        past = [x for x in full if x.start and x.start <= self.ref]
        if past:
            return past[0].start, 2
        if (
            _EARLIER.search(prefix)
            or _EARLIER.search(scope)
            or any(x.kind in ("past_ref", "window") for x in mentions)
        ):
            return None, 0
        return self.ref, 1

    # timelines

    def timelines(self, events: list[Event]) -> list[Timeline]:
        out: list[Timeline] = []
        seen: set[tuple[date, date]] = set()
        previous: Timeline | None = None
        proc_start = self._procedure_start(events)
        for i, (sent, low) in enumerate(zip(self.sents, self.lows, strict=True)):
            if i not in self.regulatory or low.startswith("if ") or sent.index not in self.body:
                continue
            found = self._timelines_in(sent, low, events, previous, proc_start)
            goals = [t for t in found if t.milestone == "action-date"]
            if len(goals) > 1 and _EXTENDED.search(low):
                # "extended the PDUFA date from May 1 to August 1": only the new date stands.
                latest = max(goals, key=lambda t: t.end)
                found = [t for t in found if t.milestone != "action-date" or t is latest]
            for t in found:
                if (t.start, t.end) not in seen:
                    seen.add((t.start, t.end))
                    out.append(t)
            previous = found[-1] if found else previous
        if any(
            e.type in ("approval", "refusal") and e.agency == "FDA" and e.date == self.ref
            for e in events
        ):
            # The FDA acted in this news: its goal date is answered, no longer a deadline.
            out = [t for t in out if t.milestone != "action-date"]
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
        future = True if _FUTURE_HINT.search(low) else None
        mentions = dates.find(low, self.ref, future)
        if future and any(not x.has_year for x in mentions):
            # "filed ... in April and expects a decision by ...": a year-less date in a
            # clause told in the past tense is in the past, whatever the rest of the sentence.
            past = {x.pos: x for x in dates.find(low, self.ref, False)}
            mentions = [
                past.get(x.pos, x) if not x.has_year and _told_in_past(low, x.pos) else x
                for x in mentions
            ]
        if not _EXTENDED.search(low):  # "moved from May 1 to August 1" is not a range
            mentions = _merge_spans(mentions, low)
        i = self.pos[sent.index]
        missed = i in self.missed and bool(_MISSED.search(low))
        out: list[Timeline] = []
        region_start = 0
        last: str | None = None
        for x in mentions:
            region = low[region_start : min(len(low), x.endpos + 40)]
            clause = _clause_of(low, region_start, x.pos, x.endpos)
            between = low[region_start : x.pos]
            joined = last is not None and _JOIN_WORDS.match(between)
            moved = last is not None and _EXTENDED.search(between) is not None
            region_start = x.endpos
            if (i in self.vague and _NOT_A_DATE.search(clause)) or (
                i in self.nonreg and _NON_REGULATORY.search(clause)
            ):
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
            # "extended from May 30 to August 30", "the previous date of May 30 was moved to
            # August 30": the date the act was moved to stands, the one it left does not.
            gone = missed and not (
                _EXTENDED.search(low) and _NEW_DATE.search(low, max(0, x.pos - 20), x.pos)
            )
            t = self._resolve_mention(x, low, sent, milestone, events, previous, proc_start, gone)
            if t is not None:
                out.append(t)
                previous = t
        return out

    def _milestone(self, low: str, x: dates.Mention, clause: str, region: str) -> str | None:
        """The act a mention dates. For an offset, its anchor ("within 15 days of receipt of
        the opinion") names what the time counts from, not the act that is due: the act is
        looked for without it first, and a bare "request" in a release about re-examination
        is the re-examination request."""
        if x.kind == "offset":
            anchor = _ANCHOR.match(low[x.endpos :])
            if anchor and anchor.group("what"):
                cut = clause.replace(anchor.group(0), " ")
                found = LEX.milestone_of(cut)
                if found is None and _BARE_REQUEST.search(cut) and self._about_reexamination():
                    found = "reexamination-request"
                if found is not None:
                    return found
        # An act named before a date, in the same clause, is the one it dates ("following a
        # Type A meeting on June 12, the company plans to resubmit": the meeting).
        before = low[max(0, x.pos - 150) : x.pos]
        breaks = [m.end() for m in _NEAR_BREAK.finditer(before)]
        near = LEX.milestone_of(before[breaks[-1] :] if breaks else before)
        return near or LEX.milestone_of(clause) or LEX.milestone_of(region)

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
            if x.kind == "window" and x.start <= self.ref and _told_in_past(low, x.pos):
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
        if not (_OFFSET_LEAD.match(x.text) or anchor_m) or x.amount is None or x.unit is None:
            return None
        if x.text.startswith("ha") and not after.startswith(" to "):
            return None  # "has 90 days to respond", not "has 30 days of cash"
        if x.unit == "business_day" or (
            self.pos[sent.index] in self.vague and _NOT_A_DATE.search(low)
        ):
            return None
        anchor_name, anchor_date, assumptions = self._anchor(anchor_m, milestone, events, previous)
        if anchor_date is None:
            return None
        end = dates.add_offset(anchor_date, x.amount, x.unit)
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
                when = ev.date if ev else self.ref
                label = ("receipt of the " if receipt else "") + etype.replace("_", " ")
                note = (f"{label} assumed on {when.isoformat()}",) if receipt or ev is None else ()
                return (label, when, note)
        if previous is not None and re.search(r"goal|pdufa|action date", what):
            return ("goal date", previous.end, ())
        return ("release", self.ref, ())

    def _agency_for_milestone(self, milestone: str, named: list[str]) -> str | None:
        if milestone.startswith("reexamination") or milestone in ("opinion",):
            return "EMA"
        if milestone == "commission-decision":
            return "EC"
        if milestone == "action-date" and (not named or "FDA" in named):
            return "FDA"
        return named[0] if named else self.doc_agency


_ANCHOR_EVENTS = [
    ("opinion", r"opinion"),
    ("refusal", r"complete response|crl|refusal|letter"),
    ("acceptance", r"filing date|acceptance|validation|accept"),
    ("submission", r"submission|filing|application"),
    ("approval", r"approval|authori[sz]ation"),
]


def _clause_prefix(low: str, pos: int) -> str:
    start = max(low.rfind(",", 0, pos), low.rfind(";", 0, pos), low.rfind(":", 0, pos))
    return low[start + 1 : pos]


def _clause_of(low: str, region_start: int, pos: int, endpos: int) -> str:
    """The clause holding a mention: from the last clause break before it to the mention."""
    head = low[region_start:pos]
    breaks = list(_CLAUSE_BREAK.finditer(head))
    start = region_start + (breaks[-1].end() if breaks else 0)
    tail = low[endpos : endpos + 60]
    cut = _TAIL_BREAK.search(tail)
    return low[start:endpos] + (tail[: cut.start()] if cut else tail)


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
            and prev.start <= x.end
        ):
            out[-1] = dates.Mention(
                "window", prev.start, x.end, low[prev.pos : x.endpos], prev.pos, x.endpos
            )
            continue
        out.append(x)
    return out


def _infer_outcomes(events: list[Event]) -> list[Event]:
    """An opinion whose outcome is unstated is negative when re-examination was requested."""
    types = {e.type for e in events}
    out = []
    for e in events:
        if e.type == "opinion" and e.outcome is None:
            outcome = "negative" if "reexamination_request" in types else None
            e = Event(e.type, e.agency, outcome, e.product, e.date, e.evidence, e.sentence)
        out.append(e)
    return out
