"""Agency documents and their items: what EMA's CHMP highlights and the FDA's notices said,
which procedure each item went to (or why none), and the agency's word marked as such when
a procedure is read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from tracker.domain import ProcedureState
from tracker.store.tables import AgencyDocumentRow, AgencyItemRow, ProcedureRow, ReleaseRow

_DOC = AgencyDocumentRow.__table__  # type: ignore[attr-defined]
_REL = ReleaseRow.__table__  # type: ignore[attr-defined]
_ANY_DOCUMENT = sa_select(AgencyDocumentRow.__table__.c.id).limit(1)  # type: ignore[attr-defined]
_REFS = sa_select(_DOC.c.ref).where(_DOC.c.ref.in_(bindparam("refs", expanding=True)))
_HIGHLIGHTS = "chmp-highlights"
_PUBLISHED = (
    sa_select(_DOC.c.start, _DOC.c.end, _DOC.c.ref)
    .where(_DOC.c.kind == _HIGHLIGHTS, _DOC.c.start.is_not(None))
    .order_by(_DOC.c.end, _DOC.c.ref)
)
# The meetings read, and the document a release is if it is one (its ref), in one query.
_WORD = (
    sa_select(_DOC.c.ref, _DOC.c.start, _DOC.c.end, _DOC.c.kind)
    .where(
        ((_DOC.c.kind == _HIGHLIGHTS) & _DOC.c.start.is_not(None))
        | (_DOC.c.ref == bindparam("ref"))
    )
    .order_by(_DOC.c.end, _DOC.c.ref)
)


@dataclass(frozen=True, slots=True)
class Unmatched:
    """An agency item no procedure took, with the reason (for `tracker sources`)."""

    source_id: str
    document: str
    title: str
    type: str
    outcome: str | None
    product: str
    substance: str | None
    applicant: str | None
    reason: str


def agency_refs(conn: Any, refs: Iterable[str]) -> set[str]:
    """Which of these releases (by their refs) are agency documents."""
    wanted = sorted(set(refs))
    out: set[str] = set()
    for i in range(0, len(wanted), 500):
        out.update(r.ref for r in conn.execute(_REFS, {"refs": wanted[i : i + 500]}))
    return out


def published(conn: Any) -> tuple[tuple[date, date, str], ...]:
    """The meetings whose CHMP highlights were read: (first day, last day, document)."""
    return tuple((r.start, r.end, r.ref) for r in conn.execute(_PUBLISHED))


def agency_word(conn: Any, ref: str) -> tuple[tuple[tuple[date, date, str], ...], bool]:
    """`published`, and whether the release `ref` is an agency document, in one query."""
    rows = conn.execute(_WORD, {"ref": ref}).all()
    meetings = tuple(
        (r.start, r.end, r.ref) for r in rows if r.kind == _HIGHLIGHTS and r.start is not None
    )
    return meetings, any(r.ref == ref for r in rows)


def annotated(
    meetings: tuple[tuple[date, date, str], ...], state: ProcedureState, agency: set[str]
) -> ProcedureState:
    """The state with the meetings whose highlights were read (`published`), and the events
    an agency document told (`agency`: their refs) marked `kind` "agency" (a new state then;
    the same one otherwise)."""
    state.published = meetings
    # Not `not meetings`: the FDA's documents publish no meetings, yet their events are the
    # agency's word (issue 16, the Federal Register source).
    if not agency:
        return state
    from dataclasses import replace

    events = [replace(s, kind="agency") if s.release_ref in agency else s for s in state.events]
    return ProcedureState(state.procedure, events, state.timelines, state.facts, published=meetings)


def has_documents(s: Session) -> bool:
    """True once any agency document was read."""
    return s.connection().execute(_ANY_DOCUMENT).first() is not None


def release_id_of(s: Session, sha256: str) -> int | None:
    """The release stored with this text hash."""
    return s.exec(select(ReleaseRow.id).where(ReleaseRow.sha256 == sha256)).first()


def sighted_release(s: Session, source_id: str, external_id: str) -> int | None:
    """The release a source's item was stored as."""
    from tracker.store.tables import SightingRow

    return s.exec(
        select(SightingRow.release_id).where(
            SightingRow.source_id == source_id, SightingRow.external_id == external_id
        )
    ).first()


