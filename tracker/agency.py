"""The agency's own word: agency documents stored, their items matched to procedures.

Matching is built for precision: an item that could belong to two procedures, or whose
company is another's, goes to none and is listed (`tracker sources`) with the reason.

1. Only EU procedures are candidates (the same product before the FDA is another procedure).
2. By product name: the item's name (marks and case aside) is a procedure's product or one
   of its names (`[[aliases]]`, names learned from releases). When the item names its
   applicant, a procedure of another company is no candidate ("Pfizer Europe MA EEIG" is
   Pfizer; "Sandoz GmbH" is not AbbVie).
3. By active substance, only when no procedure has the name: a procedure whose product is
   the substance itself or a code name ("ABC-123") with that substance among its names, and
   only when the applicant is named and is the procedure's company. A procedure named by
   another brand is another medicine (Ozempic is not Wegovy, though both are semaglutide).
4. One candidate is a match; several are none ("ambiguous").

The FDA's documents (Federal Register notices, advisory committee pages) are matched the
same way to FDA procedures, with one more rule: the applicant must be named and be the
procedure's company, for a name match too (a brand may be licensed to several companies in
the US, and a notice names its applicant as a rule).

An item read before its procedure existed is matched when a release creates it
(`rematch`, called by the pipeline after each release with EU events).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from tracker.domain import Event, Extraction, RawItem, ReleaseInfo
from tracker.identity import company_core, slug

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.pipeline import Context
    from tracker.sources.ema import Highlights
    from tracker.sources.fda import FdaDocument
    from tracker.store.tables import AgencyItemRow

logger = logging.getLogger(__name__)

EMA_NAME = "European Medicines Agency (CHMP)"
FDA_NAME = "U.S. Food and Drug Administration"
# A document kind's procedures (their region), the agency its events name, and who wrote it.
KINDS: dict[str, tuple[str, str, str]] = {
    "chmp-highlights": ("EU", "EMA", EMA_NAME),
    "federal-register": ("FDA", "FDA", f"{FDA_NAME} (Federal Register)"),
    "fda-adcomm": ("FDA", "FDA", f"{FDA_NAME} (advisory committee calendar)"),
}


@dataclass(frozen=True, slots=True)
class Candidate:
    """An EU procedure and the names it goes by."""

    key: str
    company: str | None
    product: str | None
    names: frozenset[str]  # slugs of its product's names


@dataclass(frozen=True, slots=True)
class Match:
    """Where an item goes: a procedure key, or None with the reason."""

    key: str | None
    reason: str


def product_slug(name: str | None) -> str:
    """A product name compared: case, trade marks, spaces and hyphens aside ("CVB-101",
    "CVB 101" and "cvb101" are one name; "Halventi Duo" is not "Halventi")."""
    return slug(re.sub(r"[®™*©]", "", name or "")).replace("-", "")


def same_company(a: str | None, b: str | None) -> bool:
    """Two names of one company: the words of one's core begin the other's ("Pfizer" and
    "Pfizer Europe MA EEIG", "EpiCept Corporation" and "EpiCept GmbH")."""
    if not a or not b:
        return False
    x, y = company_core(a).split("-"), company_core(b).split("-")
    n = min(len(x), len(y))
    return n > 0 and x[:n] == y[:n] and x[0] not in ("", "unknown")


def _is_code(name: str | None) -> bool:
    return bool(name) and any(ch.isdigit() for ch in name or "")


def match_item(
    product: str,
    substance: str | None,
    applicant: str | None,
    candidates: Iterable[Candidate],
    need_applicant: bool = False,
) -> Match:
    """The procedure an agency item belongs to, or why none (see the module's rules; with
    `need_applicant`, the FDA's: no name match without the applicant)."""
    pool = list(candidates)
    name = product_slug(product)
    by_name = [c for c in pool if name in c.names]
    if by_name:
        if need_applicant and not applicant:
            return Match(None, f"'{product}' is tracked, but the notice names no applicant")
        if need_applicant:
            by_name = [c for c in by_name if same_company(c.company, applicant)]
            if not by_name:
                return Match(None, f"'{product}' is tracked for another company, not {applicant}")
        if applicant:
            theirs = [c for c in by_name if c.company and not same_company(c.company, applicant)]
            by_name = [c for c in by_name if c not in theirs]
            if not by_name:
                return Match(None, f"'{product}' is tracked for another company, not {applicant}")
        if len(by_name) == 1:
            return Match(by_name[0].key, "product name")
        keys = ", ".join(sorted(c.key for c in by_name))
        return Match(None, f"ambiguous: '{product}' names several procedures ({keys})")
    if not substance:
        return Match(None, "no tracked procedure has this product name")
    sub = product_slug(substance)
    by_substance = [
        c
        for c in pool
        if sub in c.names and (product_slug(c.product) == sub or _is_code(c.product))
    ]
    if not by_substance:
        return Match(None, "no tracked procedure has this product name or active substance")
    if not applicant:
        return Match(None, "matched only by active substance, and the applicant is not named")
    mine = [c for c in by_substance if same_company(c.company, applicant)]
    if len(mine) == 1:
        return Match(mine[0].key, "active substance and applicant")
    if not mine:
        return Match(None, f"active substance tracked for another company, not {applicant}")
    keys = ", ".join(sorted(c.key for c in mine))
    return Match(None, f"ambiguous: the active substance names several procedures ({keys})")


def candidates(
    ctx: Context, s: Session, keys: Iterable[str] | None = None, region: str = "EU"
) -> list[Candidate]:
    """Every procedure of a region (or those of `keys`) with its product's names: its own,
    configured `[[aliases]]` and the names the store learned from releases."""
    from tracker.store.agency import procedures_of

    procs = procedures_of(s, keys, region)
    configured = [
        (a.company, {product_slug(n) for n in (a.product, *a.names) if n})
        for a in getattr(ctx.settings, "aliases", ()) or ()
        if a.product
    ]
    learned = _learned_aliases(s)
    out = []
    for key, company, product in procs:
        own = product_slug(product) if product else None
        names = {own} if own and own != "unknown" else set()
        if own:
            for owner, group in configured:
                if own in group and (owner is None or same_company(owner, company)):
                    names |= group
            names |= learned.get((slug(company), own), set())
        out.append(Candidate(key, company, product, frozenset(n for n in names if n)))
    return out


def _learned_aliases(s: Session) -> dict[tuple[str, str], set[str]]:
    """Names the store learned for products (`procedure_alias`), by (company slug, product
    slug)."""
    from sqlmodel import select

    from tracker.store.tables import ProcedureAliasRow

    out: dict[tuple[str, str], set[str]] = {}
    rows = s.exec(
        select(ProcedureAliasRow.scope, ProcedureAliasRow.alias, ProcedureAliasRow.target).where(
            ProcedureAliasRow.kind == "product"
        )
    ).all()
    for scope, alias, target in rows:
        out.setdefault((scope, product_slug(target)), set()).add(alias.replace("-", ""))
    return out


def ingest_highlights(
    ctx: Context, item: RawItem, doc: Highlights, now: datetime, session: Any = None
) -> str:
    """Store a highlights page (one release of the agency, one transaction) and attach its
    items to their procedures; returns new, duplicate, unchanged or changed."""
    items = [
        {
            "type": i.type,
            "outcome": i.outcome,
            "product": i.product,
            "substance": i.substance,
            "applicant": i.applicant,
            "date": doc.end,
            "evidence": i.evidence,
        }
        for i in doc.items
    ]
    read = _Read("chmp-highlights", doc.title, doc.start, doc.end, doc.published, doc.digest())
    return _stored(ctx, item, read, items, now, session)


def ingest_document(
    ctx: Context, item: RawItem, doc: FdaDocument, now: datetime, session: Any = None
) -> str:
    """Store an FDA document (a Federal Register notice, an advisory committee meeting page)
    and attach its items to FDA procedures; returns what `ingest_highlights` does."""
    items = [
        {
            "type": i.type,
            "outcome": i.outcome,
            "product": i.product,
            "substance": i.substance,
            "applicant": i.applicant,
            "date": i.date,
            "evidence": i.evidence,
        }
        for i in doc.items
    ]
    day = doc.published or doc.end or (doc.items[0].date if doc.items else None)
    read = _Read(doc.kind, doc.title, doc.start, doc.end, day, doc.digest())
    return _stored(ctx, item, read, items, now, session)


@dataclass(frozen=True, slots=True)
class _Read:
    """What every agency document gives the store."""

    kind: str
    title: str
    start: date | None
    end: date | None
    published: date | None
    digest: str


def _stored(
    ctx: Context,
    item: RawItem,
    read: _Read,
    items: list[dict[str, Any]],
    now: datetime,
    session: Any,
) -> str:
    if session is not None:
        return _ingest(ctx, item, read, items, now, session)
    with ctx.store.session() as s:
        return _ingest(ctx, item, read, items, now, s)


def _ingest(
    ctx: Context,
    item: RawItem,
    read: _Read,
    items: list[dict[str, Any]],
    now: datetime,
    s: Session,
) -> str:
    from tracker.pipeline import ingest_extraction
    from tracker.store import agency as store
    from tracker.store import clean
    from tracker.store.releases import Reading

    author = KINDS[read.kind][2]
    x = Extraction(
        source=item.url or item.name,
        release=ReleaseInfo(read.published or read.end, author, None, read.title[:500]),
        events=(),
        timelines=(),
        text_sha256=read.digest,
    )
    outcome = ingest_extraction(ctx, Reading(x, *clean.sighting(item)), now, session=s)
    release_id = store.release_id_of(s, read.digest) or store.sighted_release(
        s, clean.source_id(item.source_id), clean.external_id(item.external_id)
    )
    if release_id is None:  # the same address read through another source: stored there
        return outcome
    if outcome in ("new", "changed") or store.document_of(s, release_id) is None:
        rows = [
            {
                **i,
                "product": i["product"][:300],
                "substance": (i["substance"] or "")[:300] or None,
                "applicant": (i["applicant"] or "")[:300] or None,
            }
            for i in items
        ]
        values = {
            "source_id": item.source_id[:200],
            "kind": read.kind,
            "ref": store.release_ref(s, release_id),
            "title": read.title[:500],
            "start": read.start,
            "end": read.end,
        }
        store.save_document(s, release_id, values, rows, now)
        attach(ctx, s, now, rederive_all=read.kind == "chmp-highlights")
    return outcome


def attach(
    ctx: Context,
    s: Session,
    now: datetime,
    rederive_all: bool = False,
    new: Iterable[str] | None = None,
) -> int:
    """Match every pending agency item, store the matched ones as the procedure's events and
    re-derive what changed (every EU procedure when a new meeting's highlights were read:
    its silence counts for them all). With `new` (procedures a release just touched), only
    items that name one of them are tried again, each still against every procedure (a
    match among a few could be ambiguous among all). Returns the items attached."""
    from tracker.pipeline import local_today
    from tracker.rules.engine import derive
    from tracker.store import agency as store
    from tracker.store.tables import EventRow

    pending = store.pending_items(s)
    if new is not None and pending:
        new = list(new)
        names = {n for r in ("EU", "FDA") for c in candidates(ctx, s, new, r) for n in c.names}
        pending = [
            (row, doc)
            for row, doc in pending
            if product_slug(row.product) in names or product_slug(row.substance) in names
        ]
    pools: dict[str, list[Candidate]] = {}
    touched: set[str] = set()
    for row, doc in pending:
        region, agency, _author = KINDS.get(doc.kind, KINDS["chmp-highlights"])
        if region not in pools:
            pools[region] = candidates(ctx, s, region=region)
        m = match_item(
            row.product, row.substance, row.applicant, pools[region], need_applicant=region != "EU"
        )
        row.reason = m.reason
        if m.key is not None:
            row.procedure_key = m.key
            for ev in events_of(row, agency):
                s.add(
                    EventRow(
                        procedure_key=m.key,
                        release_id=doc.release_id,
                        type=ev.type,
                        agency=ev.agency,
                        outcome=ev.outcome,
                        product=ev.product,
                        date=ev.date,
                        evidence=ev.evidence,
                        sentence=row.position,
                    )
                )
            touched.add(m.key)
        s.add(row)
    s.flush()
    keys = sorted(touched | ({c.key for c in candidates(ctx, s)} if rederive_all else set()))
    today = local_today(ctx.settings, now)
    for key in keys:
        state = ctx.store.procedure_state(key, s)
        ctx.store.reconcile(state.procedure, derive(state, ctx.packs, today), now, s)
    if touched:
        logger.info("agency items attached to %d procedures", len(touched))
    return len(touched)


def events_of(row: AgencyItemRow, agency: str = "EMA") -> list[Event]:
    """The events an item is: a positive opinion after re-examination is both the outcome
    and an opinion (CONTRACT.md)."""
    base = Event(row.type, agency, row.outcome, row.product, row.date, row.evidence)
    if row.type == "reexamination_outcome" and row.outcome == "positive":
        return [base, Event("opinion", "EMA", "positive", row.product, row.date, row.evidence)]
    return [base]


def rematch(ctx: Context, procedure_keys: Iterable[str], now: datetime, session: Any) -> None:
    """After a release touched EU or FDA procedures: attach agency items waiting for them,
    and give the EU ones what the highlights read so far say (their silence; the FDA's
    documents publish no meetings). Nothing without documents."""
    from tracker.store import agency as store

    keys = [k for k in procedure_keys if k.endswith(("/eu", "/fda"))]
    if not keys:
        return

    def run(s: Session) -> None:
        if not store.has_documents(s):
            return
        attach(ctx, s, now, new=keys)
        from tracker.pipeline import local_today
        from tracker.rules.engine import derive

        today = local_today(ctx.settings, now)
        for key in keys:
            if not key.endswith("/eu"):
                continue
            state = ctx.store.procedure_state(key, s)
            ctx.store.reconcile(state.procedure, derive(state, ctx.packs, today), now, s)

    if session is not None:
        run(session)
    else:
        with ctx.store.session() as s:
            run(s)
