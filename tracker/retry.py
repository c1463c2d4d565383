"""`tracker sources retry ID`: give a quarantined item back to its source and run it now.

ID is the item as `tracker sources` lists it: `SOURCE:ITEM`. A folder's file goes back from
`failed/` into the folder (its reason file removed) and is read at once (it was complete
when it failed); a feed item whose page kept failing is fetched again from the address
the feed gave. The quarantine entry is removed first; if the item fails again, it is
quarantined again with the new reason.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import delete

from tracker.errors import NotFoundError

if TYPE_CHECKING:
    from tracker.pipeline import Context, IngestReport


def retry_quarantined(ctx: Context, item_id: str, now: datetime) -> IngestReport:
    """Retry one quarantined item; the report of the source's run."""
    from tracker.pipeline import ingest_source
    from tracker.sources import configured_sources
    from tracker.sources.folder import SETTLE_SECONDS, FolderSource
    from tracker.store.tables import QuarantineRow

    source_id, sep, external = item_id.partition(":")
    sources = {s.id: s for s, _ in configured_sources(ctx.settings)}
    if not sep or source_id not in sources:
        raise NotFoundError(
            f"no source for '{item_id}' (give SOURCE:ITEM as `tracker sources` lists it)"
        )
    if not any(q.external_id == external for q in ctx.store.quarantined(source_id)):
        raise NotFoundError(f"no quarantined item '{item_id}' (see `tracker sources`)")
    source = sources[source_id]
    state = ctx.store.source_state(source_id)
    cursor = json.loads(state.cursor or "{}")
    if isinstance(source, FolderSource):
        path = _back_from_failed(source, external)
        st = os.lstat(path)
        # Complete when it failed: read at once, not after two polls.
        pending = cursor.setdefault("pending", {})
        pending[path.name] = [
            st.st_size,
            st.st_mtime_ns,
            st.st_ino,
            now.timestamp() - SETTLE_SECONDS,
        ]
    else:
        entry = (cursor.get("retry") or {}).get(external)
        if entry is not None:
            entry.pop("gave_up", None)
            entry.update(tries=0, next=0)
    state.cursor = json.dumps(cursor, sort_keys=True)
    state.next_run = None
    ctx.store.save_source_state(state)
    with ctx.store.session() as s:
        s.exec(
            delete(QuarantineRow).where(
                QuarantineRow.source_id == source_id,  # type: ignore[arg-type]
                QuarantineRow.external_id == external,  # type: ignore[arg-type]
            )
        )
    return ingest_source(ctx, source, now, force=True)


def _back_from_failed(source: object, external: str) -> Path:
    """Move a folder item's file from `failed/` back into its folder."""
    from tracker.sources.folder import FolderSource, move_to, printable, reason_path

    assert isinstance(source, FolderSource)
    name = external.rsplit(":", 1)[0]
    failed = source.failed_folder
    candidates = (
        sorted(
            (p for p in failed.iterdir() if printable(p.name) == name),
            key=lambda p: p.stat(follow_symlinks=False).st_mtime,
        )
        if failed.is_dir()
        else []
    )
    if not candidates:
        raise NotFoundError(f"{name}: no longer in {failed}")
    path = candidates[-1]
    reason_path(path).unlink(missing_ok=True)
    return move_to(path, source.path)
