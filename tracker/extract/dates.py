"""Temporal expressions: find them in lower-cased text and resolve them to dates or windows.

Everything here is pure: the reference date (the release date) is passed in.
Fiscal years are not calendar years and differ by company, so a quarter or half
"of fiscal 2008" is reported as no date at all rather than a wrong one.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import ahocorasick
from dateutil.relativedelta import relativedelta

from tracker.extract.needles import needles as _needles_of

MONTHS = {
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
# Month names of the languages we recognise enough to date a release (never to read events).
FOREIGN_MONTHS = {
    # French
    "janvier": 1,
    "février": 2,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "août": 8,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "décembre": 12,
    "decembre": 12,
    # French abbreviations, as newswires set them in datelines ("le 28 juill. 2020")
    "janv": 1,
    "févr": 2,
    "fevr": 2,
    "avr": 4,
    "juil": 7,
    "juill": 7,
    "déc": 12,
    # German
    "januar": 1,
    "jänner": 1,
    "februar": 2,
    "märz": 3,
    "maerz": 3,
    "juni": 6,
    "juli": 7,
    "oktober": 10,
    "dezember": 12,
    # Spanish
    "enero": 1,
    "febrero": 2,
    "marzo": 3,
    "abril": 4,
    "mayo": 5,
    "junio": 6,
    "julio": 7,
    "agosto": 8,
    "septiembre": 9,
    "setiembre": 9,
    "noviembre": 11,
    "diciembre": 12,
    # Italian, as a newswire copy's date stamp gives it ("21 Giugno 2024 - 2:00PM")
    "gennaio": 1,
    "febbraio": 2,
    "aprile": 4,
    "maggio": 5,
    "giugno": 6,
    "luglio": 7,
    "settembre": 9,
    "ottobre": 10,
    "dicembre": 12,
    # Dutch abbreviations seen in register filings
    "mei": 5,
    "okt": 10,
    "mrt": 3,
    "januari": 1,
    "februari": 2,
    "maart": 3,
    "augustus": 8,
}
ALL_MONTHS = {**FOREIGN_MONTHS, **MONTHS}
WEEKDAYS = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
NUMBER_WORDS = {
    "zero": 0,
    "one": 1,
    "a": 1,
    "an": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty-five": 45,
    "forty five": 45,
    "sixty": 60,
    "ninety": 90,
    "one hundred twenty": 120,
    "one hundred and twenty": 120,
    "eighteen": 18,
    "fourteen": 14,
    "thirteen": 13,
    "sixteen": 16,
    "seventeen": 17,
    "nineteen": 19,
}
ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
}
NUMBER_WORDS.update(ORDINALS)

_MON = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_YEAR = r"(?:19|20)\d\d"
_TENS = r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
_ONES = r"(?:one|two|three|four|five|six|seven|eight|nine)"
_ONES_WORDS = frozenset(("one", "two", "three", "four", "five", "six", "seven", "eight", "nine"))
_NUM = (
    r"(?:\d{1,3}|" + _TENS + r"(?:[- ]" + _ONES + r")?|one hundred(?: and)? \w+|one|two|three"
    r"|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen"
    r"|seventeen|eighteen|nineteen|a|an|un|une|deux|trois|quatre|six|dix|douze|quinze|trente"
    r"|soixante|quatre-vingt-dix)"
)
_UNIT = (
    r"(?:calendar |business |working )?(?:days?|weeks?|months?|years?)"
    r"|(?:jours?|semaines?|mois|ans)(?: (?:civils|ouvrables))?"
)
_FR_MON = (
    r"(?:janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|novembre"
    r"|d[ée]cembre)"
)
# A year named relative to the release's: "this year", "next year", "last year".
_YEAR_WORD = r"this year|next year|last year|the previous year|the prior year|the current year"
_REL_YEAR = r"(?:" + _YEAR_WORD + r"|the year|(?:fiscal |calendar )?" + _YEAR + r")"

# One scanner over lower-cased text. Order matters: longer forms first.
_PATTERNS: list[tuple[str, str]] = [
    ("iso", r"\b(?P<iso_y>" + _YEAR + r")-(?P<iso_m>\d\d)-(?P<iso_d>\d\d)\b"),
    (
        "mdy_num",
        r"\b(?P<n_m>1[0-2]|0?[1-9])/(?P<n_d>3[01]|[12]\d|0?[1-9])/(?P<n_y>" + _YEAR + r"|\d\d)\b",
    ),
    (
        "dmy_spaced",  # "13 / 02 / 2006": day first only when the first number cannot be a month
        r"\b(?P<sp_d>1[3-9]|2\d|3[01]) / (?P<sp_m>1[0-2]|0?[1-9]) / (?P<sp_y>" + _YEAR + r")\b",
    ),
    (
        "dmy_dot",  # "03.03.2015": the European day-first style with dots (never a month first)
        r"(?<![\d.])(?P<dt_d>3[01]|[12]\d|0?[1-9])\.(?P<dt_m>1[0-2]|0?[1-9])\.(?P<dt_y>"
        + _YEAR
        + r")(?![\d.]\d)",
    ),
    (
        "season",
        r"\b(?P<se_s>spring|summer|fall|autumn|winter)(?: of)? (?P<se_y>" + _YEAR + r")\b",
    ),
    ("dmy_dash", r"\b(?P<dd_d>\d{1,2})-(?P<dd_m>" + _MON + r")-(?P<dd_y>" + _YEAR + r")\b"),
    (
        "between_months",
        r"\bbetween (?P<bm_a>"
        + _MON
        + r")(?: (?P<bm_ay>"
        + _YEAR
        + r"))? and (?P<bm_b>"
        + _MON
        + r")(?:,? (?P<bm_by>"
        + _YEAR
        + r"))?\b",
    ),
    (
        # "between 17th and 20th October", "17-20 October 2011": a span of days in one month.
        "day_range",
        r"\b(?P<dr_a>3[01]|[12]\d|0?[1-9])(?: ?(?:st|nd|rd|th)\b)? ?(?:and|to|until|through|-) ?"
        r"(?P<dr_b>3[01]|[12]\d|0?[1-9])(?: ?(?:st|nd|rd|th)\b)? (?:of )?(?P<dr_m>"
        + _MON
        + r")\.?(?:,? (?P<dr_y>"
        + _YEAR
        + r"))?\b",
    ),
    (
        # "October 17 to 20", "June 12-13, 2024".
        "mday_range",
        r"\b(?P<mr_m>"
        + _MON
        + r")\.? (?P<mr_a>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)? ?(?:and|to|until|through|-) ?"
        r"(?P<mr_b>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?:,? (?P<mr_y>"
        + _YEAR
        + r"))?\b(?!\s*(?:%|percent|mg|patients|weeks|months|days|years))",
    ),
    (
        "dmy_fr",
        r"\b(?P<fr_d>3[01]|[12]\d|0?[1-9]|1er) (?P<fr_m>"
        + _FR_MON
        + r")(?: (?P<fr_y>"
        + _YEAR
        + r"))?\b",
    ),
    (
        "end_month_fr",
        r"\b(?:d'ici |avant )?(?:la )?fin (?:du mois )?(?:de |d')?(?P<fe_m>" + _FR_MON + r")"
        r"(?: (?P<fe_y>" + _YEAR + r"))?\b",
    ),
    (
        "day_range_fr",  # "du 24 au 27 juin 2024", "entre le 24 et le 27 juin"
        r"\b(?:du|entre le) (?P<drf_a>3[01]|[12]\d|0?[1-9])(?:er)? (?:au|et le) "
        r"(?P<drf_b>3[01]|[12]\d|0?[1-9]) (?P<drf_m>"
        + _FR_MON
        + r")(?: (?P<drf_y>"
        + _YEAR
        + r"))?\b",
    ),
    (
        "part_month_fr",  # "début juin 2023", "à la mi-mars", "au début du mois de mai"
        r"\b(?P<pmf_p>début|mi|milieu)[\- ](?:du mois )?(?:de |d')?(?P<pmf_m>" + _FR_MON + r")"
        r"(?: (?P<pmf_y>" + _YEAR + r"))?\b",
    ),
    (
        "part_year_fr",  # "d'ici la fin de l'année 2022", "mi-2023", "courant 2024", "en 2025"
        r"\b(?P<pyf_p>d'ici (?:la )?fin|avant (?:la )?fin|(?:à )?la fin|fin|début|mi|milieu"
        r"|au cours|courant|durant|en)(?: de l'année| d'année| de l'exercice)?[\- ](?:de |d')?"
        r"(?P<pyf_y>" + _YEAR + r"|l'année prochaine|l'an prochain|cette année|l'année)\b",
    ),
    (
        "month_year_fr",
        r"\b(?P<mf_m>" + _FR_MON + r") (?P<mf_y>" + _YEAR + r")\b",
    ),
    (
        "quarter_fr",
        r"\b(?P<qf_n>premier|1er|deuxi[èe]me|second|2e|troisi[èe]me|3e|quatri[èe]me|4e) trimestre"
        r"(?: (?:de |d')?(?P<qf_y>" + _YEAR + r"))?",
    ),
    (
        "half_fr",
        r"\b(?P<hf_n>premier|1er|deuxi[èe]me|second|2e) semestre(?: (?:de |d')?(?P<hf_y>"
        + _YEAR
        + r"))?",
    ),
    (
        "week_of",  # "the week of April 11, 2011": that day and the six after it
        r"\bweek of (?P<wk_m>" + _MON + r")\.? (?P<wk_d>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"
        r"(?:,? (?P<wk_y>" + _YEAR + r"))?\b",
    ),
    (
        "mdy",
        r"\b(?P<mdy_m>" + _MON + r")\.? (?P<mdy_d>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"
        r"(?:,? ?(?P<mdy_y>" + _YEAR + r"))?\b(?!\s*(?:%|percent|mg|patients))",
    ),
    (
        "dmy",
        r"\b(?P<dmy_d>3[01]|[12]\d|0?[1-9])(?: ?(?:st|nd|rd|th)\b)? ?(?:of )?(?P<dmy_m>"
        + _MON
        + r")\.?(?:,? (?P<dmy_y>"
        + _YEAR
        + r"))?\b",
    ),
    (
        "quarter",
        r"\b(?:the )?(?P<q_n>first|second|third|fourth|1st|2nd|3rd|4th)"
        # "the third or fourth quarter of 2018": one window over both
        r"(?: (?:or|to|and|/) (?:the )?(?P<q_n2>first|second|third|fourth|1st|2nd|3rd|4th))?"
        r" (?:calendar )?quarters?(?: of)?(?: (?P<q_y>" + _REL_YEAR + r"))?",
    ),
    # "the last quarter of 2011": the fourth (only with its year: "in the last quarter"
    # alone is the one just gone).
    (
        "quarter_last",
        r"\b(?:the )?(?:last|final) (?:calendar )?quarter of (?P<ql_y>" + _REL_YEAR + r")",
    ),
    (
        "quarter_short",
        r"\b(?:q(?P<qs_n>[1-4])(?:[ \-/']*(?P<qs_y>" + _YEAR + r"|'?\d\d))?"
        r"|(?P<qs_n2>[1-4])q[ \-']?(?P<qs_y2>" + _YEAR + r"|\d\d))\b",
    ),
    (
        "half",
        r"\b(?:the )?(?P<h_n>first|second|1st|2nd) half(?: of)?(?: (?P<h_y>" + _REL_YEAR + r"))?",
    ),
    (
        "half_short",
        r"\b(?:h(?P<hs_n>[12])[ \-']?(?P<hs_y>" + _YEAR + r"|\d\d)|(?P<hs_n2>[12])h[ \-']?"
        r"(?P<hs_y2>" + _YEAR + r"|\d\d))\b",
    ),
    (
        "part_month",
        r"\b(?P<pm_p>early|mid|late|by the end of|the end of|end of|the beginning of"
        r"|beginning of|the middle of)[\- ](?P<pm_m>"
        + _MON
        + r")(?:,? (?:of )?(?P<pm_y>"
        + _YEAR
        + "|"
        + _YEAR_WORD
        + r"))?\b",
    ),
    (
        "year_end",
        r"\b(?:year[- ]end|(?:the )?end of (?:the |this )?year"
        r"(?!\s+(?:one|two|three|four|five|\d{1,2}\b)))"  # "the end of year one" of a study
        r"(?:,? (?P<ye_y>" + _YEAR + r"))?\b",
    ),
    (
        "part_year",
        r"\b(?P<py_p>towards? the end of|by the end of|before the end of|the end of|end of"
        r"|early|mid|late|the beginning of|beginning of|the start of|the middle of"
        r"|around the turn of)[\- ](?P<py_y>" + _REL_YEAR + r")\b"
        # "by the end of the year 2020": the year named after the words that stand for it.
        r"(?: (?P<py_y2>" + _YEAR + r")\b)?",
    ),
    ("month_year", r"\b(?P<my_m>" + _MON + r")\.?,? (?:of )?(?P<my_y>" + _YEAR + r")\b"),
    # "in February last year", "in March of next year": the month of the year it names.
    ("month_rel", r"\b(?P<mr_m>" + _MON + r")\.?,? (?:of )?(?P<mr_y>" + _YEAR_WORD + r")\b"),
    # "around mid-year", "by midyear": the middle of the release's own year.
    (
        "mid_year",
        r"\b(?:the )?mid-? ?year\b(?:,? (?:of )?(?P<mid_y>" + _YEAR + r"))?"
        r"(?!\s+(?:results|report|update|review))",
    ),
    (
        # "by the end of the month", "at the end of next month", "by quarter-end": the last
        # day of the month or quarter the release speaks in (or the next one).
        "period_end",
        r"\b(?:the )?end of (?P<pe_w>this|the|next|the current|the next) (?P<pe_u>month|quarter)\b"
        r"|\b(?P<pe_u2>month|quarter)[- ]end\b",
    ),
    (
        "later_this",
        r"\b(?:later|(?:in )?the remainder of|(?:in )?the rest of) (?P<lt_u>this month|this year"
        r"|this week|today|in the year|the year|" + _YEAR + r")",
    ),
    (
        "earlier_this",
        r"\b(?:earlier|previously|so far) (?:this|in the|last) (?:month|week|year|quarter)",
    ),
    (
        "rel_word",
        r"\b(?P<rw>today|this morning|this afternoon|this evening|tonight|tomorrow"
        r"|yesterday|this week|next week|last week|this month|next month|last month|this year"
        r"|next year|last year|year-to-date|this quarter|next quarter|the current quarter)\b",
    ),
    (
        "weekday",
        # "falls on a Sunday" names a day of the week, not a date.
        r"(?<!\ba )(?<!\ban )\b(?:(?P<wd_rel>last|next|this|on|coming) )?(?P<wd>monday|tuesday"
        r"|wednesday|thursday|friday|saturday|sunday)\b(?: (?P<wd_rel2>this|next|last) week)?"
        # "sunday, june 5, 2022": the weekday of the date that follows, not a day of its own
        r"(?!,? (?:the )?(?:\d|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))",
    ),
    ("day_n", r"\bday[ \-](?P<dn>\d{1,3})\b"),
    # The lead words ("within", "approximately"...) are read back from the text in _resolve:
    # a pattern that starts with optional words is tried at every position and is slow.
    (
        "offset",
        r"\b(?:(?:entre )?(?P<off_lo>" + _NUM + r") ?(?:to|-|–|or|à|et) ?)?"
        r"(?P<off_n>" + _NUM + r")(?:[- ](?P<off_fr>and a half))?[ -](?:additional "
        r"|more |further |prochaine?s )?(?P<off_u>" + _UNIT + r")\b",
    ),
    (
        "month_only",
        r"\b(?P<mo_m>january|february|march|april|june|july|august|september|october"
        r"|november|december|may|" + _FR_MON + r")\b(?!\.? ?\d)",
    ),
    (
        "year",
        r"\b(?P<yr_p>in|during|by|until|before|through|for|within|throughout|from|of)"
        r"(?: (?:calendar|the year|the calendar year|fiscal|fiscal year))? "
        r"(?P<yr_y>" + _YEAR + r")\b(?![-/]\d)",
    ),
]
MONTH_NEEDLES = (
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
)
# Literal needles each pattern needs, computed from the pattern (a pattern whose needles are
# all absent is not run). One alternation of every pattern is several times slower than the
# few separate ones a sentence needs (Python's engine cannot skip ahead in a large alternation).
_NEEDLES: dict[str, tuple[str, ...]] = {
    name: tuple(sorted(_needles_of(pat) or ())) for name, pat in _PATTERNS
}
# Every temporal expression holds one of these (or a digit).
TEMPORAL_NEEDLES = tuple(sorted({n for ns in _NEEDLES.values() for n in ns}))
_SEPARATE = [
    (name, frozenset(_NEEDLES[name]), re.compile(f"(?P<{name}>{pat})")) for name, pat in _PATTERNS
]
# Words that open an offset, one table for both readers: the date reader widens an offset's
# text back over any of them ("within 60 days", "dans un délai de 30 jours", "for 90 days");
# the timeline reader takes an offset whose text opens with one marked True as a stated
# time limit on its own ("no later than 30 days" is one; "for 90 days", "by 30 days" and
# "over 60 days" are how long something lasts or how far it moved, and need an anchor).
OFFSET_LEADS: tuple[tuple[str, bool], ...] = (
    ("dans les", True),  # "dans les 60 jours"
    ("au cours des", True),  # "au cours des 12 prochains mois"
    ("dans un d[ée]lai de", True),  # "dans un délai de 30 jours"
    ("d'ici", True),  # "d'ici 90 jours"
    ("sous", True),  # "sous 15 jours"
    ("aura(?: ensuite)?", True),  # "le comité aura ensuite 30 jours"
    ("disposera de", True),  # "l'agence disposera de 60 jours"
    ("dispose de", True),  # "la société dispose de 15 jours pour notifier sa demande"
    # "within the statutory period of 150 days", "in a review period of ten months"
    (
        "(?:with)?in (?:the|a|its) (?:statutory |prescribed |regulatory |review )?"
        "(?:period|timeframe) of",
        True,
    ),
    ("(?:with)?in", True),  # "within 60 days", "in 30 days"
    ("no later than", True),
    ("not later than", True),
    ("up to", True),  # "up to 90 days"
    ("approximately", True),
    ("about", True),
    ("around", True),
    ("roughly", True),
    ("some", True),  # "some 30 days"
    ("an additional", True),  # "an additional three months"
    ("has", True),  # "the committee has 60 days"
    ("have", True),
    ("a further", True),
    ("additional", True),
    ("after", True),  # "after 120 days"
    ("over the", True),  # "over the next 30 days"
    ("over", False),  # "over 60 days": a length
    ("for", False),  # "for 90 days": a length
    ("by", False),  # "delayed by three months": a distance
)
_OFFSET_LEAD = re.compile(
    r"\b(?:" + "|".join(w for w, _ in OFFSET_LEADS) + r")\s+(?:the next\s+|the\s+)?"
    r"(?:(?:approximately|about|some|another|an additional|a further)\s+)?$"
)
# An offset's text that opens with a lead marked True in OFFSET_LEADS.
STATED_OFFSET_LEAD = re.compile(
    "^(?:" + "|".join(w for w, stated in OFFSET_LEADS if stated) + r")\b"
)
_MONTH_SET = frozenset(MONTH_NEEDLES)
_MONTH_WORD = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)")
# Needles too common to gate on their own, confirmed by a cheap pattern before use.
_PROBES = {
    "-": re.compile(r"\d-"),
    "/": re.compile(r"\d/\d"),
    "q": re.compile(r"q[1-4]|[1-4]q"),
    "h": re.compile(r"h[12]|[12]h"),
    "19": re.compile(r"19\d\d"),
    "20": re.compile(r"20\d\d"),
}
_PROBED = frozenset(_PROBES)


def _automaton() -> ahocorasick.Automaton:
    auto = ahocorasick.Automaton()
    for needle in {n for ns in _NEEDLES.values() for n in ns}:
        auto.add_word(needle, needle)
    auto.make_automaton()
    return auto


_AUTOMATON = _automaton()
_DAY_N_LEAD = re.compile(r"\b(?:at|by|on|until|before|around|after|of)\s+$")
_ALL_DATE_NEEDLES = frozenset(n for needles in _NEEDLES.values() for n in needles)
_PREPOSITION = re.compile(
    r"(?:\b(?:in|during|by|until|before|from|since|of|through|after|following"
    r"|their|its|the|early|mid|late|around|about|circa)|\w['’]s)\s*$"  # "the CHMP's July meeting"
)
# "en septembre", "au mois de mars", "d'ici juin", "fin mai": a French month named alone.
_PREPOSITION_FR = re.compile(
    r"\b(?:en|au mois de|d'ici|d'ici à|dès|avant|après|depuis|pour|fin|début|mi-?|courant)\s*$"
)
MONTH_NAMES_EN = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
)
_FULL = ("iso", "mdy_num", "dmy_spaced", "dmy_dot", "dmy_dash", "mdy", "dmy")
FULL_KINDS = _FULL


@dataclass(frozen=True, slots=True)
class Mention:
    """One temporal expression: where it is and what it resolves to.

    `kind` is "date" (a full calendar day), "window", "offset" (a duration
    whose anchor the caller decides), "day_n" (an EMA procedure day) or
    "past_ref" (something dated before the release without a full date).
    """

    kind: str
    start: date | None
    end: date | None
    text: str
    pos: int
    endpos: int
    has_year: bool = True
    amount: int | None = None
    unit: str | None = None
    fiscal: bool = False
    amount_lo: int | None = None  # "60 to 90 days": the range's low end (`amount` its high)


def _year(token: str | None, ref: date) -> int | None:
    """Resolve a year token ('2008', '08', 'this year', 'next year', 'fiscal 2008')."""
    if not token:
        return None
    t = token.strip().lstrip("'")
    if t in ("this year", "the year", "the current year"):
        return ref.year
    if t == "next year":
        return ref.year + 1
    if t in ("last year", "the previous year", "the prior year"):
        return ref.year - 1
    t = t.replace("fiscal ", "").replace("calendar ", "")
    if t.isdigit():
        y = int(t)
        return y + 2000 if y < 100 else y
    return None


def _period_end(which: str, unit: str, ref: date, txt: str, s: int, e: int) -> Mention:
    """The last day of the month or quarter `ref` falls in, or of the next one."""
    months = 1 if unit == "month" else 3
    first = ref.month if months == 1 else 3 * ((ref.month - 1) // 3) + 1
    last = first + months - 1 + (months if "next" in which else 0)
    y, m = ref.year + (last - 1) // 12, (last - 1) % 12 + 1
    day = _last_day(y, m)
    return Mention("date", day, day, txt, s, e)


def _last_day(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _month_no(token: str) -> int:
    t = token.rstrip(".")
    return MONTHS.get(t) or MONTHS[t[:3]]


def infer_year(month: int, day: int, ref: date, future: bool | None) -> int:
    """Pick the year of a year-less date from the release date and the sentence's tense."""
    candidate = _safe_date(ref.year, month, day) or _last_day(ref.year, month)
    if future is True:
        return ref.year + 1 if candidate < ref - timedelta(days=7) else ref.year
    if future is False:
        return ref.year - 1 if candidate > ref + timedelta(days=7) else ref.year
    # Untensed: take whichever of last, this or next year lies nearest to the release.
    best = min(
        (ref.year - 1, ref.year, ref.year + 1),
        key=lambda y: abs(((_safe_date(y, month, day) or _last_day(y, month)) - ref).days),
    )
    return best


