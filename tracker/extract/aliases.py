"""Other names a release gives a company or a product: a former name ("Ruconest (formerly
Rhucin)", "Ruconest (Rhucin)"), "also known as", a code name given with a brand ("Ruconest
(ABC-123)"), a company's quoted short name ('Pharming Group N.V. ("Pharming")'); and the
short name a release opens with after its dateline ("-- Pharming announced today").

Pure: text in, `Alias` values out. The phrasings are the `[[alias]]` rows of the lexicon;
this module only decides where each name begins and ends, from the capitals of the original
text (the rows run over lower-cased text, as every lexicon row does).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from tracker.domain import Alias, Sentence
from tracker.extract.lexicon import LEXICON, Row

_ROWS: list[Row] = LEXICON.rows.get("alias", [])
_READ = [r for r in _ROWS if r.name not in ("lead", "not_a_name")]
_LEAD = [r for r in _ROWS if r.name == "lead"]
_NOT_A_NAME = [r for r in _ROWS if r.name == "not_a_name"]
_BARE = frozenset(r.id for r in _ROWS if r.name == "paren")


def _words(text: str) -> frozenset[str]:
    """A word list written as words."""
    return frozenset(text.split())


# Legal forms a company name may end with; a run of words holding one names a company.
_LEGAL_FORMS = _words(
    "inc inc. incorporated corporation corp corp. plc p.l.c. ltd ltd. limited llc"
    " gmbh ag a/s as asa ab oyj n.v. nv b.v. bv s.a. sa s.p.a. spa se co. holding"
    " holdings"
)
# Words a company's name ends with that are no product's name.
_COMPANY_WORDS = _words(
    "group company pharma pharmaceuticals therapeutics biosciences biotech biologics"
    " biopharma laboratories labs sciences oncology medical health"
)
_CONNECTORS = frozenset(["&", "of", "de", "and"])
_MARKS = "®™©*"
_BRAND = re.compile(r"[A-Z][a-z][A-Za-z-]{1,38}")
# A code name: letters and digits with a capital and a digit ("ABC-123", "rhC1INH").
_CODE = re.compile(r"(?=[^\s]*[A-Z])(?=[^\s]*\d)[A-Za-z][A-Za-z0-9-]{2,19}")
_MAX_COMPANY_WORDS = 6


def read(sents: Sequence[Sentence], company: str | None = None) -> tuple[Alias, ...]:
    """Every alias the sentences state, in order, each pair once. `company` (the issuer, when
    known) tells a company's other name from a product's."""
    out: dict[tuple[str, str, str], Alias] = {}
    for s in sents:
        for a in read_sentence(s.text, company):
            out.setdefault((a.kind, a.name.lower(), a.alias.lower()), a)
    return tuple(out.values())


def read_sentence(text: str, company: str | None = None) -> list[Alias]:
    """The aliases one sentence states."""
    low = text.lower()
    if len(low) != len(text) or ("(" not in text and not _any_needle(low)):
        return []  # (a lower-casing that changes lengths would misplace the names)
    found: list[Alias] = []
    for row in _READ:
        for m in row.finditer(low):
            a = _alias_of(row, m, text, company)
            if a is not None:
                found.append(a)
    return found


def _any_needle(low: str) -> bool:
    return any(r.needles is None or any(n in low for n in r.needles) for r in _READ)


def lead_name(head: str) -> str | None:
    """The company a release opens with right after its dateline ("LEIDEN, June 10, 2024 --
    Pharming announced today ..."), when it names itself without a ticker or a legal form."""
    low = head.lower()
    if len(low) != len(head):
        return None
    for row in _LEAD:
        for m in row.finditer(low):
            words = head[m.start("name") : m.end("name")].split()
            if (
                words
                and all(_company_word(w) for w in words)
                and _plausible(words[0])
                and not any(LEXICON.agencies_in(w.lower()) for w in words)
            ):
                return " ".join(words)
    return None


def current_names(found: Iterable[Alias]) -> dict[str, str]:
    """Each product's other names (lower-cased) to the name the release gives it."""
    return {a.alias.lower(): a.name for a in found if a.kind == "product"}


def product_names(found: Iterable[Alias], worded: bool = True) -> list[str]:
    """The products the aliases name, in order (the names the release goes by): those whose
    alias is worded ("formerly", "also known as", "code name"), or (`worded=False`) those
    given only a name in parentheses ("Ruconest (Rhucin)"), a weaker sign."""
    return list(
        dict.fromkeys(
            a.name for a in found if a.kind == "product" and (a.why not in _BARE) == worded
        )
    )


# --- one match ---------------------------------------------------------------------------


def _alias_of(row: Row, m: re.Match[str], text: str, company: str | None) -> Alias | None:
    groups = m.groupdict()
    span = next((g for g in ("alias", "alias2") if groups.get(g) is not None), None)
    if row.name == "renamed":
        before = _words_before(text, m.start())
        after = _first_token(text[m.start("name") : m.end("name")])
        if not before or after is None:
            return None
        return _product(before[-1], after, "former", row.id)
    if span is None:
        return None
    words = _words_before(text, m.start())
    other = text[m.start(span) : m.end(span)]
    if row.name == "short":
        return _company(words, other, "short", row.id, company)
    if _names_company(words, company):
        return _company(
            words, other, "former" if row.name == "paren" else row.name, row.id, company
        )
    if not words:
        return None
    alias = _first_token(other)
    if alias is None or (row.name == "paren" and len(other.split()) != 1):
        return None
    relation = row.name
    if row.name == "paren":
        relation = "code" if _CODE.fullmatch(alias) else "former"
    return _product(alias, words[-1], relation, row.id)


def _product(alias: str, name: str, relation: str, why: str) -> Alias | None:
    """Two names of one product; the brand is the name, a code name the alias."""
    name, alias = _bare(name), _bare(alias)
    if _CODE.fullmatch(name) and _BRAND.fullmatch(alias):
        name, alias, relation = alias, name, "code"
    if not _BRAND.fullmatch(name) or not (_BRAND.fullmatch(alias) or _CODE.fullmatch(alias)):
        return None
    if name.lower() == alias.lower() or not (_plausible(name) and _plausible(alias)):
        return None
    if _CODE.fullmatch(alias) and relation == "former":
        relation = "code"
    return Alias("product", name, alias, relation, why)


def _company(
    words: list[str], other: str, relation: str, why: str, issuer: str | None
) -> Alias | None:
    """Two names of one company: the run before the words, and the one they give."""
    name = " ".join(words).strip(" ,")
    short = " ".join(_company_run(other.split())).strip(" ,")
    if short.endswith(".") and short.split()[-1].lower() not in _LEGAL_FORMS:
        short = short[:-1]
    if not name or not short or name.lower() == short.lower():
        return None
    if not _plausible(short.split()[0]) or LEXICON.agencies_in(short.lower()):
        return None
    return Alias("company", name, short, relation, why)


def _names_company(words: list[str], issuer: str | None) -> bool:
    """Whether a run of words before an alias is a company's name: it ends with a legal
    form, or it is the issuer."""
    if not words:
        return False
    if any(w.strip(",").lower() in _LEGAL_FORMS for w in words[1:]):
        return True
    if len(words) > 1 and words[-1].lower() in _COMPANY_WORDS:
        return True  # "The Pharming Group (Pharming)"
    return issuer is not None and " ".join(words).strip(" ,").lower() == issuer.lower()


# --- words -------------------------------------------------------------------------------


def _words_before(text: str, end: int) -> list[str]:
    """The run of capitalised words ending at `end` (a company's name may hold connectors,
    legal forms and a comma before its legal form: "Oriole Therapeutics, Inc.")."""
    words = text[:end].split()[-(_MAX_COMPANY_WORDS + 2) :]
    picked: list[str] = []
    for w in reversed(words):
        if len(picked) >= _MAX_COMPANY_WORDS or w.endswith(("--", "/", ":", ";", ".\u201d")):
            break
        if w.endswith(",") and not (picked and picked[-1].lower() in _LEGAL_FORMS):
            break  # "In Europe, Ruconest": the name starts after the comma
        bare = w.strip(",")
        if picked and bare.lower() in _CONNECTORS:
            picked.append(w)
            continue
        if not _company_word(bare) or not (bare.lower() in _LEGAL_FORMS or _plausible(bare)):
            break
        picked.append(w if picked else bare)
    while picked and picked[-1].strip(",").lower() in _CONNECTORS:
        picked.pop()
    return list(reversed(picked))


def _company_run(words: list[str]) -> list[str]:
    picked: list[str] = []
    for w in words[:_MAX_COMPANY_WORDS]:
        bare = w.strip(",")
        if not (_company_word(bare) or (picked and bare.lower() in _CONNECTORS)):
            break
        picked.append(w)
        if w.endswith(",") and bare.lower() in _LEGAL_FORMS:
            break
    return picked


def _company_word(w: str) -> bool:
    bare = w.strip(_MARKS + ",")
    return bool(bare) and (
        bare[:1].isupper() or bare.lower() in _LEGAL_FORMS or bool(_CODE.fullmatch(bare))
    )


def _first_token(span: str) -> str | None:
    words = span.split()
    if not words:
        return None
    token = words[0].strip(_MARKS + ".,;:")
    return token or None


def _bare(name: str) -> str:
    return name.strip(_MARKS + ".,;:'’\"“”")


def _plausible(word: str) -> bool:
    """Not a capitalised word that is never a name (a month, an exchange, "The"), nor an
    agency or a country."""
    low = _bare(word).lower()
    if not low or any(r.search(low) for r in _NOT_A_NAME):
        return False
    return not LEXICON.agencies_in(low) and not LEXICON.country_mentions(low)
