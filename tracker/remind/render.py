"""Messages: subject, plain text and HTML from templates, the deadline's .ics attached.

Release text reaches headers only through `header_safe`; addresses are validated.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from email import message_from_bytes
from email.header import Header
from email.headerregistry import Address
from email.message import Message
from email.utils import format_datetime, formataddr

from tracker.errors import ConfigError
from tracker.ical import build_calendar
from tracker.remind.plan import Due
from tracker.settings import MailSection
from tracker.templating import environment

# Text parts are quoted-printable: readable in an outbox file and friendlier to filters
# than base64.
_UNSAFE_HEADER = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def header_safe(text: str, limit: int = 200) -> str:
    """Collapse control characters (CR, LF ...) so release text cannot forge headers."""
    clean = _UNSAFE_HEADER.sub(" ", text).strip()
    return clean[:limit].rstrip() + ("…" if len(clean) > limit else "")


def address(addr: str, name: str = "") -> str:
    """A validated address formatted for a header (ConfigError naming it if it is not one)."""
    try:
        if "@" not in addr or _UNSAFE_HEADER.search(addr) or addr.strip() != addr:
            raise ValueError("not an address")
        local, _, domain = addr.rpartition("@")
        checked = Address(display_name=header_safe(name, 100), username=local, domain=domain)
    except (ValueError, IndexError) as e:
        raise ConfigError(f"'{addr}' is not a valid e-mail address") from e
    return formataddr((checked.display_name, checked.addr_spec), charset="utf-8")


def message_id(due: Due, domain: str = "deadline-tracker") -> str:
    """A Message-ID derived from the message's key, so a resend carries the same one."""
    return f"<{hashlib.sha256(due.key.encode()).hexdigest()[:40]}@{domain}>"


@dataclass(frozen=True, slots=True)
class Rendered:
    """A message ready for the wire: its envelope recipients, its Message-ID and its bytes
    (CRLF line ends), built and flattened once."""

    to: tuple[str, ...]
    message_id: str
    subject: str
    data: bytes


def render(
    due: Due, mail: MailSection, now: datetime, templates_dir: str | None = None
) -> Rendered:
    """Build the multipart message a `Due` describes, as bytes: the text and HTML parts
    (quoted-printable) and the deadline's .ics (base64), written straight to the wire form.

    The email package's object model and generator cost more than the templates: a message
    is written here once, in the layout that package reads back (`render_message`)."""
    env = environment(templates_dir)
    base = "digest" if due.kind == "digest" else "reminder"
    today = now.astimezone(due.due_at.tzinfo).date()  # the recipient's day
    ctx = {
        "due": due,
        "kind": due.kind,
        "d": due.deadlines[0],
        "deadlines": due.deadlines,
        "days_before": due.days_before,
        "previous_end": due.previous_end,
        "days_left": (due.deadlines[0].end - today).days,
        "today": today,
        "recipient": due.recipient,
        "feed_url": mail.feed_url,
    }
    subject = header_safe(env.get_template(f"email/{base}.subject.txt").render(**ctx))
    mid = message_id(due)
    outer, inner = _boundary(), _boundary()
    headers = [
        f'Content-Type: multipart/mixed;\r\n boundary="{outer}"',
        "MIME-Version: 1.0",
        "Subject: " + _subject(subject),
        "From: " + address(mail.sender),
        "To: " + address(due.recipient.address, due.recipient.name),
        "Date: " + format_datetime(now),
        "Message-ID: " + mid,
        "Auto-Submitted: auto-generated",
    ]
    if mail.list_unsubscribe_url:
        headers.append(f"List-Unsubscribe: <{header_safe(mail.list_unsubscribe_url, 500)}>")
    headers.append("X-Tracker-Kind: " + header_safe(due.kind, 40))
    text = env.get_template(f"email/{base}.txt").render(**ctx)
    html = env.get_template(f"email/{base}.html").render(**ctx)
    ics = build_calendar(list(due.deadlines), name=header_safe(due.deadlines[0].title))
    filename = "deadline.ics" if len(due.deadlines) == 1 else "deadlines.ics"
    parts = [
        *headers,
        "",
        f"--{outer}",
        f'Content-Type: multipart/alternative;\r\n boundary="{inner}"',
        "MIME-Version: 1.0",
        "",
        f"--{inner}",
        *_qp_part("text/plain", text),
        "",
        f"--{inner}",
        *_qp_part("text/html", html),
        "",
        f"--{inner}--",
        "",
        f"--{outer}",
        "MIME-Version: 1.0",
        "Content-Transfer-Encoding: base64",
        'Content-Type: text/calendar; charset="utf-8"; method="PUBLISH"',
        f'Content-Disposition: attachment; filename="{filename}"',
        "",
        base64.encodebytes(ics.encode("utf-8")).decode("ascii").rstrip("\n").replace("\n", "\r\n"),
        "",
        f"--{outer}--",
        "",
    ]
    data = "\r\n".join(parts).encode("ascii")
    return Rendered((due.recipient.address,), mid, subject, data)


def render_message(
    due: Due, mail: MailSection, now: datetime, templates_dir: str | None = None
) -> Message:
    """The message `render` writes, read back as an email.message.Message (for previews,
    `tracker remind --preview` and tests)."""
    return message_from_bytes(render(due, mail, now, templates_dir).data)


def _subject(subject: str) -> str:
    """The Subject's value: ASCII folded at spaces, anything else as RFC 2047 words."""
    if not subject.isascii():
        return Header(subject, "utf-8", header_name="Subject").encode(linesep="\r\n")
    if len(subject) <= 69:  # fits the line with "Subject: "
        return subject
    return Header(subject, header_name="Subject").encode(linesep="\r\n")


def _qp_part(kind: str, text: str) -> list[str]:
    """A text part's headers and its quoted-printable body, in lines."""
    body = binascii.b2a_qp(text.encode("utf-8"), istext=True).decode("ascii")
    return [
        f'Content-Type: {kind}; charset="utf-8"',
        "MIME-Version: 1.0",
        "Content-Transfer-Encoding: quoted-printable",
        "",
        body.replace("\r\n", "\n").replace("\n", "\r\n").rstrip("\r\n"),
    ]


def _boundary() -> str:
    """A part boundary chosen up front. Left unset, the generator picks one per message and
    compiles a regular expression for it to search the body (a third of the flattening);
    this one cannot occur in the body: "=_" never starts a line of quoted-printable or
    base64 text, and 128 random bits make it unique."""
    return "=_tracker_" + secrets.token_hex(16)


def check_templates(templates_dir: str | None = None) -> None:
    """Compile every template; a broken one stops start-up with one line naming it."""
    from jinja2 import TemplateError

    env = environment(templates_dir)
    for name in env.list_templates():
        try:
            env.get_template(name)
        except TemplateError as e:
            raise ConfigError(f"template {name}: {e}") from e
