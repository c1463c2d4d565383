"""A folder of release files: the inbox, or any folder a user or a script fills."""

from __future__ import annotations

import hashlib
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

from tracker.domain import RawItem
from tracker.sources.base import Batch, Rejected, SeenCheck

SUFFIXES = (".txt", ".html", ".htm", ".eml")
# A file modified this recently may still be being written; the next poll takes it.
SETTLE_SECONDS = 1.0
MAX_FILE_BYTES = 10_000_000


class FolderSource:
    """Files in a folder; each is moved to `processed/` or `failed/` (with a reason) once read."""

    def __init__(self, source_id: str, path: Path, move: bool = True) -> None:
        self.id = source_id
        self.path = path
        self.move = move

    def fetch(self, cursor: dict[str, Any], now: datetime, seen: SeenCheck) -> Batch:
        """Every settled release file, oldest name first."""
        self.path.mkdir(parents=True, exist_ok=True)
        batch = Batch(cursor=cursor)
        for path in sorted(self.path.iterdir()):
            if (
                not path.is_file()
                or path.name.startswith(".")
                or path.suffix.lower() not in SUFFIXES
            ):
                continue
            stat = path.stat()
            if now.timestamp() - stat.st_mtime < SETTLE_SECONDS:
                continue
            if stat.st_size > MAX_FILE_BYTES:
                reason = f"{path}: {stat.st_size} bytes, over the {MAX_FILE_BYTES}-byte cap"
                batch.rejected.append(Rejected(self.id, path.name, reason))
                self.done(_item(self.id, path, b"", now), "failed", reason)
                continue
            data = path.read_bytes()
            batch.items.append(_item(self.id, path, data, now))
        return batch

    def done(self, item: RawItem, outcome: str, error: str | None) -> None:
        """Move the file out of the folder: to processed/, or to failed/ with a reason."""
        if not self.move or item.url is None:
            return
        path = Path(item.url)
        if not path.exists():
            return
        if outcome == "failed":
            target = move_to(path, self.path.parent / "failed")
            target.with_name(target.name + ".error.txt").write_text((error or "") + "\n", "utf-8")
        else:
            move_to(path, self.path / "processed")


def _item(source_id: str, path: Path, data: bytes, now: datetime) -> RawItem:
    # The name and the content identify a dropped file: the same name dropped again later
    # with other content is another release.
    digest = hashlib.sha256(data).hexdigest()[:16]
    return RawItem(source_id, f"{path.name}:{digest}", path.name, data, now, url=str(path))


def move_to(path: Path, folder: Path) -> Path:
    """Move a file into a folder without overwriting a namesake."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    n = 1
    while target.exists():
        target = folder / f"{path.stem}.{n}{path.suffix}"
        n += 1
    shutil.move(str(path), target)
    return target