_SEASONS = {"spring": (3, 5), "summer": (6, 8), "fall": (9, 11), "autumn": (9, 11),
            "winter": (12, 2)}  # fmt: skip
_FR_ORDINAL = {
    "premier": 1, "1er": 1, "deuxieme": 2, "second": 2, "2e": 2, "troisieme": 3, "3e": 3,
    "quatrieme": 4, "4e": 4,
}  # fmt: skip
_FR_UNITS = {"jour": "day", "jours": "day", "semaine": "week", "semaines": "week",
             "mois": "month", "ans": "year"}  # fmt: skip
_FR_NUMBERS = {"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "six": 6, "dix": 10,
               "douze": 12, "quinze": 15, "trente": 30, "soixante": 60,
               "quatre-vingt-dix": 90}  # fmt: skip
_TENS_VALUE = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
               "seventy": 70, "eighty": 80, "ninety": 90}  # fmt: skip


def number_value(token: str) -> int | None:
    """A number in digits or words: "60", "sixty", "twenty-one", "one hundred and twenty"."""
    token = token.strip()
    if token.isdigit():
        return int(token)
    if token in NUMBER_WORDS:
        return NUMBER_WORDS[token]
    if token in _FR_NUMBERS:
        return _FR_NUMBERS[token]
    parts = token.replace("-", " ").replace(" and ", " ").split()
    if len(parts) == 2 and parts[0] in _TENS_VALUE and parts[1] in NUMBER_WORDS:
        return _TENS_VALUE[parts[0]] + NUMBER_WORDS[parts[1]]
    if parts[:2] == ["one", "hundred"]:
        rest = number_value(" ".join(parts[2:])) if parts[2:] else 0
        return 100 + rest if rest is not None else None
    return None


