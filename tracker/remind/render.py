"""Messages: subject, plain text and HTML from templates, the deadline's .ics attached.

Release text reaches headers only through `header_safe`; addresses are validated.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime
from email.charset import QP, Charset
from email.header import Header
from email.headerregistry import Address
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr

from tracker.errors import ConfigError
from tracker.ical import build_calendar
from tracker.remind.plan import Due
from tracker.settings import MailSection
from tracker.templating import environment

# Text parts in quoted-printable: readable in an outbox file and friendlier to filters than
# base64 (an instance, so the module-wide utf-8 default stays as it is).
_QP = Charset("utf-8")
_QP.body_encoding = QP

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


def render_message(
    due: Due, mail: MailSection, now: datetime, templates_dir: str | None = None
) -> Message:
    """Build the multipart message a `Due` describes."""
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
    # The compat32 MIME classes: the same message, built three times faster than with
    # EmailMessage's content manager.
    msg = MIMEMultipart("mixed", boundary=_boundary())
    subject = header_safe(env.get_template(f"email/{base}.subject.txt").render(**ctx))
    msg["Subject"] = subject if subject.isascii() else Header(subject, "utf-8").encode()
    msg["From"] = address(mail.sender)
    msg["To"] = address(due.recipient.address, due.recipient.name)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id(due)
    msg["Auto-Submitted"] = "auto-generated"
    if mail.list_unsubscribe_url:
        msg["List-Unsubscribe"] = f"<{header_safe(mail.list_unsubscribe_url, 500)}>"
    msg["X-Tracker-Kind"] = due.kind
    body = MIMEMultipart("alternative", boundary=_boundary())
    body.attach(MIMEText(env.get_template(f"email/{base}.txt").render(**ctx), "plain", _QP))  # type: ignore[arg-type]
    body.attach(MIMEText(env.get_template(f"email/{base}.html").render(**ctx), "html", _QP))  # type: ignore[arg-type]
    msg.attach(body)
    ics_text = build_calendar(list(due.deadlines), name=header_safe(due.deadlines[0].title))
    attachment = MIMEText(ics_text, "calendar", "utf-8")
    attachment.set_param("method", "PUBLISH")
    attachment.add_header(
        "Content-Disposition",
        "attachment",
        filename="deadline.ics" if len(due.deadlines) == 1 else "deadlines.ics",
    )
    msg.attach(attachment)
    return msg


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
