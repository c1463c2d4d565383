"""Identity: procedure keys, slugs and regions, decided once and never changed. Pure."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from tracker.domain import Alias, Procedure

# The agencies whose procedures each region groups (the EU procedure spans EMA and the Commission).
REGION = {"EMA": "EU", "EC": "EU"}


def region_of(agency: str) -> str:
    """The procedure region of an agency code."""
    return REGION.get(agency, agency)


_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def agencies_of(region: str) -> set[str]:
    """The agency codes a region groups."""
    return {a for a, r in REGION.items() if r == region} or {region}


@lru_cache(maxsize=8192)
def slug(text: str | None) -> str:
    """A lower-case, dash-separated identifier fragment (pure, so its answers are kept)."""
    s = _NOT_SLUG.sub("-", (text or "unknown").lower()).strip("-")
    return s or "unknown"


def procedure_for(company: str | None, product: str | None, agency: str) -> Procedure:
    """The procedure of a product before an agency's region."""
    region = region_of(agency)
    key = f"{slug(company)}/{slug(product)}/{region.lower()}"
    return Procedure(key, company, product, region)


# --- names: aliases, merges ------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    """A word list written as words."""
    return frozenset(text.split())


# Legal-form (and group) words a company's core name goes without: "Pharming Group N.V." and
# "Pharming" are one company.
_LEGAL_WORDS = _words(
    "inc incorporated corporation corp plc p.l.c ltd limited llc gmbh ag a/s as asa"
    " ab oyj nv n.v bv b.v sa s.a spa s.p.a se co kk k.k holding holdings group"
)
_REDIRECT_HOPS = 20  # merges chain (B into A, A into C); a loop would be a bug, never a hang


def company_core(name: str | None) -> str:
    """The slug of a company's name without its legal form ("pharming" for "Pharming Group
    N.V."): the name a release uses when it names the company short."""
    words = (name or "").replace(",", " ").split()
    while len(words) > 1 and words[-1].lower().rstrip(".") in _LEGAL_WORDS:
        words.pop()
    return slug(" ".join(words))


@dataclass(frozen=True, slots=True)
class AliasGroup:
    """Names configured as one (`[[aliases]]`): a product's names (of one company, or of any
    when `company` is None), or, without a product, a company's."""

    company: str | None
    product: str | None
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Known:
    """What the store knows of the names a release gives (only those names are looked up)."""

    # slug of a company's name, short name or core -> the company's name
    companies: Mapping[str, str] = field(default_factory=dict)
    # (company slug, slug of a product name or alias) -> the product's name
    products: Mapping[tuple[str, str], str] = field(default_factory=dict)
    # slug of a product name or alias -> the companies that have such a product
    owners: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # a merged procedure's key -> the key it was merged into
    redirects: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NameRow:
    """One name to remember: `alias` (a slug) stands for `target` (a company or a product of
    the company `scope`, a slug; "" for companies)."""

    kind: str  # "company" or "product"
    scope: str
    alias: str
    name: str  # the alias as written
    target: str


@dataclass(frozen=True, slots=True)
class Names:
    """What a release's names resolve to, and the names to remember from it."""

    company: str | None
    product: str | None
    learned: tuple[NameRow, ...] = ()


