"""Releases: stored once per text, each sighting recorded, their events and timelines attached
to procedures; what could not be read is quarantined."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from tracker.domain import (
    Event,
    Extraction,
    Procedure,
    ProcedureState,
    Sourced,
    Timeline,
)
from tracker.identity import NameRow
from tracker.store.base import StoreBase, _table
from tracker.store.procedures import ProcedureNames, ensure_procedure, read_state
from tracker.store.tables import (
    EventRow,
    ProcedureRow,
    QuarantineRow,
    ReleaseRow,
    ReleaseTextRow,
    SightingRow,
    TimelineRow,
)
from tracker.store.versions import new_token

_PR = _table(ProcedureRow).c
_INSERT_RELEASE = _table(ReleaseRow).insert().returning(_table(ReleaseRow).c.id)
_INSERT_SIGHTING = _table(SightingRow).insert()
_REL = _table(ReleaseRow).c
_NAME_TAKEN = (
    sa_select(_REL.id)
    .where(_REL.name == bindparam("n"), _REL.url.is_(None), _REL.id != bindparam("id"))
    .limit(1)
)
_RENAME = _table(ReleaseRow).update().where(_REL.id == bindparam("r")).values(name=bindparam("n"))
_INSERT_TEXT = _table(ReleaseTextRow).insert()
_DELETE_TEXT = (
    _table(ReleaseTextRow).delete().where(_table(ReleaseTextRow).c.release_id == bindparam("r"))
)
# Built once: statements rebuilt per call pay for their cache key every time.
_FIND_SIGHTING = sa_select(_table(SightingRow).c.id, _table(SightingRow).c.release_id).where(
    _table(SightingRow).c.source_id == bindparam("s"),
    _table(SightingRow).c.external_id == bindparam("e"),
)
_FIND_TEXT = sa_select(_table(ReleaseRow).c.id).where(_table(ReleaseRow).c.sha256 == bindparam("h"))
# A new state token where the procedure's is still `old`; the key comes back where it was.
# An UPDATE takes the row's lock (PostgreSQL: it waits for another writer, then tests the
# committed token; SQLite: the database's write lock is held already).
_SWAP_TOKEN = (
    _table(ProcedureRow)
    .update()
    .where(_PR.key == bindparam("k"), _PR.state_token == bindparam("old"))
    .values(state_token=bindparam("t"))
    .returning(_PR.key)
)
_SET_TOKEN = (
    _table(ProcedureRow)
    .update()
    .where(_PR.key == bindparam("k"))
    .values(state_token=bindparam("t"))
)


@dataclass(frozen=True)
class Reading:
    """A read release on its way into the store: the extraction, where it was sighted (source,
    item and address, as `clean.sighting` gives them), its events and timelines grouped by
    procedure, and the names it taught (`tracker.identity.Naming.resolve`)."""

    x: Extraction
    source_id: str
    external_id: str
    url: str | None
    groups: dict[Procedure, tuple[list[Event], list[Timeline]]] = field(default_factory=dict)
    names: tuple[NameRow, ...] = ()


class Releases(StoreBase):
    """Releases, their sightings, events and timelines, and quarantined items."""

    def save_release(self, s: Session, r: Reading, now: datetime) -> Saved:
        """Store a release with its events and timelines, in the caller's transaction.

        The outcome is "new", "duplicate" (the same text seen elsewhere: one release, another
        sighting), "unchanged" (seen here before) or "changed" (its text was corrected: events
        re-read, history kept). For each procedure the release touched, the state its
        deadlines derive from comes back: the state kept from the previous release extended
        by this one's items when the procedure's token shows it current, else read whole.
        """
        x, source_id, external_id, url, groups = r.x, r.source_id, r.external_id, r.url, r.groups
        names = r.names
        conn = s.connection()
        sight = conn.execute(_FIND_SIGHTING, {"s": source_id, "e": external_id}).first()
        same_id = conn.execute(_FIND_TEXT, {"h": x.text_sha256}).scalar()
        web = _web_address(url)
        if same_id is None and web and not sight:
            # The same address seen through another source (a feed and a news page).
            same_id = s.execute(
                sa_select(SightingRow.release_id).where(SightingRow.url == _canonical(web))  # type: ignore[call-overload]
            ).scalar()
        # Where a reader finds the release: its web address when it has one.
        ref = web or x.source
        forgotten: set[str] = set()
        if sight is not None:
            sighting = s.get(SightingRow, sight.id)
            assert sighting is not None
            sighting.last_seen = now
            s.add(sighting)
            if same_id is not None:
                if sighting.release_id == same_id:
                    return Saved("unchanged", ref)
                sighting.release_id = same_id  # corrected into a text seen elsewhere
                return Saved("duplicate", ref)
            release = s.get(ReleaseRow, sighting.release_id)
            assert release is not None and release.id is not None
            forgotten = self._forget_contents(s, release.id)
            _fill_release(release, x)
            release.name = _unique_name(conn, release.id, x.source, web)
            ref = web or release.name
            s.add(release)
            s.flush()
            release_id, outcome = release.id, "changed"
            conn.execute(_DELETE_TEXT, {"r": release_id})
            _keep_text(conn, release_id, x)
        elif same_id is not None:
            s.add(SightingRow(**_sighting_values(source_id, external_id, url, same_id, now)))
            return Saved("duplicate", ref)
        else:
            release_id, outcome = self._insert_release(s, x, source_id, external_id, url, now)
            if not web and (name := _unique_name(conn, release_id, x.source, web)) != x.source:
                conn.execute(_RENAME, {"r": release_id, "n": name})
                ref = name
        tokens = {p.key: new_token() for p in groups}
        created = {p.key for p in groups if ensure_procedure(s, p, tokens[p.key])}
        ProcedureNames.learn_names(self, names, now, session=s)
        touched = sorted(forgotten | {p.key for p in groups})
        known = [k for k in touched if k not in created]
        released = x.release.date or now.astimezone(UTC).date()
        added: dict[str, tuple[list[Sourced], list[Sourced]]] = {}
        event_rows: list[dict[str, Any]] = []
        timeline_rows: list[dict[str, Any]] = []
        for p, (events, timelines) in groups.items():
            items = added.setdefault(p.key, ([], []))
            for e in events:
                event_rows.append(_event_values(p.key, release_id, e))
                items[0].append(Sourced(_as_stored(e), released, ref))
            for t in timelines:
                timeline_rows.append(_timeline_values(p.key, release_id, t))
                items[1].append(Sourced(_as_stored_timeline(t), released, ref))
        # Core bulk inserts: the ORM's per-object work would cost more than the extraction.
        if event_rows:
            conn.execute(_table(EventRow).insert(), event_rows)
        if timeline_rows:
            conn.execute(_table(TimelineRow).insert(), timeline_rows)
        # A state kept for a procedure is its state if the procedure's token is still the one
        # it was kept under: the new token is written only where it is (compare and set,
        # under the row's lock), and the others get theirs and are read back whole.
        kept_for = {} if outcome == "changed" else self._kept.take_all(known)
        fresh_tokens = {k: new_token() for k in known}
        current = {
            k
            for k in sorted(kept_for)
            if conn.execute(
                _SWAP_TOKEN, {"k": k, "old": kept_for[k][0], "t": fresh_tokens[k]}
            ).first()
        }
        stale = [k for k in known if k not in current]
        if stale:
            conn.execute(_SET_TOKEN, [{"k": k, "t": fresh_tokens[k]} for k in stale])
        tokens.update(fresh_tokens)
        self._kept.count(len(current), len(stale))
        from tracker.store.agency import agency_refs, agency_word, annotated

        published, is_agency = agency_word(conn, ref)
        # A corrected release is read back whole: its address and name may have changed.
        mine = {ref} if is_agency and outcome != "changed" else set()
        states: dict[str, ProcedureState] = {}
        procs = {p.key: p for p in groups}
        for key in touched:
            evs, tls = added.get(key, ([], []))
            kept: tuple[ProcedureState, set[str]] | None = None
            if outcome != "changed" and key in created:
                # A procedure this release opens: everything known is in hand already.
                kept = ProcedureState(procs[key], evs, tls), set(mine if evs else ())
            elif key in current:
                kept = kept_for[key][1], kept_for[key][2]
                kept[0].events.extend(evs)
                kept[0].timelines.extend(tls)
                kept[1].update(mine if evs else ())
            if kept is None:
                state = read_state(conn, key)
                kept = state, agency_refs(conn, {e.release_ref for e in state.events})
            self._kept.keep(key, tokens[key], *kept)
            states[key] = annotated(published, *kept)
        return Saved(outcome, ref, states, frozenset(created))

    @staticmethod
    def _insert_release(
        s: Session,
        x: Extraction,
        source_id: str,
        external_id: str,
        url: str | None,
        now: datetime,
    ) -> tuple[int, str]:
        conn = s.connection()
        release_id = conn.execute(
            _INSERT_RELEASE,
            {
                "sha256": x.text_sha256,
                "source_id": source_id,
                "external_id": external_id,
                "ingested_at": now,
                "url": _web_address(url),
                **_release_values(x),
            },
        ).scalar_one()
        conn.execute(
            _INSERT_SIGHTING, _sighting_values(source_id, external_id, url, release_id, now)
        )
        _keep_text(conn, int(release_id), x)
        return int(release_id), "new"

    @staticmethod
    def _forget_contents(s: Session, release_id: int) -> set[str]:
        """Delete a release's events and timelines; returns the procedures they touched."""
        keys: set[str] = set()
        for table in (EventRow, TimelineRow):
            rows: Any = s.exec(select(table).where(col(table.release_id) == release_id)).all()
            for row in rows:
                keys.add(row.procedure_key)
                s.delete(row)
        s.flush()
        return keys

    def quarantine(self, source_id: str, external_id: str, reason: str, now: datetime) -> None:
        """Record an item that could not be read, with the reason (latest wins)."""
        with self.session() as s:
            row = s.exec(
                select(QuarantineRow).where(
                    QuarantineRow.source_id == source_id, QuarantineRow.external_id == external_id
                )
            ).first()
            row = row or QuarantineRow(
                source_id=source_id, external_id=external_id, reason="", at=now
            )
            row.reason, row.at = reason[:2000], now
            s.add(row)

    def quarantined(self, source_id: str | None = None) -> list[QuarantineRow]:
        """Quarantined items, newest first."""
        with Session(self.engine) as s:
            q = select(QuarantineRow).order_by(col(QuarantineRow.at).desc())
            if source_id:
                q = q.where(QuarantineRow.source_id == source_id)
            return list(s.exec(q).all())

    def seen(self, source_id: str, external_id: str) -> bool:
        """True if this source has delivered this item before."""
        with Session(self.engine) as s:
            return (
                s.exec(
                    select(SightingRow.id).where(
                        SightingRow.source_id == source_id, SightingRow.external_id == external_id
                    )
                ).first()
                is not None
            )

    def releases(self, limit: int = 100) -> list[ReleaseRow]:
        """The latest releases."""
        with Session(self.engine) as s:
            return list(s.exec(select(ReleaseRow).order_by(col(ReleaseRow.id).desc()).limit(limit)))

    def events(self, procedure_key: str | None = None, limit: int = 500) -> list[EventRow]:
        """Stored events, newest first, optionally of one procedure."""
        with Session(self.engine) as s:
            q = select(EventRow).order_by(col(EventRow.id).desc()).limit(limit)
            if procedure_key:
                q = q.where(EventRow.procedure_key == procedure_key)
            return list(s.exec(q))