def find(
    text: str, ref: date, future: bool | None = None, kinds: tuple[str, ...] | None = None
) -> list[Mention]:
    """Find and resolve every temporal expression in `text` (lower-cased) against `ref`.

    `kinds` limits the search to some patterns (FULL_KINDS: explicit calendar days). The
    reader asks about the same sentence several times; answers are kept for a while.
    """
    return list(_find(text, ref, future, kinds))


def forget() -> None:
    """Drop the answers kept by `find` (called at the start of each document)."""
    _find.cache_clear()


@lru_cache(maxsize=4096)
def _find(
    text: str, ref: date, future: bool | None, kinds: tuple[str, ...] | None
) -> tuple[Mention, ...]:
    found: list[tuple[int, int, re.Match[str]]] = []
    present = {needle for _, needle in _AUTOMATON.iter(text)}
    for needle in present & _PROBED:
        if not _PROBES[needle].search(text):
            present.discard(needle)
    if present & _MONTH_SET and not _MONTH_WORD.search(text):
        present -= _MONTH_SET  # "decision" or "market" hold no month
    for order, (name, needles, rx) in enumerate(_SEPARATE):
        if (kinds is None or name in kinds) and not present.isdisjoint(needles):
            found.extend((m.start(), order, m) for m in rx.finditer(text))
    found.sort(key=lambda f: (f[0], f[1]))
    out: list[Mention] = []
    end = -1
    for start, _order, m in found:
        if start < end:
            continue
        end = m.end()
        if (
            m.lastgroup == "rel_word"
            and m.group("rw") in ("this year", "next year", "last year")
            and out
            and out[-1].kind == "date"
            and not out[-1].has_year
            and out[-1].start
            and text[out[-1].endpos : start] in (" of ", ", ", " ")
        ):
            # "October 17th of this year": the year of the day before, not a window of its own
            prev = out[-1]
            year = _year(m.group("rw"), ref) or ref.year
            told = prev.start
            day = _safe_date(year, told.month, told.day) if told else None
            if day is not None:
                out[-1] = replace(
                    prev, start=day, end=day, text=text[prev.pos : end], endpos=end, has_year=True
                )
            continue
        mention = _resolve(m, ref, future)
        if mention is None:
            continue
        if (
            m.lastgroup in _BY_ENDS
            and mention.kind == "window"
            and mention.end is not None
            and (_BY.search(text, max(0, start - 20), start) or m.group(0).startswith("by "))
        ):
            # "by June 2024", "by the first quarter", "by 2026": the period's last day.
            mention = replace(mention, kind="date", start=mention.end)
        elif m.lastgroup in _THIRDS_OF and mention.kind == "window":
            part = _PART_BEFORE.search(text, max(0, start - 20), start)
            if part is not None:
                mention = _third_of(mention, part.group(1), text, part.start())
        out.append(mention)
    return tuple(out)