@dataclass(frozen=True, slots=True)
class Naming:
    """How releases' names map to procedures: the configured alias groups and what the store
    knows. Pure: the store fills `known` with the few names a release gives."""

    groups: tuple[AliasGroup, ...] = ()
    known: Known = field(default_factory=Known)

    def wanted(
        self, company: str | None, product: str | None, aliases: Iterable[Alias]
    ) -> tuple[set[str], set[str]]:
        """The company and product slugs worth looking up for a release."""
        aliases = list(aliases)
        companies = {s for c in self._company_names(company, aliases) for s in _slugs(c)}
        products = {slug(p) for p in self._product_names(None, product, aliases)}
        return companies, products

    def resolve(self, company: str | None, product: str | None, aliases: Iterable[Alias]) -> Names:
        """The company and product a release's names stand for (a known name first, then a
        configured one, then the release's own), with the names to remember."""
        aliases = list(aliases)
        resolved = self._company(company, aliases)
        if resolved is None and product is not None:
            resolved = self._owner(product, aliases)
        scope = slug(resolved)
        named = self._product(resolved, product, aliases)
        return Names(
            resolved, named, tuple(self._learned(company, resolved, scope, named, aliases))
        )

    def procedure(self, company: str | None, product: str | None, agency: str) -> Procedure:
        """The procedure of a product before an agency's region, merges followed."""
        p = procedure_for(company, product, agency)
        key = self.key(p.key)
        return p if key == p.key else Procedure(key, company, product, p.agency)

    def key(self, key: str) -> str:
        """A procedure key with merges followed (B merged into A is A)."""
        for _ in range(_REDIRECT_HOPS):
            if key not in self.known.redirects:
                break
            key = self.known.redirects[key]
        return key

    # companies

    def _company_names(self, company: str | None, aliases: list[Alias]) -> list[str]:
        """The company's names: its own, those the release gives it, configured ones."""
        if company is None:
            return []
        names = [company]
        mine = set(_slugs(company))
        for a in aliases:
            if a.kind == "company" and (set(_slugs(a.name)) | set(_slugs(a.alias))) & mine:
                names += [a.name, a.alias]
        for g in self.groups:
            if g.product is None and g.company and _meets(names, [g.company, *g.names]):
                names += [g.company, *g.names]
        return list(dict.fromkeys(names))

    def _company(self, company: str | None, aliases: list[Alias]) -> str | None:
        names = self._company_names(company, aliases)
        for name in names:
            for s in _slugs(name):
                if s in self.known.companies:
                    return self.known.companies[s]
        configured = [
            g.company
            for g in self.groups
            if g.product is None and g.company and _meets(names, [g.company, *g.names])
        ]
        return configured[0] if configured else company

    def _owner(self, product: str, aliases: list[Alias]) -> str | None:
        """The company of a release that names none: the one company that has its product
        (configured, or known)."""
        names = self._product_names(None, product, aliases)
        configured = {
            g.company for g in self.groups if g.company and g.product and _meets(names, _all(g))
        }
        if len(configured) == 1:
            return configured.pop()
        owners = {o for n in names for o in self.known.owners.get(slug(n), ())}
        return owners.pop() if len(owners) == 1 else None

    # products

    def _product_names(
        self, company: str | None, product: str | None, aliases: list[Alias]
    ) -> list[str]:
        if product is None:
            return []
        names = [product]
        for a in aliases:
            if a.kind == "product" and slug(product) in (slug(a.name), slug(a.alias)):
                names += [a.name, a.alias]
        for g in self._product_groups(company, names):
            names += _all(g)
        return list(dict.fromkeys(names))

    def _product_groups(self, company: str | None, names: list[str]) -> list[AliasGroup]:
        return [
            g
            for g in self.groups
            if g.product
            and (company is None or g.company is None or _same_company(g.company, company))
            and _meets(names, _all(g))
        ]

    def _product(
        self, company: str | None, product: str | None, aliases: list[Alias]
    ) -> str | None:
        names = self._product_names(company, product, aliases)
        scope = slug(company)
        for name in names:
            hit = self.known.products.get((scope, slug(name)))
            if hit is not None:
                return hit
        configured = self._product_groups(company, names)
        return configured[0].product if configured else product

    # what to remember

    def _learned(
        self,
        given: str | None,
        company: str | None,
        scope: str,
        product: str | None,
        aliases: list[Alias],
    ) -> list[NameRow]:
        rows: list[NameRow] = []
        if company is not None:
            for s in _slugs(company):
                rows.append(NameRow("company", "", s, company, company))
            mine = set(_slugs(company)) | set(_slugs(given))
            for a in aliases:
                if a.kind != "company":
                    continue
                target = company if set(_slugs(a.name)) & mine else a.name
                rows.append(NameRow("company", "", slug(a.alias), a.alias, target))
                if target != a.name:
                    rows.append(NameRow("company", "", slug(a.name), a.name, target))
        if product is not None:
            for name in [product, *self._product_names(None, product, aliases)]:
                rows.append(NameRow("product", scope, slug(name), name, product))
        for a in aliases:
            if a.kind == "product" and slug(a.name) != slug(product):
                # Another product the release names with an alias: kept for its company too.
                rows.append(NameRow("product", scope, slug(a.alias), a.alias, a.name))
        unique: dict[tuple[str, str, str], NameRow] = {}
        for r in rows:
            if r.alias != "unknown":
                unique.setdefault((r.kind, r.scope, r.alias), r)
        return list(unique.values())


def _slugs(name: str | None) -> list[str]:
    """A company name's slug and its core (the same when it has no legal form)."""
    if not name:
        return []
    return list(dict.fromkeys([slug(name), company_core(name)]))


def _all(g: AliasGroup) -> list[str]:
    return [n for n in (g.product, *g.names) if n]


def _meets(names: Iterable[str], others: Iterable[str]) -> bool:
    mine = {slug(n) for n in names} | {company_core(n) for n in names}
    return any(slug(o) in mine or company_core(o) in mine for o in others)


def _same_company(a: str, b: str) -> bool:
    return bool(set(_slugs(a)) & set(_slugs(b)))
