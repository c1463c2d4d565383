"""A folder of release files: the inbox, or any folder a user or a script fills.

What is read, and when:

- only regular files inside the folder: a symbolic link (even to a file inside it), a FIFO,
  a socket, a device or a folder is refused with the reason (quarantined, moved to
  `failed/`), never opened;
- only complete files: a file is read once it showed the same size, modification time and
  inode at two polls at least `SETTLE_SECONDS` apart (the observations are kept in the
  source's cursor, so a restart keeps them too). A modification time in the future is no
  reason to wait;
- writers that want certainty write `NAME.part` or `.NAME` and rename it when done: dot
  files and `*.part` files are the writer's and are left alone;
- release suffixes (`SUFFIXES`) are read; any other file, once complete, is refused with
  its reason. Nothing stays in the folder unreported (`/healthz` reports what waits too long).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from datetime import datetime
from pathlib import Path
from typing import Any

from tracker.domain import RawItem
from tracker.sources.base import Batch, Rejected, SeenCheck

SUFFIXES = (".txt", ".html", ".htm", ".eml", ".pdf")
# Files a writer has not finished: left alone until renamed.
IN_PROGRESS_SUFFIXES = (".part",)
# Two observations of the same size, mtime and inode at least this far apart make a file
# complete.
SETTLE_SECONDS = 1.0
MAX_FILE_BYTES = 10_000_000
NAME_MAX = 255  # bytes in one file name (Linux, macOS)
PROCESSED = "processed"


def in_progress(name: str) -> bool:
    """True for names the writer has not released yet (dot files, `*.part`)."""
    return name.startswith(".") or name.lower().endswith(IN_PROGRESS_SUFFIXES)


def printable(name: str) -> str:
    """A file name as text (bytes that were not UTF-8 shown as U+FFFD)."""
    return os.fsencode(name).decode("utf-8", "replace")


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


class FolderSource:
    """Files in a folder; each is moved to `processed/` or `failed/` (with a reason) once read."""

    def __init__(self, source_id: str, path: Path, move: bool = True) -> None:
        self.id = source_id
        self.path = path
        self.move = move

    @property
    def failed_folder(self) -> Path:
        """Where refused and failed files go, each with `<name>.error.txt`."""
        return self.path.parent / "failed"

    def fetch(self, cursor: dict[str, Any], now: datetime, seen: SeenCheck) -> Batch:
        """Every complete release file, in name order; everything else refused with a reason.

        The cursor keeps, per file not yet complete, the size, mtime and inode seen and
        when: the next poll reads it if nothing changed."""
        self.path.mkdir(parents=True, exist_ok=True)
        before: dict[str, list[Any]] = dict(cursor.get("pending") or {})
        pending: dict[str, list[Any]] = {}
        batch = Batch(cursor={**cursor, "pending": pending})
        with os.scandir(self.path) as entries:
            names = sorted(e.name for e in entries)
        for name in names:
            if in_progress(name):
                continue
            path = self.path / name
            try:
                st = os.lstat(path)
            except FileNotFoundError:
                continue  # gone between listing and looking
            if stat.S_ISDIR(st.st_mode) and name == PROCESSED:
                continue
            if not stat.S_ISREG(st.st_mode):
                self._refuse(batch, path, f"{_kind(st.st_mode)}: only regular files are read")
                continue
            seen_as = [st.st_size, st.st_mtime_ns, st.st_ino]
            earlier = before.get(name)
            if (
                earlier is None
                or earlier[:3] != seen_as
                or now.timestamp() - float(earlier[3]) < SETTLE_SECONDS
            ):
                # New or still changing: complete once it stays the same until a later poll.
                keep = earlier if earlier is not None and earlier[:3] == seen_as else None
                pending[name] = keep or [*seen_as, now.timestamp()]
                continue
            if not name.lower().endswith(SUFFIXES):
                suffix = Path(name).suffix or "no suffix"
                self._refuse(
                    batch,
                    path,
                    f"unknown kind of file ({suffix}): releases are {', '.join(SUFFIXES)}",
                )
                continue
            if st.st_size > MAX_FILE_BYTES:
                self._refuse(batch, path, f"{st.st_size} bytes, over the {MAX_FILE_BYTES}-byte cap")
                continue
            try:
                data = _read_regular(path, st)
            except OSError as e:
                self._refuse(batch, path, f"cannot read: {e.strerror or e}")
                continue
            batch.items.append(_item(self.id, path, data, now))
        return batch

    def _refuse(self, batch: Batch, path: Path, why: str) -> None:
        """Reject an entry with its reason, and move it out of the folder."""
        reason = f"{printable(str(path))}: {why}"
        item = _item(self.id, path, b"", None)
        batch.rejected.append(Rejected(self.id, item.external_id, reason))
        self.done(item, "failed", reason)

    def done(self, item: RawItem, outcome: str, error: str | None) -> None:
        """Move the file out of the folder: to processed/, or to failed/ with a reason."""
        if not self.move or item.url is None:
            return
        path = Path(item.url)
        if not os.path.lexists(path):
            return
        if outcome == "failed":
            target = move_to(path, self.failed_folder)
            write_reason(target, error or "")
        else:
            move_to(path, self.path / PROCESSED)


def _read_regular(path: Path, st: os.stat_result) -> bytes:
    """The bytes of a regular file, opened without following a link and without blocking
    (so a file swapped for a FIFO or a link after it was looked at is never waited on)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags)
    try:
        now_st = os.fstat(fd)
        if not stat.S_ISREG(now_st.st_mode) or now_st.st_ino != st.st_ino:
            raise OSError(0, "the file was replaced while being read")
        chunks = []
        left = MAX_FILE_BYTES + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _item(source_id: str, path: Path, data: bytes, now: datetime | None) -> RawItem:
    # The name and the content identify a dropped file: the same name dropped again later
    # with other content is another release.
    digest = hashlib.sha256(data).hexdigest()[:16]
    name = printable(path.name)
    fetched = now if now is not None else datetime.fromtimestamp(0).astimezone()
    return RawItem(source_id, f"{name}:{digest}", path.name, data, fetched, url=str(path))


