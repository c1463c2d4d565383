"""Regulatory vocabulary: agencies, events and the acts a stated timeline is about.

All patterns run over lower-cased text (faster than IGNORECASE and simpler to read).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick

from tracker.extract.dates import MONTH_NEEDLES, NUMBER_WORDS

# --- fast scanning ---------------------------------------------------------------------------


@lru_cache(maxsize=2)
def _automaton(which: str) -> ahocorasick.Automaton:
    auto = ahocorasick.Automaton()
    for needle in DOC_NEEDLES if which == "doc" else CLAUSE_NEEDLES:
        auto.add_word(needle, needle)
    auto.make_automaton()
    return auto


def needle_hits(text: str, which: str = "doc") -> dict[str, list[int]]:
    """Start offsets of every vocabulary needle in `text`, found in one Aho-Corasick pass.

    Python's regex engine tries every alternative at every position, so one big
    alternation over a 9 KB release costs about a millisecond; finding literal needles
    first and running the real patterns only on the sentences that hold them is far cheaper.
    """
    hits: dict[str, list[int]] = {}
    for end, needle in _automaton(which).iter(text):
        hits.setdefault(needle, []).append(end - len(needle) + 1)
    return hits


# --- agencies ----------------------------------------------------------------------------------

AGENCY_NEEDLES = {
    "EMA": ("chmp", "emea", "ema", "european medicines", "committee for", "cvmp", "prac"),
    "EC": ("commission",),
    "FDA": ("fda", "food", "pdufa", "cder", "cber"),
    "HC": ("canada", "noc", "notice of compliance"),
    "MHRA": ("mhra", "healthcare products"),
    "PMDA": ("pmda", "mhlw", "ministry of health", "medical devices agency"),
    "TGA": ("tga", "therapeutic goods"),
    "SWISSMEDIC": ("swissmedic",),
    "NMPA": ("nmpa", "cfda", "national medical products"),
}
AGENCY_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "EMA",
        re.compile(
            r"\b(?:chmp|emea|ema|european medicines (?:evaluation )?agency|committee for "
            r"(?:medicinal|human) products|cvmp|prac)\b|\bcommittee for medicinal"
        ),
    ),
    ("EC", re.compile(r"\beuropean commission\b|\bthe commission\b|\bec decision\b")),
    (
        "FDA",
        re.compile(r"\bfda\b|\bfood (?:and|&) drug administration\b|\bpdufa\b|\bcder\b|\bcber\b"),
    ),
    ("HC", re.compile(r"\bhealth canada\b|\bnotice of compliance\b|\bnoc(?:/c)?\b")),
    ("MHRA", re.compile(r"\bmhra\b|\bmedicines (?:and|&) healthcare products regulatory agency\b")),
    (
        "PMDA",
        re.compile(
            r"\bpmda\b|\bmhlw\b|\bministry of health, labou?r and welfare\b"
            r"|\bpharmaceuticals and medical devices agency\b"
        ),
    ),
    ("TGA", re.compile(r"\btga\b|\btherapeutic goods administration\b")),
    ("SWISSMEDIC", re.compile(r"\bswissmedic\b")),
    ("NMPA", re.compile(r"\bnmpa\b|\bcfda\b|\bnational medical products administration\b")),
]
COUNTRY_AGENCY = [
    ("FDA", re.compile(r"\b(?:u\.s\.|us|united states|american)\b")),
    ("EC", re.compile(r"\b(?:european union|eu|europe)\b")),
    ("MHRA", re.compile(r"\b(?:uk|united kingdom|britain|england)\b")),
    ("PMDA", re.compile(r"\bjapan(?:ese)?\b")),
    ("HC", re.compile(r"\bcanad(?:a|ian)\b")),
    ("SWISSMEDIC", re.compile(r"\bswitzerland\b")),
    ("TGA", re.compile(r"\baustralia\b")),
    ("NMPA", re.compile(r"\bchina\b")),
    (
        "OTHER",
        re.compile(
            r"\b(?:spain|germany|france|italy|brazil|korea|mexico|india|israel|"
            r"russia|aemps|anvisa)\b"
        ),
    ),
]


AGENCY_REGEX = dict(AGENCY_PATTERNS)


def agencies_in(s: str) -> list[str]:
    """Agencies named in a lower-cased sentence, in order of first mention."""
    found = []
    for code, rx in AGENCY_PATTERNS:
        m = rx.search(s)
        if m:
            found.append((m.start(), code))
    return [code for _, code in sorted(found)]


def countries_in(s: str) -> list[str]:
    """Agencies implied by country names (for approvals "in the US and Japan")."""
    found: list[tuple[int, str]] = []
    for code, pat in COUNTRY_AGENCY:
        m = pat.search(s)
        if m:
            found.append((m.start(), code))
    return [code for _, code in sorted(found)]


# --- modality: did it happen, is it planned, is it denied? -------------------------------------

PLANNED = re.compile(
    r"\b(?:intends? to|intend(?:ed|s)? to|plans? to|planned|planning to|will|would|shall|expects?"
    r"|expected|anticipates?|anticipated|(?<!\d )may(?!\.?,? \d)|might|could|can|should|seeks? to|aims? to|hopes? to"
    r"|hoping|to be|prepar(?:es|ing) to|look(?:s|ing)? forward to|potential(?:ly)?|possible"
    r"|if|upon|once|pending|in order to|toward|towards|before|expectation|scheduled to|goal of"
    r"|working to|continue to|ready to|whether|subject to|eligible|required to|requir\w+|"
    r"recommend\w*|propos\w*|"
    r"approvability|believes?|unless|await\w*)\b"
)
NEGATED = re.compile(r"\b(?:no|not|never|nor|without|neither|none)\b|n't\b")
# A negation further back that governs the event through an intention: "it is not currently
# planning to hold an advisory committee meeting", "does not expect to require a panel".
NEGATED_INTENT = re.compile(
    r"\b(?:not|no longer|never)\b(?:\s+\w+){0,3}?\s+(?:plan|plans|planning|planned|intend\w*"
    r"|expect\w*|anticipat\w*|requir\w*|need\w*|schedul\w*|going)\b"
)
EARLIER = re.compile(
    r"\b(?:already|previously|recently|earlier|last (?:week|month|year)|prior|formerly|"
    r"had (?:been )?\w+ed|as announced|originally|back in|in (?:january|february|march|april|may"
    r"|june|july|august|september|october|november|december)|in (?:19|20)\d\d|since)\b"
)


@dataclass(frozen=True, slots=True)
class EventRule:
    """A way of recognising one event type in a sentence."""

    type: str
    pattern: re.Pattern[str]
    outcome: str | None = None
    default_agency: str | None = None


# Literal needles one of which every match of the event's pattern contains.
EVENT_NEEDLES: dict[str, tuple[str, ...]] = {
    "goal_date_extension": ("exten",),
    "goal_date": ("date",),
    "reexamination_grounds": ("grounds",),
    "reexamination_request": ("exam", "appeal", "reconsideration", "dispute"),
    "reexamination_outcome": ("exam", "appeal"),
    "trend_vote": ("trend vote", "voted"),
    "opinion": ("opinion", "recommend", "refus"),
    "refusal": ("letter", "crl", "refus", "rtf", "non", "deficiency", "reject", "declined"),
    "approval": ("approv", "authori", "granted", "grant", "notice of compliance"),
    "resubmission": ("resubmi", "filed"),
    "withdrawal": ("withdr",),
    "review_designation": (
        "priority",
        "accelerated",
        "fast track",
        "breakthrough",
        "prime",
        "orphan",
        "rare pediatric",
    ),
    "acceptance": ("accept", "validat", "acknowledg", "review", "evaluation", "assessment"),
    "submission": ("submi", "filed", "filing", "applied"),
    "advisory_meeting": ("advisory", "adcom", "oral explanation", "oral hearing", "sag"),
}


def _p(rx: str) -> re.Pattern[str]:
    return re.compile(rx)


_APP = (
    r"\b(?:applications?|nda|snda|bla|sbla|maa|mah|nds|snds|sns|dossier|filing|submission"
    r"|variation|anda)\b"
)
EVENT_RULES: list[EventRule] = [
    EventRule(
        "goal_date_extension",
        _p(
            r"(?:pdufa|goal|action|target)[^;]{0,40}?dates?[^;]{0,160}?(?:has been|was|been|is"
            r" being) extended|extend(?:ed|s)? the (?:pdufa|review|goal|action|target)[^;]{0,30}?"
            r"(?:date|period|clock)|(?:three|3)[- ]month (?:review )?extension|extension of the "
            r"(?:pdufa|review|goal|action)|extend(?:ed|s)? (?:the |its )?(?:pdufa |fda |review |goal "
            r"|action |target )[^;]{0,80}?by (?:an additional |another )?(?:three|3|two|2|six|6) months"
        ),
    ),
    EventRule(
        "goal_date",
        _p(
            r"(?:pdufa|user fee|target action|action|goal|target)[^;]{0,25}?(?:goal |target |action )?"
            r"date (?:of|is|was|for|set|has|to|in|on|,|\()|(?:pdufa|user fee|target action|action|goal)"
            r"[^;]{0,25}?date[^;]{0,15}?(?:of|is) |(?:assigned|set|scheduled|established) an? "
            r"[^;]{0,40}?(?:pdufa|goal|action) date|(?:pdufa|goal|action) date has been set"
            r"|has an? [\w ,()]{0,20}(?:pdufa|user fee goal) date|(?:19|20)\d\d,? (?:pdufa|user fee"
            r"|target action|action|goal)[^;]{0,15}?date\b"
        ),
    ),
    EventRule(
        "reexamination_grounds",
        _p(
            r"(?:submitted|filed|lodged|provided|sent)[^;]{0,30}?(?:detailed )?grounds (?:for|of) "
            r"(?:the )?(?:re-?examination|appeal)|grounds for re-?examination[^;]{0,20}?(?:were|was|"
            r"have been|has been) (?:submitted|filed)"
        ),
    ),
    EventRule(
        "reexamination_request",
        _p(
            r"request(?:ed|s|ing)?,? (?:a |the )?(?:formal )?re-?examination|request(?:ed|s)? that the "
            r"\w+ re-?examine|asks? (?:the )?\w+ to re-?examine|asked (?:the )?\w+ to re-?examine"
            r"|(?:filed|submitted|lodged) (?:an |a |its )?(?:appeal|request for re-?examination|"
            r"request for reconsideration|formal dispute resolution request)|appealed|"
            r"request(?:ed|s)? (?:a |for )?(?:reconsideration|formal dispute resolution)|"
            r"(?:initiated|started|began) (?:the |a )?(?:re-?examination|appeal)"
        ),
    ),
    EventRule(
        "reexamination_outcome",
        _p(
            r"(?:following|after|upon|at the end of|concluding|conclusion of)[^;]{0,15}?(?:the )?"
            r"(?:re-?examination|appeal)[^;]{0,160}?(?P<out>positive|negative|favou?rable|"
            r"unfavou?rable|upheld|reversed|confirmed)|(?P<out2>positive|negative) (?:opinion|outcome)"
            r"[^;]{0,30}?(?:following|after|on) (?:the )?re-?examination|re-?examination[^;]{0,40}?"
            r"(?:confirmed|upheld|reversed) (?:its|the)[^;]{0,20}?opinion"
        ),
    ),
    EventRule(
        "trend_vote",
        _p(
            r"(?P<out>positive|negative|mixed|favou?rable|unfavou?rable) trend vote|trend vote[^;]{0,40}?"
            r"(?P<out2>positive|negative|mixed|favou?rable|unfavou?rable)|(?:committee|panel|adcomm?)"
            r"[^;]{0,60}?voted (?P<votes>\d+|\w+)(?:[ -]to[ -]|-)(?P<votes2>\d+|\w+)(?P<against>"
            r" against)?|voted (?P<unan>"
            r"unanimously)"
        ),
    ),
    EventRule(
        "opinion",
        _p(
            r"(?P<out>positive|negative|favou?rable|unfavou?rable)(?: chmp| comp| cvmp| scientific| final"
            r"| initial| initial negative)? opinion|opinion[^;]{0,30}? (?:is|was) (?P<out2>positive"
            r"|negative)|(?:chmp|committee)[^;]{0,40}?(?<!against )(?<!not )"
            r"(?P<rec>recommend(?:ed|s|ing)?) (?:the )?"
            r"(?:approval|granting|that the european commission grant|a marketing authori[sz]ation"
            r"|conditional)|(?:chmp|committee)[^;]{0,60}?(?P<ref>recommend(?:ed|s)? (?:the )?"
            r"refus\w+|refus\w+ to recommend)|opinion (?:issued|adopted) (?:last|this|in|on|by the)"
        ),
    ),
    EventRule(
        "refusal",
        _p(
            r"complete response letter|\bcrl\b|not[- ]approvable letter|\bapprovable letter|"
            r"refus(?:e|al) to file|refuse-to-file|\brtf\b letter|notice of non-compliance|\bnon\b"
            r" (?:letter|was issued)|notice of deficiency|(?:refused|rejected|declined) (?:to (?:grant|"
            r"approve)|the (?:application|marketing authori[sz]ation|approval))|(?:issued|adopted) a "
            r"refusal|decision refusing|refusal of (?:the )?(?:marketing|application)"
        ),
        "negative",
    ),
    EventRule(
        "approval",
        _p(
            r"(?:has|have|had) (?:now )?(?:been )?(?:approved|authori[sz]ed)|(?:was|were)"
            r" (?:now )?(?:approved|authori[sz]ed)(?! for use in| to treat| as a|,? and)|"
            r"(?:has|have|had) (?:now )?(?:been )?granted (?:full |conditional |marketing |regulatory )*"
            r"(?:approval|authori[sz]ation|licen[cs]e)|"
            r"(?:received|receives|obtained|obtains|grants?|granted|receipt of|gained|secured|won|"
            r"announces?) (?:the )?(?:\w+ )?(?:final )?(?:fda |ec |european |marketing |regulatory |"
            r"full |conditional |u\.s\. |canadian |japanese |swiss |uk |accelerated )*(?:marketing )?"
            r"(?:approval|authori[sz]ation|notice of compliance)|(?:approved|authori[sz]ed) by the|"
            r"\b(?:fda|commission|agency|mhra|swissmedic|health canada|mhlw|pmda|tga) (?:has |have )?"
            r"(?:approved|authori[sz]ed)|grant(?:ed|s|ing)? (?:the product )?(?:a )?(?:full )?"
            r"(?:regulatory|marketing) authori[sz]ation|approval (?:was|has been) granted|"
            r"issued a notice of compliance"
        ),
        "positive",
    ),
    EventRule(
        "resubmission",
        _p(
            r"resubmitted|(?:class [12] |complete )resubmission|resubmission of (?:the|its) |"
            r"(?:has|have) re-?filed|refiled"
        ),
    ),
    EventRule(
        "withdrawal",
        _p(
            r"(?:withdr[ea]w|withdrawn|withdrawing|withdrawal of) (?:the |its |our )?(?:\w+ )?"
            r"(?:marketing authori[sz]ation )?"
            + _APP
            + r"|"
            + _APP
            + r"[^;]{0,30}?(?:has been|was|were)"
            r" withdrawn"
        ),
    ),
    EventRule(
        "review_designation",
        _p(
            r"(?:granted|grants|received|receives|awarded|obtained|assigned|designated|given|gave|"
            r"eligib\w+ for|accepted for|was granted|has been granted|and)[^;]{0,60}?"
            r"(?:priority review|accelerated assessment|fast track|breakthrough therapy|\bprime\b|"
            r"orphan (?:drug |medicinal product )?(?:designation|status)|priority medicines|"
            r"rare pediatric disease)|(?:priority review|accelerated assessment|fast track|breakthrough"
            r" therapy|orphan drug) (?:designation|status)? ?(?:was|has been) granted"
        ),
    ),
    EventRule(
        "acceptance",
        _p(
            r"accept(?:ed|s)?[^;]{0,80}?(?:for (?:filing|review|substantive review)|resubmission)|"
            r"(?:(?:has|have|had) (?:now )?)?accepted (?:the |its |our |their |a )?[^;]{0,60}?"
            + _APP
            + r"|"
            + _APP
            + r"[^;]{0,60}?(?:has|have|had) been accepted|(?:has|have|had|been|was|is)"
            r" validated|validation (?:of the (?:dossier|application|maa) )?(?:is |was |has been )?"
            r"complete|(?:has|have) acknowledged[^;]{0,150}?" + _APP + r"|accepted the resubmission"
            r"|filing acceptance|(?:started|begun|began|commenced|initiated|starts?) (?:the |its )?"
            r"(?:formal )?(?:scientific )?(?:review|evaluation|assessment)"
        ),
    ),
    EventRule(
        "submission",
        _p(
            r"(?<!re)(?:submitted|filed|has submitted|has filed|completed (?:the )?(?:submission|filing)|"
            r"submission of (?:the|its|a|an) )[^;]{0,80}?" + _APP + r"|(?<!re)(?:filed|"
            r"submitted|applied) for (?:regulatory |marketing )?(?:approval|authori[sz]ation)|"
            r"(?<!re)(?:submission|filing) (?:has been|was) (?:made|completed)|"
            + _APP
            + r"[^;]{0,20}?"
            r"(?:was|were|has been|had been) (?:submitted|filed)"
        ),
    ),
    EventRule(
        "advisory_meeting",
        _p(
            r"advisory committee[^;]{0,80}?(?:meet\w*|discuss\w*|review\w*|convene\w*|"
            r"scheduled)|(?:meeting|hearing) of the [^;]{0,60}?advisory committee|adcomm?\b|"
            r"oral explanation|oral hearing|(?:scientific )?advisory group (?:meeting|was convened)|"
            r"\bsag\b meeting"
        ),
    ),
]


# Every event pattern needs one of these words; sentences without any skip the patterns.
_HINT_WORDS = (
    "agreement",
    "appointed",
    "resigned",
    "resignation",
    "departure",
    "opinion",
    "approv",
    "authori",
    "refus",
    "reject",
    "declin",
    "complete response",
    "crl",
    "letter",
    "submi",
    "fil",
    "accept",
    "validat",
    "priority",
    "fast track",
    "breakthrough",
    "orphan",
    "prime",
    "accelerated",
    "advisory",
    "adcom",
    "oral explanation",
    "hearing",
    "trend vote",
    "voted",
    "exam",
    "appeal",
    "reconsider",
    "dispute",
    "grounds",
    "pdufa",
    "goal",
    "action date",
    "target",
    "withdr",
    "exten",
    "acknowledg",
    "review",
    "assessment",
    "evaluation",
    "grant",
    "recommend",
    "notice of",
    "non ",
    "applied",
    "sag ",
    "designat",
    "deficiency",
)
EVENT_HINT = _HINT_WORDS


_DETAILS: dict[str, list[tuple[str, re.Pattern[str]]]] = {
    "review_designation": [
        ("priority-review", _p(r"priority review")),
        ("accelerated-assessment", _p(r"accelerated assessment")),
        ("breakthrough", _p(r"breakthrough")),
        ("fast-track", _p(r"fast track")),
        ("prime", _p(r"\bprime\b|priority medicines")),
        ("orphan", _p(r"orphan")),
    ],
    "resubmission": [("class-1", _p(r"class (?:1|i)\b")), ("class-2", _p(r"class (?:2|ii)\b"))],
    "refusal": [
        ("crl", _p(r"complete response|\bcrl\b")),
        ("not-approvable", _p(r"not[- ]approvable")),
        ("approvable", _p(r"approvable letter")),
        ("refuse-to-file", _p(r"refus\w* to file|refuse-to-file|\brtf\b")),
        ("non", _p(r"non-compliance|\bnon\b")),
        ("nod", _p(r"notice of deficiency|\bnod\b")),
    ],
    "approval": [
        ("conditional", _p(r"conditional (?:marketing )?(?:approval|authori[sz]ation)|\bnoc/c\b")),
        ("accelerated-approval", _p(r"accelerated approval")),
    ],
}


def detail_of(etype: str, s: str, m: re.Match[str]) -> str | None:
    """What kind of designation, letter, resubmission or approval a match names."""
    window = s[max(0, m.start() - 60) : m.end() + 60]
    for name, rx in _DETAILS.get(etype, ()):
        if rx.search(m.group(0)) or rx.search(window):
            return name
    return None


# Form 8-K items a release can reveal (SEC Form 8-K General Instruction B.1); read only to
# derive the filing deadline, never printed by `tracker extract` (outside its vocabulary).
SEC_ITEMS: list[tuple[str, re.Pattern[str]]] = [
    (
        "item-1.02",
        _p(r"(?:terminated|termination of|terminate) (?:the |its |our |a )?[^;]{0,60}?agreement"),
    ),
    (
        "item-1.01",
        _p(
            r"(?:entered into|signed|executed) (?:a |an |the )?(?:definitive |exclusive )?[^;]{0,40}?(?:license|licence|collaboration|merger|purchase|supply|credit) agreement"
        ),
    ),
    (
        "item-5.02",
        _p(
            r"(?:appointed|resigned|resignation of|departure of|named)[^;]{0,60}?(?:chief executive|chief financial|president|director|officer)"
        ),
    ),
]


def sec_items(s: str) -> list[tuple[str, re.Match[str]]]:
    """Form 8-K items a lower-cased sentence reports as done."""
    out = []
    for item, rx in SEC_ITEMS:
        m = rx.search(s)
        if m and not PLANNED.search(s[max(0, m.start() - 60) : m.start()]):
            out.append((item, m))
    return out


def detect(s: str) -> list[tuple[EventRule, re.Match[str]]]:
    """All event mentions in a lower-cased sentence, in the order of EVENT_RULES."""
    hits = []
    for rule in EVENT_RULES:
        if not any(n in s for n in EVENT_NEEDLES[rule.type]):
            continue
        m = rule.pattern.search(s)
        if m:
            hits.append((rule, m))
    return hits


_OUTCOME_WORDS = {
    "positive": "positive",
    "favorable": "positive",
    "favourable": "positive",
    "negative": "negative",
    "unfavorable": "negative",
    "unfavourable": "negative",
    "mixed": "mixed",
    "reversed": "positive",
    "upheld": "negative",
    "confirmed": "negative",
}


def outcome_of(rule: EventRule, m: re.Match[str]) -> str | None:
    """The outcome a match states, by the event type's conventions."""
    if rule.outcome:
        return rule.outcome
    groups = m.groupdict()
    for name in ("out", "out2"):
        word = groups.get(name)
        if word:
            return _OUTCOME_WORDS.get(word)
    if groups.get("rec"):
        return "positive"
    if groups.get("ref"):
        return "negative"
    if groups.get("unan"):
        return "positive"
    if groups.get("votes"):
        if groups.get("against"):
            return "negative"  # "voted 8-4 against", "voted 5 to 8 against": the result
        return _vote_outcome(groups["votes"], groups.get("votes2") or "")
    if rule.type in ("opinion", "trend_vote", "reexamination_outcome"):
        return None
    return None