# "early Q3", "mid-2H", "late in the second half", "début du troisième trimestre": a third
# of a quarter or half, as "early 2009" is a third of a year (CONTRACT.md).
_THIRDS_OF = frozenset(("quarter", "quarter_short", "half", "half_short", "quarter_fr", "half_fr"))
_PART_BEFORE = re.compile(r"\b(early|mid|late|début|mi)(?:[- ]| in )?(?:the |du |de |d'|au )?\s*$")


def _third_of(mention: Mention, part: str, text: str, pos: int) -> Mention:
    """The first, middle or last third of a quarter or half-year window."""
    assert mention.start is not None and mention.end is not None
    months = (
        (mention.end.year - mention.start.year) * 12 + mention.end.month - mention.start.month + 1
    )
    if months not in (3, 6):
        return mention
    step = months // 3
    index = {"early": 0, "début": 0, "mid": 1, "mi": 1, "late": 2}[part]
    first_month = mention.start.month + index * step
    last_month = first_month + step - 1
    return replace(
        mention,
        start=date(mention.start.year, first_month, 1),
        end=_last_day(mention.start.year, last_month),
        text=text[pos : mention.endpos],
        pos=pos,
    )


_PLAUSIBLE = {"day": 400, "business_day": 400, "week": 104, "month": 60, "year": 10}
_AGE = re.compile(r"\s+(?:of age|old|of life)\b")
_BY = re.compile(r"\b(?:by|no later than|not later than)\s+(?:the\s+)?$")
_BY_ENDS = frozenset(
    (
        "month_year",
        "month_rel",
        "month_only",
        "quarter",
        "quarter_last",
        "quarter_short",
        "half",
        "half_short",
        "year",
        "part_year",
    )
)