def _fit(name: str, room: int) -> str:
    """`name` cut (at a character boundary) to at most `room` bytes."""
    raw = os.fsencode(name)
    if len(raw) <= room:
        return name
    return os.fsdecode(raw[:room].decode("utf-8", "ignore").encode("utf-8"))


def reason_path(target: Path) -> Path:
    """Where the reason for a failed file is written: `<name>.error.txt`, or for a name too
    long for that, the name shortened with a short hash of the whole name."""
    tail = ".error.txt"
    name = target.name
    if len(os.fsencode(name + tail)) > NAME_MAX:
        tag = "~" + hashlib.sha256(os.fsencode(name)).hexdigest()[:8]
        name = _fit(name, NAME_MAX - len(tail) - len(tag)) + tag
    return target.with_name(name + tail)


def write_reason(target: Path, reason: str) -> Path:
    """Write the reason beside a failed file (`reason_path`); when its name had to be
    shortened, the full name is the first line."""
    path = reason_path(target)
    shortened = path.name != target.name + ".error.txt"
    text = f"{printable(target.name)}\n{reason}\n" if shortened else reason + "\n"
    path.write_text(text, "utf-8", errors="replace")
    return path


def move_to(path: Path, folder: Path) -> Path:
    """Move a file (or a link, FIFO or folder, never what a link points at) into a folder
    without overwriting a namesake."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    n = 1
    while os.path.lexists(target):
        suffix = path.suffix if len(path.suffix) < 16 else ""
        stem = path.name[: len(path.name) - len(suffix)]
        extra = f".{n}{suffix}"
        target = folder / (_fit(stem, NAME_MAX - len(os.fsencode(extra))) + extra)
        n += 1
    try:
        os.rename(path, target)
    except OSError:
        shutil.move(str(path), target)  # another file system
    return target