def _vote_outcome(a: str, b: str) -> str:
    x = int(a) if a.isdigit() else NUMBER_WORDS.get(a, 0)
    y = int(b) if b.isdigit() else NUMBER_WORDS.get(b, 0)
    return "positive" if x > y else "negative" if x < y else "mixed"


# --- what a stated timeline is about ----------------------------------------------------------

MILESTONES: list[tuple[str, re.Pattern[str]]] = [
    (
        # The FDA's filing decision: whether the application is accepted for review.
        "review",
        _p(
            r"(?:decide|decision on|determine) whether to (?:accept|file)|accept\w* (?:\w+ ){0,3}for"
            r" filing|filing (?:decision|review)|acceptance of (?:the |its )?(?:filing|application"
            r"|nda|bla|maa|snda|sbla)"
        ),
    ),
    (
        "action-date",
        _p(
            r"pdufa|user fee|action date|goal date|target date|target action|review "
            r"(?:is|will be) complete|complete (?:its|the) review|fda (?:decision|action)"
            r"|fda to (?:take action|act)\b"
        ),
    ),
    (
        "advisory-meeting",
        _p(
            r"advisory committee|adcomm?\b|oral explanation|hearing|advisory "
            r"group|panel meeting"
        ),
    ),
    ("reexamination-grounds", _p(r"grounds")),
    (
        "reexamination-opinion",
        _p(
            r"re-?examin\w*[^;]{0,40}?(?:opinion|outcome|conclu\w+|result|"
            r"proceeding|procedure|decision)|(?:opinion|outcome|result|decision)"
            r"[^;]{0,40}?(?:re-?examination|appeal)|appeal (?:proceeding|"
            r"procedure|hearing|process)"
        ),
    ),
    ("reexamination-request", _p(r"re-?examin|appeal|reconsideration|dispute resolution")),
    (
        # Receiving the agency's questions is a step of its procedure, answering them is not.
        "procedure-day",
        _p(
            r"receiv\w* (?:the |its )?(?:day[ -]\d+ )?list of (?:outstanding )?(?:questions|issues)"
        ),
    ),
    (
        "response",
        _p(
            r"respon(?:d|se|ses)\b|answer|list of (?:outstanding )?(?:questions|issues)|"
            r"clock[- ]stop|day[ -]\d+"
        ),
    ),
    ("commission-decision", _p(r"european commission|commission decision|\bec\b")),
    ("opinion", _p(r"opinion|chmp|committee")),
    (
        "decision",
        _p(
            r"approv|authori[sz]ation(?!\s+applications?)|decision|outcome|\bnoc\b|notice of "
            r"compliance|licen[cs]e(?!\s+applications?)|clearance|"
            r"marketing(?!\s+authori[sz]ation\s+applications?)"
        ),
    ),
    (
        "submission",
        _p(
            r"submi|fil(?:e|ing)|application|dossier|\bnda\b|\bbla\b|\bmaa\b|"
            r"resubmi|\bnds\b|\banda\b"
        ),
    ),
    ("review", _p(r"review|assessment|evaluation|validat|accept")),
    (
        "meeting",
        _p(
            r"meeting|meet with (?:the )?(?:fda|agency|ema|chmp|mhra|pmda|regulators?)"
            r"|(?:mid|late)-cycle"
            r"|pre-?nda|end-of-phase|type [abc] "
        ),
    ),
]