@dataclass(frozen=True)
class Saved:
    """What storing a release did: its outcome, how its events name it, and the state of
    each procedure it touched (for the engine), with those it opened."""

    outcome: str
    ref: str
    states: dict[str, ProcedureState] = field(default_factory=dict)
    created: frozenset[str] = frozenset()


def _as_stored(e: Event) -> Event:
    """An event as the store reads it back (what it keeps of it)."""
    return Event(e.type, e.agency, e.outcome, e.product, e.date, e.evidence, e.sentence, e.detail)


def _as_stored_timeline(t: Timeline) -> Timeline:
    """A timeline as the store reads it back (what it keeps of it)."""
    return Timeline(
        t.start,
        t.end,
        t.milestone,
        t.agency,
        t.expression,
        t.evidence,
        t.sentence,
        t.offset_days,
        t.anchor,
        t.anchor_date,
        tuple(t.assumptions),
        t.estimate,
    )


def _keep_text(conn: Any, release_id: int, x: Extraction) -> None:
    """Keep the release's whole text for its page (agency documents come without one)."""
    if x.text:
        conn.execute(_INSERT_TEXT, {"release_id": release_id, "text": x.text})


def _release_values(x: Extraction) -> dict[str, Any]:
    return {
        "name": x.source,
        "title": x.release.title,
        "release_date": x.release.date,
        "company": x.release.company,
        "ticker": x.release.ticker,
    }


