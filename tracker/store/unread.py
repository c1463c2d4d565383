"""Releases stored unread: written in a language the reader does not read, so only their date
was taken. Kept so that `tracker sources` shows them where people look, not only the log."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, and_, col, select

from tracker.domain import RawItem
from tracker.store.tables import SightingRow, UnreadReleaseRow

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Unread:
    """A release stored unread, for `tracker sources`."""

    source_id: str
    external_id: str
    name: str
    language: str
    at: datetime
    release_id: int | None = None  # the stored release, for the dashboard's link


def record_unread(
    store: Any, item: RawItem, language: str, now: datetime, session: Session | None = None
) -> None:
    """Note a release stored unread (once per item), and warn in the log."""
    from tracker.sources.folder import printable
    from tracker.store import clean

    source_id, external_id = clean.source_id(item.source_id), clean.external_id(item.external_id)
    name = printable(item.name)[:1000]
    logger.warning(
        "source %s: %s is in language '%s', which the reader does not read: only its date "
        "was taken",
        source_id,
        name,
        language,
    )

    def add(s: Session) -> None:
        known = s.exec(
            select(UnreadReleaseRow.id).where(
                UnreadReleaseRow.source_id == source_id,
                UnreadReleaseRow.external_id == external_id,
            )
        ).first()
        if known is None:
            s.add(UnreadReleaseRow(source_id=source_id, external_id=external_id, name=name,
                                   language=language[:20], at=now))  # fmt: skip

    if session is not None:
        add(session)
    else:
        with store.session() as s:
            add(s)


def unread(session: Session, limit: int = 50) -> list[Unread]:
    """The releases stored unread, newest first, each with its stored release's id."""
    rows = session.exec(
        select(UnreadReleaseRow, SightingRow.release_id)
        .join(
            SightingRow,
            and_(
                col(SightingRow.source_id) == UnreadReleaseRow.source_id,
                col(SightingRow.external_id) == UnreadReleaseRow.external_id,
            ),
            isouter=True,
        )
        .order_by(col(UnreadReleaseRow.at).desc(), col(UnreadReleaseRow.id).desc())
        .limit(limit)
    ).all()
    return [Unread(r.source_id, r.external_id, r.name, r.language, r.at, rid) for r, rid in rows]