def _resolve(m: re.Match[str], ref: date, future: bool | None) -> Mention | None:
    kind = m.lastgroup
    g = m.group
    s, e, txt = m.start(), m.end(), m.group(0)
    if kind == "iso":
        d = _safe_date(int(g("iso_y")), int(g("iso_m")), int(g("iso_d")))
        return Mention("date", d, d, txt, s, e) if d else None
    if kind == "mdy_num":
        y = int(g("n_y"))
        y = y + 2000 if y < 100 else y
        d = _safe_date(y, int(g("n_m")), int(g("n_d")))
        return Mention("date", d, d, txt, s, e) if d else None
    if kind == "dmy_dash":
        d = _safe_date(int(g("dd_y")), _month_no(g("dd_m")), int(g("dd_d")))
        return Mention("date", d, d, txt, s, e) if d else None
    if kind == "dmy_dot":
        d = _safe_date(int(g("dt_y")), int(g("dt_m")), int(g("dt_d")))
        return Mention("date", d, d, txt, s, e) if d else None
    if kind == "dmy_spaced":
        d = _safe_date(int(g("sp_y")), int(g("sp_m")), int(g("sp_d")))
        return Mention("date", d, d, txt, s, e) if d else None
    if kind == "season":
        # Meteorological seasons of the northern hemisphere; winter runs into the next year.
        y = int(g("se_y"))
        first, last = _SEASONS[g("se_s")]
        end_year = y + 1 if last < first else y
        return Mention("window", date(y, first, 1), _last_day(end_year, last), txt, s, e)
    if kind == "dmy_fr":
        month = FOREIGN_MONTHS[g("fr_m")]
        day = 1 if g("fr_d") == "1er" else int(g("fr_d"))
        year = int(g("fr_y")) if g("fr_y") else infer_year(month, day, ref, future)
        d = _safe_date(year, month, day)
        return Mention("date", d, d, txt, s, e, has_year=bool(g("fr_y"))) if d else None
    if kind == "end_month_fr":
        month = FOREIGN_MONTHS[g("fe_m")]
        year = int(g("fe_y")) if g("fe_y") else infer_year(month, 15, ref, future)
        d = _last_day(year, month)
        return Mention("date", d, d, txt, s, e, has_year=bool(g("fe_y")))
    if kind == "day_range_fr":
        month, a, b = FOREIGN_MONTHS[g("drf_m")], int(g("drf_a")), int(g("drf_b"))
        year = int(g("drf_y")) if g("drf_y") else infer_year(month, a, ref, future)
        day_a, day_b = _safe_date(year, month, a), _safe_date(year, month, b)
        if day_a is None or day_b is None or day_b <= day_a:
            return None
        return Mention("window", day_a, day_b, txt, s, e, has_year=bool(g("drf_y")))
    if kind == "part_month_fr":
        part = {"début": "early", "mi": "mid", "milieu": "mid"}[g("pmf_p")]
        month = FOREIGN_MONTHS[g("pmf_m")]
        return _part_month(part, month, g("pmf_y"), ref, future, txt, s, e)
    if kind == "part_year_fr":
        return _part_year_fr(g("pyf_p"), g("pyf_y"), ref, txt, s, e)
    if kind == "month_year_fr":
        y, mo = int(g("mf_y")), FOREIGN_MONTHS[g("mf_m")]
        return Mention("window", date(y, mo, 1), _last_day(y, mo), txt, s, e)
    if kind in ("quarter_fr", "half_fr"):
        p = g("qf_n") if kind == "quarter_fr" else g("hf_n")
        n = _FR_ORDINAL[p.replace("è", "e")]
        y_tok = g("qf_y") if kind == "quarter_fr" else g("hf_y")
        make = _quarter if kind == "quarter_fr" else _half
        return make(n, y_tok, ref, txt, s, e)
    if kind == "week_of":
        month, day = _month_no(g("wk_m")), int(g("wk_d"))
        year = int(g("wk_y")) if g("wk_y") else infer_year(month, day, ref, future)
        week = _safe_date(year, month, day)
        if week is None:
            return None
        return Mention(
            "window", week, week + timedelta(days=6), txt, s, e, has_year=bool(g("wk_y"))
        )
    if kind in ("mdy", "dmy"):
        p = "mdy" if kind == "mdy" else "dmy"
        month, day = _month_no(g(f"{p}_m")), int(g(f"{p}_d"))
        if g(f"{p}_m") == "may" and kind == "mdy" and not g("mdy_y") and _may_is_verb(txt):
            return None
        y_tok = g(f"{p}_y")
        year = int(y_tok) if y_tok else infer_year(month, day, ref, future)
        d = _safe_date(year, month, day)
        return Mention("date", d, d, txt, s, e, has_year=bool(y_tok)) if d else None
    if kind in ("day_range", "mday_range"):
        p = "dr" if kind == "day_range" else "mr"
        month, a, b = _month_no(g(f"{p}_m")), int(g(f"{p}_a")), int(g(f"{p}_b"))
        y_tok = g(f"{p}_y")
        year = int(y_tok) if y_tok else infer_year(month, a, ref, future)
        day_a, day_b = _safe_date(year, month, a), _safe_date(year, month, b)
        if day_a is None or day_b is None or day_b <= day_a:
            return None
        return Mention("window", day_a, day_b, txt, s, e, has_year=bool(y_tok))
    if kind == "between_months":
        y1 = int(g("bm_ay")) if g("bm_ay") else None
        y2 = int(g("bm_by")) if g("bm_by") else None
        a, b = _month_no(g("bm_a")), _month_no(g("bm_b"))
        if y1 and not y2:
            # "between June 2031 and March": a later month that is earlier in the year runs
            # into the next year.
            year_a, year_b = y1, y1 if b >= a else y1 + 1
        else:
            year_b = y2 or y1 or infer_year(b, 1, ref, True if future is None else future)
            year_a = y1 or (year_b if a <= b else year_b - 1)
        if (year_a, a) > (year_b, b):
            return None
        return Mention("window", date(year_a, a, 1), _last_day(year_b, b), txt, s, e)
    if kind in ("quarter", "quarter_last", "quarter_short", "half", "half_short"):
        period = _period(kind, g, ref, txt, s, e)
        if period.end is not None and _END_OF.search(m.string, max(0, s - 30), s):
            # "by the end of the third quarter": the period's last day, as "by the end of June".
            return replace(period, kind="date", start=period.end)
        return period
    if kind == "part_month":
        return _part_month(g("pm_p"), _month_no(g("pm_m")), g("pm_y"), ref, future, txt, s, e)
    if kind == "year_end":
        y = int(g("ye_y")) if g("ye_y") else ref.year
        d = date(y, 12, 31)
        return Mention("date", d, d, txt, s, e, has_year=bool(g("ye_y")))
    if kind == "part_year":
        named = g("py_y2") if g("py_y2") and not g("py_y")[0].isdigit() else None
        return _part_year(g("py_p"), named or g("py_y"), ref, txt, s, e)
    if kind == "month_year":
        y, mo = int(g("my_y")), _month_no(g("my_m"))
        return Mention("window", date(y, mo, 1), _last_day(y, mo), txt, s, e)
    if kind == "month_rel":
        y, mo = _year(g("mr_y"), ref) or ref.year, _month_no(g("mr_m"))
        return Mention("window", date(y, mo, 1), _last_day(y, mo), txt, s, e)
    if kind == "month_only":
        french = g("mo_m") not in MONTH_NAMES_EN
        preposition = _PREPOSITION_FR if french else _PREPOSITION
        if not preposition.search(m.string, max(0, s - 12), s):
            return None
        mo = FOREIGN_MONTHS[g("mo_m")] if french else _month_no(g("mo_m"))
        # The release's own month is this year's, whatever the tense ("the June meeting"
        # said on June 24): the window holds the release date.
        y = ref.year if mo == ref.month else infer_year(mo, 15, ref, future)
        return Mention("window", date(y, mo, 1), _last_day(y, mo), txt, s, e, has_year=False)
    if kind == "mid_year":
        if g("mid_y"):  # "around mid-year 2016"
            y = int(g("mid_y"))
            return Mention("window", date(y, 5, 1), date(y, 8, 31), txt, s, e)
        if ref.month > 8:
            return None  # said after the summer: which year's middle is not said
        return Mention("window", date(ref.year, 5, 1), date(ref.year, 8, 31), txt, s, e)
    if kind == "period_end":
        return _period_end(g("pe_w") or "this", g("pe_u") or g("pe_u2"), ref, txt, s, e)
    if kind == "later_this":
        unit = g("lt_u")
        if unit == "this month":
            nxt = ref + timedelta(days=1)
            return Mention("window", nxt, _last_day(ref.year, ref.month), txt, s, e)
        if unit.isdigit() and int(unit) != ref.year:
            return None  # "the remainder of 2021" said in 2022
        if unit in ("this year", "in the year", "the year") or unit.isdigit():
            return Mention("window", ref + timedelta(days=1), date(ref.year, 12, 31), txt, s, e)
        if unit == "this week":
            return Mention(
                "window",
                ref + timedelta(days=1),
                ref + timedelta(days=6 - ref.weekday()),
                txt,
                s,
                e,
            )
        return Mention("date", ref, ref, txt, s, e)
    if kind == "earlier_this":
        return Mention("past_ref", None, None, txt, s, e)
    if kind == "rel_word":
        return _rel_word(g("rw"), ref, txt, s, e)
    if kind == "weekday":
        return _weekday(g("wd"), g("wd_rel"), g("wd_rel2"), ref, future, txt, s, e)
    if kind == "day_n":
        # Only "at / by / on Day N" dates an act; "the Day 80 report" merely names a document.
        if not _DAY_N_LEAD.search(m.string, max(0, s - 12), s):
            return None
        return Mention("day_n", None, None, txt, s, e, amount=int(g("dn")), unit="day")
    if kind == "offset":
        amount = number_value(g("off_n"))
        compound = g("off_lo") in _TENS_VALUE and g("off_n") in _ONES_WORDS
        if compound:
            # "twenty-one days" is one number, not a range from twenty to one.
            amount = _TENS_VALUE[g("off_lo")] + NUMBER_WORDS[g("off_n")]
        if amount is None or amount > 400:
            return None
        words = g("off_u").split()
        unit = _FR_UNITS.get(words[0], words[-1].rstrip("s"))
        if any(w in g("off_u") for w in ("business", "working", "ouvrables")):
            unit = "business_day"
        if amount > _PLAUSIBLE.get(unit, 400):
            return None  # "within 99 years" dates no procedure
        if g("off_fr"):
            return None
        if _AGE.match(m.string, e):
            return None  # "older than six months of age": an age, not a time to wait
        lead = _OFFSET_LEAD.search(m.string, max(0, s - 45), s)
        if lead:
            s = lead.start()
        low_end = number_value(g("off_lo")) if g("off_lo") and not compound else None
        if low_end is not None and not 0 < low_end < amount:
            low_end = None  # "1 to 2" read right, "two to one" or "a to" not a range
        return Mention(
            "offset", None, None, m.string[s:e], s, e, amount=amount, unit=unit,
            amount_lo=low_end,
        )  # fmt: skip
    if kind == "year":
        y = int(g("yr_y"))
        if "fiscal" in txt:
            return Mention("window", None, None, txt, s, e, fiscal=True)
        return Mention("window", date(y, 1, 1), date(y, 12, 31), txt, s, e)
    return None