REGULATORY = re.compile(
    r"\b(?:fda|ema|emea|chmp|comp|mhra|pmda|mhlw|swissmedic|tga|nmpa|health canada|commission"
    r"|agency|regulator\w*|pdufa|user fee|nda|snda|bla|sbla|maa|nds|anda|approv\w*|authori[sz]\w*"
    r"|opinion|re-?examin\w*|appeal|advisory committee|submi\w+|resubmi\w+|fil(?:e|ed|ing)|"
    r"action date|goal date|decision|validat\w*|review|grounds|list of questions|day \d+|"
    r"complete response|hearing|oral explanation|dossier|application|label\w*|notice of"
    r" compliance|marketing authori[sz]ation|procedure|clock|letter|respon\w+|questions"
    r"|(?:mid|late)-cycle)\b"
)
REGULATORY_NEEDLES = (
    "fda",
    "ema",
    "chmp",
    "comp ",
    "comp)",
    "mhra",
    "pmda",
    "mhlw",
    "swissmedic",
    "tga",
    "nmpa",
    "canada",
    "commission",
    "agency",
    "regulat",
    "pdufa",
    "user fee",
    "nda",
    "bla",
    "maa",
    "nds",
    "approv",
    "authori",
    "opinion",
    "exam",
    "appeal",
    "advisory",
    "submi",
    "fil",
    "action date",
    "goal",
    "decision",
    "validat",
    "review",
    "grounds",
    "mid-cycle",
    "late-cycle",
    "questions",
    "day ",
    "complete response",
    "hearing",
    "oral explanation",
    "dossier",
    "application",
    "label",
    "notice of",
    "procedure",
    "clock",
    "letter",
    "respon",
    "questions",
)
# Every temporal expression holds a digit or one of these words.
TEMPORAL_NEEDLES = (
    *MONTH_NEEDLES,
    "quarter",
    "half",
    "year",
    "month",
    "week",
    "day",
    "today",
    "tomorrow",
    "early",
    "mid",
    "late",
    "end of",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "twelve",
    "fifteen",
    "twenty",
    "thirty",
    "sixty",
    "ninety",
)
NON_REGULATORY = re.compile(
    r"conference call|webcast|earnings|financial results|results for the|fiscal|patent|"
    r"\blisting\b|delist|annual (?:general )?meeting|shareholders|dividend|cash (?:runway|position)"
    r"|fund (?:our|its|the) |funding|runway|investor (?:day|conference)|presentation|present "
    r"(?:data|results|findings|at)|symposium|congress|healthcare conference|top-?line|read-?out|"
    r"(?:data|results)(?: from [^,;]{0,60}?)? (?:are |is |will be )?(?:expected|anticipated|due)"
    r"|enrol|recruit|dosing|first patient|interim analysis|"
    r"trading (?:halt|resume)|stock|share price|replay|archived|dial|analyst|launch(?:ed)? in|"
    r"commerciali[sz]ation|net loss|revenue|milestone payment|royalt|financing|offering|"
    r"ipo|merger|acquisition|exclusivity|expir|\bupdates?\b|approvability"
)
MISSED = re.compile(
    r"(?:not|n't|unable to|fail(?:ed)? to) (?:be able to )?(?:finish|complete|meet|act|take action"
    r"|make)[^;]{0,200}?\bby|(?:not|n't|unable to|fail(?:ed)? to) (?:be able to )?meet (?:the|its)\b|\bmiss(?:ed)?\b|(?:was|were|had been) (?:originally )?(?:set|scheduled"
    r"|expected)|(?<!as )\bprevious(?:ly)?\b(?! (?:announced|disclosed|reported|communicated|stated))|\boriginal(?:ly)?\b|\bprior\b|\bformer\b|replac\w+|superseded"
    r"|(?:ahead of|in advance of|before) (?:the|its) (?:pdufa|goal|action|target)"
)
# Literal needles of the three patterns above, so sentences without any skip them.
NON_REGULATORY_NEEDLES = (
    "conference",
    "webcast",
    "earnings",
    "results",
    "fiscal",
    "patent",
    "listing",
    "annual",
    "shareholder",
    "dividend",
    "cash",
    "fund",
    "runway",
    "investor",
    "present",
    "symposium",
    "congress",
    "top-line",
    "topline",
    "read-out",
    "readout",
    "data ",
    "enrol",
    "recruit",
    "dosing",
    "first patient",
    "interim",
    "trading",
    "stock",
    "share price",
    "replay",
    "archived",
    "dial",
    "analyst",
    "launch",
    "commerciali",
    "net loss",
    "revenue",
    "milestone payment",
    "royalt",
    "financing",
    "offering",
    "ipo",
    "merger",
    "acquisition",
    "exclusivity",
    "expir",
    "update",
    "approvability",
)
MISSED_NEEDLES = (
    "not ",
    "n't",
    "unable",
    "fail",
    "miss",
    "was ",
    "were ",
    "had been",
    "previous",
    "original",
    "prior",
    "former",
    "replac",
    "superseded",
    "ahead of",
    "in advance of",
    "before",
)
NOT_A_DATE_NEEDLES = ("coming", "soon", "due course", "shortly", "clock")
NOT_A_DATE = re.compile(
    r"in the coming (?:weeks|months|days)|soon|in due course|as soon as possible|shortly|"
    r"excluding (?:any )?clock[- ]stops?|clock[- ]stops? excluded"
)


