"""E-mail delivered to disk: a folder of .eml files, an mbox file or a maildir."""

from __future__ import annotations

import hashlib
import mailbox
from datetime import datetime
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from tracker.domain import RawItem
from tracker.sources.base import Batch, Rejected, SeenCheck

MAX_MESSAGE_ID = 300


def message_key(raw: bytes) -> str:
    """A message's id for sightings: its Message-ID on one line when it is a sane length,
    else a hash of it (or of the whole message when it has none), so a hostile header can
    neither overflow a column nor stop the mailbox."""
    msg = message_from_bytes(raw, policy=policy.compat32)
    value = " ".join(str(msg.get("message-id") or "").split())
    value = "".join(ch for ch in value if ch.isprintable())
    if not value:
        return hashlib.sha256(raw).hexdigest()
    if len(value) > MAX_MESSAGE_ID:
        return "message-id-sha256:" + hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()
    return value


class MailSource:
    """Messages keyed by Message-ID (or their hash); nothing is deleted from the mailbox."""

    def __init__(self, source_id: str, path: Path) -> None:
        self.id = source_id
        self.path = path

    def fetch(self, cursor: dict[str, Any], now: datetime, seen: SeenCheck) -> Batch:
        """Messages not seen before."""
        batch = Batch(cursor=cursor)
        for n, raw in enumerate(self._messages(batch)):
            try:
                external = message_key(raw)
            except Exception as e:  # a message whose headers cannot be parsed at all
                digest = hashlib.sha256(raw).hexdigest()
                reason = f"{self.path}: message {n}: headers unreadable: {type(e).__name__}: {e}"
                batch.rejected.append(Rejected(self.id, f"sha256:{digest}", reason))
                continue
            if not seen(self.id, external):
                name = hashlib.sha256(external.encode()).hexdigest()[:24] + ".eml"
                batch.items.append(RawItem(self.id, external, name, raw, now))
        return batch

    def _messages(self, batch: Batch) -> list[bytes]:
        p = self.path
        if p.is_dir() and (p / "cur").is_dir():
            box: Any = mailbox.Maildir(str(p), factory=None, create=False)
        elif p.is_file():
            box = mailbox.mbox(str(p), create=False)
        elif p.is_dir():
            return [f.read_bytes() for f in sorted(p.glob("*.eml"))]
        else:
            batch.rejected.append(Rejected(self.id, str(p), f"{p}: no such mailbox or folder"))
            return []
        out = []
        for key in box.iterkeys():
            try:
                out.append(box.get_bytes(key))
            except (OSError, mailbox.Error) as e:
                batch.rejected.append(Rejected(self.id, str(key), f"{p}: message {key}: {e}"))
        return out

    def done(self, item: RawItem, outcome: str, error: str | None) -> None:
        """Mail stays where it is; sightings remember what was read."""
