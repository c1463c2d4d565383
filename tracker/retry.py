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
import re
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
    """Move a folder item's file from `failed/` back into its folder, under its own name.

    The item is `NAME:DIGEST` (its name and the first hex digits of its content's SHA-256).
    In `failed/`, a later file of the same name was renamed `STEM.N.SUFFIX`: the one whose
    content has the item's digest is the item. Without one (the file was fixed in place, or
    refused unread), the newest of that name, else of its namesakes."""
    from tracker.sources.folder import FolderSource, move_to, printable, reason_path

    assert isinstance(source, FolderSource)
    name, _, digest = external.rpartition(":")
    failed = source.failed_folder
    found = (
        [p for p in failed.iterdir() if _namesake(printable(p.name), name)]
        if failed.is_dir()
        else []
    )
    if not found:
        raise NotFoundError(f"{name}: no longer in {failed}")
    same = [p for p in found if _digest_of(p) == digest]
    exact = [p for p in found if printable(p.name) == name]
    path = max(same or exact or found, key=lambda p: p.stat(follow_symlinks=False).st_mtime)
    reason_path(path).unlink(missing_ok=True)
    home = source.path / _unnumbered(path.name, name)
    if path.name != home.name and not os.path.lexists(home):
        source.path.mkdir(parents=True, exist_ok=True)
        os.rename(path, home)  # the name it came with, when that is free
        return home
    return move_to(path, source.path)


def _namesake(candidate: str, name: str) -> bool:
    """`candidate` is `name`, or `name` renamed for a namesake (`STEM.N.SUFFIX`)."""
    if candidate == name:
        return True
    stem, suffix = os.path.splitext(name)
    return re.fullmatch(re.escape(stem) + r"\.\d+" + re.escape(suffix), candidate) is not None


def _unnumbered(actual: str, name: str) -> str:
    """The file's own name without the `.N` a namesake gave it."""
    from tracker.sources.folder import printable

    if printable(actual) == name:
        return actual
    stem, suffix = os.path.splitext(actual)
    base, dot, n = stem.rpartition(".")
    return base + suffix if dot and n.isdigit() else actual


def _digest_of(path: Path) -> str | None:
    """What a folder item's id holds of its content (None for what is not a regular file)."""
    import hashlib
    import stat

    from tracker.sources.folder import MAX_FILE_BYTES

    st = os.lstat(path)
    if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_FILE_BYTES:
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
