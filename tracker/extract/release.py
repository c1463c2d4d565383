"""The release itself: its dateline date, issuer, ticker, headline, product and language."""

from __future__ import annotations

import hashlib
import re
import string
from collections import Counter
from datetime import date

from tracker.domain import Alias, Sentence
from tracker.extract import aliases, dates

_PUNCTUATION = re.compile("[" + re.escape(string.punctuation + "“”‘’«»–—…®™©•·") + "]")


def fingerprint(clean: str) -> str:
    """The identity of a release's text: case, spacing, punctuation and markup do not count,
    so the same release as text, HTML, e-mail or from another site is stored once."""
    words = _PUNCTUATION.sub(" ", clean.lower()).split()
    return hashlib.sha256(" ".join(words).encode("utf-8", "replace")).hexdigest()


# --- release metadata ---------------------------------------------------------------------------

_WIRE = re.compile(
    r"^\s*(?:\(|/)?\s*(?:/?pr ?newswire|\(?business ?wire|\(?globe ?newswire|"
    r"marketwire|accesswire|/?ots|\(ots|\(?newswire|--|-{1,2} |/|\(bw\)|\)\s*[-–]"
    r"|\s*\(?[a-z ]*wire"
    # "CAMBRIDGE, MA, USA | June 10, 2013 | Acme ...": a bar (or the "I" a copy made of
    # it, or a bullet) between the place, the date and the lead.
    r"|\s(?:\||•|·|i)\s)",
    re.IGNORECASE,
)
_LEAD = re.compile(
    # a page's label before its date: "Published on", "Published:", "Posted on", "Posted:"
    r"(?:(?:published|posted)(?: on)?:?|publicatie datum|date:|dated|for immediate release|"
    r"date of report[^:]*:|release date:?|datum:?)\s*$",
    re.IGNORECASE,
)
_BULLET_LINE = re.compile(r"[ \t]*[–—•*·▪-][ \t]+\S")
_IN_SENTENCE = re.compile(
    r"(?:\b(?:of|is|was|on|by|until|before|after|date|dates|since|from|"
    r"through|to|for|at|around|and|the|an?|its|their|expected|scheduled|pdufa"
    r"|du|au|jusqu.au|d.ici|avant|après|depuis|pour)\s*|['’]s\s*)$",
    re.IGNORECASE,
)
_FOREIGN_DATE = re.compile(
    r"\b(\d{1,2})\.?(?: de)? ("
    + "|".join(sorted(dates.ALL_MONTHS, key=len, reverse=True))
    + r")\.?,?(?: de)? ((?:19|20)\d\d)\b"
)


# A labelled numeric date near the top ("Release Date: 19/03/2013 12:00am"); the order of
# day and month is taken only when the numbers settle it.
_LABELLED = re.compile(
    r"\b(?:release date|date of release|published(?: on)?|issued(?: on)?|date)\s*:\s*"
    r"(\d{1,2})[/.](\d{1,2})[/.]((?:19|20)\d\d)\b"
)
# A date glued to the word before it by a page copy ("Media Release25 May 2011").
_GLUED_DATE = re.compile(
    r"(?<=[a-z])(?=\d{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? "
    r"(?:19|20)\d\d)"
)
# How well placed the best date must be to be a dateline rather than a date in the text.
_MIN_SCORE = 0


def release_date_of(clean: str) -> date | None:
    """The dateline date: the best-placed full date near the top of the release, or None
    when no date stands where a dateline does (never a date taken from the story)."""
    low = _GLUED_DATE.sub(" ", clean[:700].lower())  # "media release25 may 2011"
    labelled = _LABELLED.search(low)
    if labelled:
        a, b, y = (int(g) for g in labelled.groups())
        day_month = (a, b) if a > 12 >= b else (b, a) if b > 12 >= a else None
        if day_month and (d := dates._safe_date(y, day_month[1], day_month[0])):
            return d
    found = _best_dateline(low)
    if found is None or found[0] < 3:
        wider = _best_dateline(_GLUED_DATE.sub(" ", clean[:3000].lower()))
        if wider is not None and (found is None or wider[0] > found[0]):
            found = wider
    return found[2] if found and found[0] >= _MIN_SCORE else None


def yearless_dateline(clean: str) -> tuple[int, int] | None:
    """(month, day) of a dateline that gives no year ("PALO ALTO, Calif., Aug. 2
    /PRNewswire/"), or None."""
    low = _GLUED_DATE.sub(" ", clean[:700].lower())
    for mention in dates.find(low, date(2000, 1, 1), kinds=("mdy", "dmy")):
        if mention.has_year or mention.start is None:
            continue
        if _dateline_score(low, mention.pos, mention.endpos) >= 3:
            return (mention.start.month, mention.start.day)
    return None


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


# Stock exchanges a release names beside its issuer: "(Nasdaq: ABCD)", "(TSX: XY; OTC: XYZ)".
_EXCHANGES = (
    "nasdaq|nyse|amex|tsx|asx|six|aim|lse|euronext|otc|omx|xetra|frankfurt|fse|fwb|nasdaq gm"
    "|nasdaq gs|cse|sgx|hkex|tse|lon|ams|swx"
)
_ISSUER_AFTER = re.compile(
    r",?\s+[\w&.,'’ -]{2,60}?\((?:(?:[a-z ]*?)(?:" + _EXCHANGES + r")\b|(?:the )?[\"“']?company\b)"
)  # "(Nasdaq: MRK)", or an 8-K's "(the Company)"