def release_ref(s: Session, release_id: int) -> str:
    """How events of a release name it (its address, else its name), as the store does."""
    ref = s.execute(
        sa_select(func.coalesce(_REL.c.url, _REL.c.name)).where(_REL.c.id == release_id)
    ).scalar_one()
    return str(ref)


def document_of(s: Session, release_id: int) -> AgencyDocumentRow | None:
    """The agency document stored for a release."""
    return s.exec(
        select(AgencyDocumentRow).where(AgencyDocumentRow.release_id == release_id)
    ).first()


def save_document(
    s: Session,
    release_id: int,
    values: dict[str, Any],
    items: Iterable[dict[str, Any]],
    now: datetime,
) -> AgencyDocumentRow:
    """Store (or replace, for a corrected page) a document and its items, all unmatched."""
    doc = document_of(s, release_id)
    if doc is None:
        doc = AgencyDocumentRow(release_id=release_id, read_at=now, **values)
    else:
        for old in s.exec(select(AgencyItemRow).where(AgencyItemRow.document_id == doc.id)):
            s.delete(old)
        for k, v in values.items():
            setattr(doc, k, v)
        doc.read_at = now
    s.add(doc)
    s.flush()
    assert doc.id is not None
    for i, item in enumerate(items):
        s.add(AgencyItemRow(document_id=doc.id, position=i, **item))
    s.flush()
    return doc


def pending_items(s: Session) -> list[tuple[AgencyItemRow, AgencyDocumentRow]]:
    """Items not yet attached to a procedure, with their documents, oldest first."""
    rows = s.exec(
        select(AgencyItemRow, AgencyDocumentRow)
        .join(AgencyDocumentRow, col(AgencyItemRow.document_id) == col(AgencyDocumentRow.id))
        .where(col(AgencyItemRow.procedure_key).is_(None))
        .order_by(col(AgencyItemRow.document_id), col(AgencyItemRow.position))
    ).all()
    return [(i, d) for i, d in rows]


def procedures_of(
    s: Session, keys: Iterable[str] | None = None, region: str = "EU"
) -> list[tuple[str, str | None, str | None]]:
    """Every procedure of a region ("EU", "FDA"), or those of `keys`: key, company, product."""
    q = select(ProcedureRow.key, ProcedureRow.company, ProcedureRow.product).where(
        ProcedureRow.agency == region
    )
    if keys is not None:
        q = q.where(col(ProcedureRow.key).in_(sorted(set(keys))))
    rows = s.exec(q).all()
    return [(k, c, p) for k, c, p in rows]


def unmatched(session: Session) -> list[Unmatched]:
    """Agency items no procedure took, newest document first (undated documents last),
    in the same order on every database."""
    rows = session.exec(
        select(AgencyItemRow, AgencyDocumentRow)
        .join(AgencyDocumentRow, col(AgencyItemRow.document_id) == col(AgencyDocumentRow.id))
        .where(col(AgencyItemRow.procedure_key).is_(None))
        # NULLS LAST spelled out: SQLite and PostgreSQL put NULLs at opposite ends of a
        # descending sort; the document's id keeps two documents of one day apart.
        .order_by(
            col(AgencyDocumentRow.end).desc().nulls_last(),
            col(AgencyDocumentRow.id).desc(),
            col(AgencyItemRow.position),
        )
    ).all()
    return [
        Unmatched(
            d.source_id,
            d.ref,
            d.title,
            i.type,
            i.outcome,
            i.product,
            i.substance,
            i.applicant,
            i.reason or "no tracked procedure",
        )
        for i, d in rows
    ]


def meeting_of(s: Session, release_id: int) -> tuple[date | None, date | None]:
    """The first and last day of the meeting a document reports."""
    doc = document_of(s, release_id)
    return (doc.start, doc.end) if doc else (None, None)