def _may_is_verb(txt: str) -> bool:
    # "may 5 patients" never reaches here; "may 1" is a date unless followed by plain numbers.
    return False


_END_OF = re.compile(r"\bend of (?:the )?$")


def _period(kind: str, g: Any, ref: date, txt: str, s: int, e: int) -> Mention:
    """A quarter or a half year, in any of its spellings."""
    if kind == "quarter":
        first = _quarter(ORDINALS[g("q_n")], g("q_y"), ref, txt, s, e)
        if g("q_n2") and ORDINALS[g("q_n2")] > ORDINALS[g("q_n")]:
            last = _quarter(ORDINALS[g("q_n2")], g("q_y"), ref, txt, s, e)
            if first.start and last.end and first.start.year == last.end.year:
                return replace(first, end=last.end)
        return first
    if kind == "quarter_last":
        return _quarter(4, g("ql_y"), ref, txt, s, e)
    if kind == "quarter_short":
        return _quarter(int(g("qs_n") or g("qs_n2")), g("qs_y") or g("qs_y2"), ref, txt, s, e)
    if kind == "half":
        return _half(ORDINALS[g("h_n")], g("h_y"), ref, txt, s, e)
    return _half(int(g("hs_n") or g("hs_n2")), g("hs_y") or g("hs_y2"), ref, txt, s, e)