def _dateline_score(low: str, start: int, end: int) -> int:
    line_start = low.rfind("\n", 0, start) + 1
    line_end = low.find("\n", end)
    line_end = len(low) if line_end < 0 else line_end
    before, after = low[line_start:start], low[end:line_end]
    score = 0
    if _WIRE.match(after):
        score += 5
    elif before.strip() == "on" and _ISSUER_AFTER.match(after):
        score += 5  # a reprint's opening: "On February 25, 2025 Merck (NYSE: MRK) reported"
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
    if _BULLET_LINE.match(low, line_start):
        score -= 4  # a sub-headline bullet ("– Company to host an event on September 24 –")
    if start - line_start > 250 and not _WIRE.match(after):
        score -= 2  # deep in a paragraph: a date the story tells
    if len(before[before.rfind(",") + 1 :].split()) >= 5 and not _LEAD.search(before):
        score -= 2  # after a run of words, not after a place: "... will hold a call on"
    return score - start // 2000


_TICKER = re.compile(
    r"\((?P<ex>(?:[A-Za-z][\w .&/-]{0,40}?)?(?:" + _EXCHANGES + r")"
    r"[\w .&/-]{0,30}?)"
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
    # a time stamp before the first sentence ("June 22, 2012 8:45 AM EDT Alexza ... Inc.")
    "am",
    "pm",
    "edt",
    "est",
    "et",
    "cet",
    "cest",
    "gmt",
    "utc",
    "bst",
    "pdt",
    "pst",
}


def issuer_of(clean: str) -> tuple[str | None, str | None]:
    """The issuing company and its ticker, from the first "(Exchange: TICKER)" mention."""
    head = clean[:6000]
    m = _TICKER.search(head)
    if not m:
        corp = _CORP.search(head)
        # No ticker, no legal form: the short name it opens with ("-- Pharming announced").
        return (corp.group(1) if corp else aliases.lead_name(head[:3000])), None
    ticker = (m.group("t") or m.group("t2")).upper().rstrip(".")
    before = head[max(0, m.start() - 200) : m.start()]
    before = re.sub(r"\s*\([^()]*\)\s*$", "", before.rstrip())  # drop ("Alias" or "the Company")
    return _name_before(before), ticker


# Legal-form words a company name may end with in lower case ("Kestrel Oncology plc").
_LEGAL_FORMS = {"plc", "p.l.c.", "ltd", "ltd.", "inc", "inc.", "s.a.", "n.v.", "s.p.a.", "oyj"}


def _name_before(before: str) -> str | None:
    words = before.replace("\n", " ").split()
    lowercase = not any(c.isupper() for c in before)
    picked: list[str] = []
    for word in reversed(words):
        bare = word.strip(",").lower()
        if bare in _NAME_STOP or word.endswith(("/", "--")) or len(picked) >= 6:
            break
        legal_form = not picked and bare in _LEGAL_FORMS
        if not lowercase and not (word[:1].isupper() or word in ("&", "of", "de") or legal_form):
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


# Names are bounded (a trade name is never 60 characters): an unbounded run would be tried
# again from every word start of a long hyphenated token, at a quadratic cost.
_MARKED = re.compile(
    r"\b([A-Z][\w-]{2,60}|[a-z][\w-]{0,30}[A-Z][\w-]{0,30})(?:\s?(?:®|™|\(R\)|\(TM\)|\[®\]|"
    r"\[™\]|\(r\)|\(tm\)))"
)
_GENERIC = re.compile(r"\b([A-Za-z][\w-]{2,60})\s?(?:®|™)?\s\(([a-z][a-z -]{5,60})\)")


_APPLIED_FOR = re.compile(
    r"(?:\b(?:[Aa]pplication|NDA|BLA|MAA|NDS|sNDA|sBLA|[Ss]ubmission|[Aa]uthori[sz]ation|"
    r"[Oo]pinion|[Dd]ossier|Notice of (?:Non-)?Compliance|NOC|NON|[Rr]esponse|[Ll]etter)"
    r"(?:\s\([A-Za-z]{2,6}\))?(?:\s(?:issued|sent)\sby\s(?:the\s)?(?:[A-Z][\w.-]*\s){0,2}[A-Z][\w.-]*)?"
    # "an NDA to the FDA for Relzana", "designation from the European Commission for"
    r"(?:\s(?:to|with|from)\s(?:the\s)?(?:U\.S\.\s)?(?:[A-Z][\w.-]*\s){0,5}[A-Z][\w.()-]*\sfor\s"
    r"|\s(?:for|of|on)\s)(?:its\s|the\s)?"
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
        "filing",  # "accepted the NDA for filing"
        "registration",
        "evaluation",
        "assessment",
        "licensure",
    ]
)


def product_of(sents: list[Sentence], found: tuple[Alias, ...] = ()) -> str | None:
    """The product the release is about: the most mentioned trade-marked name, else a name
    given with an alias ("Ruconest (Rhucin)"); an alias read as the product gives way to the
    name it is an alias of (`found`: the release's aliases, `tracker.extract.aliases`)."""
    current = aliases.current_names(found)
    named = _product_of(sents, aliases.product_names(found)) or next(
        iter(aliases.product_names(found, worded=False)), None
    )
    return current.get(named.lower(), named) if named else None


def _product_of(sents: list[Sentence], with_alias: list[str]) -> str | None:
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
    if with_alias:
        return with_alias[0]
    for s in sents[:12]:
        generic = _GENERIC.search(s.text)
        if generic and generic.group(1).lower() not in ("the", "and", "for", "its"):
            return generic.group(1)
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