def milestone_of(clause: str) -> str | None:
    """The regulatory act a clause's timeline is about, or None if it names none."""
    for name, pat in MILESTONES:  # ordered from the most to the least specific
        if pat.search(clause):
            return name
    return None


MILESTONE_TITLES = {
    "action-date": "FDA action (goal) date",
    "advisory-meeting": "Advisory committee meeting / hearing",
    "reexamination-grounds": "Detailed grounds for re-examination due",
    "reexamination-opinion": "Re-examination opinion expected",
    "reexamination-request": "Re-examination request",
    "response": "Response to the agency's questions due",
    "commission-decision": "European Commission decision expected",
    "opinion": "Committee opinion expected",
    "decision": "Regulatory decision expected",
    "submission": "Submission planned",
    "review": "Review milestone",
    "meeting": "Meeting with the agency",
    "procedure-day": "Procedure milestone",
}

# Searched over the whole release: what selects the sentences worth reading.
DOC_NEEDLES = (
    frozenset(REGULATORY_NEEDLES)
    | frozenset(EVENT_HINT)
    | frozenset(n for needles in AGENCY_NEEDLES.values() for n in needles)
)
# Searched only in the few sentences that may state a timeline.
CLAUSE_NEEDLES = frozenset(
    TEMPORAL_NEEDLES + NON_REGULATORY_NEEDLES + MISSED_NEEDLES + NOT_A_DATE_NEEDLES
)