def _quarter(n: int, y_tok: str | None, ref: date, txt: str, s: int, e: int) -> Mention:
    if y_tok and "fiscal" in y_tok:
        return Mention("window", None, None, txt, s, e, fiscal=True)
    year = _year(y_tok, ref)
    has_year = year is not None
    if year is None:
        year = ref.year if (n - 1) * 3 + 3 >= ref.month else ref.year + 1
    start = date(year, (n - 1) * 3 + 1, 1)
    return Mention("window", start, _last_day(year, n * 3), txt, s, e, has_year=has_year)


def _half(n: int, y_tok: str | None, ref: date, txt: str, s: int, e: int) -> Mention:
    if y_tok and "fiscal" in y_tok:
        return Mention("window", None, None, txt, s, e, fiscal=True)
    year = _year(y_tok, ref)
    has_year = year is not None
    if year is None:
        year = ref.year if n * 6 >= ref.month else ref.year + 1
    start = date(year, 1 if n == 1 else 7, 1)
    return Mention(
        "window", start, _last_day(year, 6 if n == 1 else 12), txt, s, e, has_year=has_year
    )


def _part_month(
    part: str,
    month: int,
    y_tok: str | None,
    ref: date,
    future: bool | None,
    txt: str,
    s: int,
    e: int,
) -> Mention:
    year = _year(y_tok, ref) if y_tok else None
    year = year or infer_year(month, 15, ref, future)
    last = _last_day(year, month)
    if part == "early" or "beginning" in part:
        return Mention("window", date(year, month, 1), date(year, month, 10), txt, s, e)
    if part == "mid" or "middle" in part:
        return Mention("window", date(year, month, 11), date(year, month, 20), txt, s, e)
    if part == "late":
        return Mention("window", date(year, month, 21), last, txt, s, e)
    return Mention("date", last, last, txt, s, e)


