"""What `tracker remind --preview` prints of a rendered message: its plain-text part.

Messages are built with the compat32 MIME classes (`render.py`), which have no
`get_body()`; the plain part is found by walking the message instead.
"""

from __future__ import annotations

from email.message import Message


def plain_text(msg: Message) -> str:
    """The first text/plain part that is not an attachment, decoded ('' if none)."""
    for part in msg.walk():
        if part.get_content_type() != "text/plain" or part.is_multipart():
            continue
        if (part.get("Content-Disposition") or "").lower().startswith("attachment"):
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            return str(part.get_payload())
        return payload.decode(part.get_content_charset() or "utf-8", errors="replace")
    return ""