def _unique_name(conn: Any, release_id: int, name: str, web: str | None) -> str:
    """The name a release is known by. One without a web address is known by its file's
    name, so another release of that name already stored makes this one's name its own
    ("release.txt (42)"): two releases never share a name, and one's statements are never
    numbered as the other's (`tracker.rules.history`)."""
    if web or conn.execute(_NAME_TAKEN, {"n": name, "id": release_id}).first() is None:
        return name
    suffix = f" ({release_id})"
    return name[: 1000 - len(suffix)] + suffix


def _fill_release(row: ReleaseRow, x: Extraction) -> None:
    row.sha256 = x.text_sha256
    for k, v in _release_values(x).items():
        setattr(row, k, v)


def _canonical(url: str) -> str:
    """An address without fragment, default port, trailing slash or scheme differences."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        return url
    host = (parts.hostname or "").lower()
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    return urlunsplit(("https", host, parts.path.rstrip("/") or "/", parts.query, ""))


def _web_address(url: str | None) -> str | None:
    """The item's address when it is a web address (http or https), else None."""
    return url if url and url.startswith(("http://", "https://")) else None


def _sighting_values(
    source_id: str, external_id: str, url: str | None, release_id: int, now: datetime
) -> dict[str, Any]:
    """A new sighting: this source's item, first and last seen now, at its canonical address."""
    return {
        "source_id": source_id,
        "external_id": external_id,
        "url": _canonical(url) if url else None,
        "release_id": release_id,
        "first_seen": now,
        "last_seen": now,
    }


def _event_values(proc_key: str, release_id: int, e: Event) -> dict[str, Any]:
    return {
        "procedure_key": proc_key,
        "release_id": release_id,
        "type": e.type,
        "agency": e.agency,
        "outcome": e.outcome,
        "product": e.product,
        "date": e.date,
        "evidence": e.evidence,
        "sentence": e.sentence,
        "detail": e.detail,
    }


def _timeline_values(proc_key: str, release_id: int, t: Timeline) -> dict[str, Any]:
    return {
        "procedure_key": proc_key,
        "release_id": release_id,
        "start": t.start,
        "end": t.end,
        "milestone": t.milestone,
        "agency": t.agency,
        "expression": t.expression,
        "evidence": t.evidence,
        "sentence": t.sentence,
        "offset_days": t.offset_days,
        "anchor": t.anchor,
        "anchor_date": t.anchor_date,
        "assumptions": json.dumps(list(t.assumptions)),
        "estimate": t.estimate,
    }