def _part_year(part: str, y_tok: str | None, ref: date, txt: str, s: int, e: int) -> Mention | None:
    part = part.strip()
    if y_tok and "fiscal" in y_tok:
        return Mention("window", None, None, txt, s, e, fiscal=True)
    year = _year(y_tok, ref)
    if year is None:
        return None
    if part in ("by the end of", "before the end of", "the end of", "end of"):
        d = date(year, 12, 31)
        return Mention("date", d, d, txt, s, e)
    if part == "early" or "beginning" in part or "start" in part:
        return Mention("window", date(year, 1, 1), date(year, 4, 30), txt, s, e)
    if part == "mid" or "middle" in part:
        return Mention("window", date(year, 5, 1), date(year, 8, 31), txt, s, e)
    if part == "around the turn of":
        return Mention("window", date(year - 1, 12, 1), date(year, 1, 31), txt, s, e)
    # late, towards the end of
    return Mention("window", date(year, 9, 1), date(year, 12, 31), txt, s, e)


# French parts of a year, as the English words they stand for ("fin 2022" is late 2022,
# "d'ici la fin de 2022" by its end; "en 2023" and "courant 2023" the whole year).
_FR_PART_OF_YEAR = {
    "d'ici la fin": "by the end of", "d'ici fin": "by the end of",
    "avant la fin": "by the end of", "avant fin": "by the end of",
    "à la fin": "by the end of", "la fin": "by the end of", "fin": "late",
    "début": "early", "mi": "mid", "milieu": "mid",
}  # fmt: skip
_FR_YEAR_WORDS = {
    "l'année": "this year", "cette année": "this year",
    "l'année prochaine": "next year", "l'an prochain": "next year",
}  # fmt: skip


def _part_year_fr(part: str, y_tok: str, ref: date, txt: str, s: int, e: int) -> Mention | None:
    english = _FR_PART_OF_YEAR.get(part)
    year_tok = _FR_YEAR_WORDS.get(y_tok, y_tok)
    if english is not None:
        return _part_year(english, year_tok, ref, txt, s, e)
    year = _year(year_tok, ref)
    if year is None:
        return None
    return Mention("window", date(year, 1, 1), date(year, 12, 31), txt, s, e)


def _rel_word(word: str, ref: date, txt: str, s: int, e: int) -> Mention | None:
    if word in ("today", "this morning", "this afternoon", "this evening", "tonight"):
        return Mention("date", ref, ref, txt, s, e)
    if word == "tomorrow":
        d = ref + timedelta(days=1)
        return Mention("date", d, d, txt, s, e)
    if word == "yesterday":
        d = ref - timedelta(days=1)
        return Mention("date", d, d, txt, s, e)
    if word == "next week":
        start = ref + timedelta(days=7 - ref.weekday())
        return Mention("window", start, start + timedelta(days=6), txt, s, e)
    if word == "next month":
        first = ref.replace(day=1) + relativedelta(months=1)
        return Mention("window", first, _last_day(first.year, first.month), txt, s, e)
    if word == "next year":
        return Mention("window", date(ref.year + 1, 1, 1), date(ref.year + 1, 12, 31), txt, s, e)
    if word == "this year":
        return Mention("window", date(ref.year, 1, 1), date(ref.year, 12, 31), txt, s, e)
    if word in ("this quarter", "the current quarter", "next quarter"):
        q = (ref.month - 1) // 3 + (1 if word == "next quarter" else 0)
        year = ref.year + q // 4
        first = date(year, (q % 4) * 3 + 1, 1)
        return Mention("window", first, _last_day(year, (q % 4) * 3 + 3), txt, s, e)
    if word == "this month":
        return Mention("window", ref.replace(day=1), _last_day(ref.year, ref.month), txt, s, e)
    # last week / last month / last year / this week: context, never a deadline.
    return Mention("past_ref", None, None, txt, s, e)


def _weekday(
    name: str,
    rel: str | None,
    week: str | None,
    ref: date,
    future: bool | None,
    txt: str,
    s: int,
    e: int,
) -> Mention:
    target = WEEKDAYS[name]
    monday = ref - timedelta(days=ref.weekday())
    if week in ("this", "last", "next"):
        shift = {"this": 0, "last": -7, "next": 7}[week]
        d = monday + timedelta(days=target + shift)
        return Mention("date", d, d, txt, s, e)
    delta = target - ref.weekday()
    if rel == "last" or (rel != "next" and future is False):
        if delta > 0:
            delta -= 7
    elif rel == "next":
        delta = delta + 7 if delta <= 0 else delta
    elif delta < 0:
        delta += 7
    d = ref + timedelta(days=delta)
    return Mention("date", d, d, txt, s, e)


def replace_year(d: date, year: int) -> date:
    """The same month and day in another year (29 February becomes the 28th)."""
    return d.replace(year=year, day=min(d.day, calendar.monthrange(year, d.month)[1]))


def add_offset(anchor: date, amount: int, unit: str) -> date:
    """Add an offset: calendar days, business days (Monday to Friday; the text names no
    calendar of closures), weeks, months (clamped to month end) or years."""
    if unit == "day":
        return anchor + timedelta(days=amount)
    if unit == "business_day":
        step = 1 if amount >= 0 else -1
        d, left = anchor, abs(amount)
        while left:
            d += timedelta(days=step)
            if d.weekday() < 5:
                left -= 1
        return d
    if unit == "week":
        return anchor + timedelta(weeks=amount)
    if unit == "month":
        return anchor + relativedelta(months=amount)
    if unit == "year":
        return anchor + relativedelta(years=amount)
    raise ValueError(f"unknown unit {unit!r}")


def parse_full_date(text: str) -> date | None:
    """Read one explicit date with a year (any of our styles, any case), or None."""
    for mention in find(text.lower(), date(2000, 1, 1), kinds=_FULL):
        if mention.has_year:
            return mention.start
    return None
