"""Delivery: `smtp` (a real SMTP conversation, one connection per run), `outbox` (.eml files)
and `log` (dry run). Failures are temporary (retry later) or permanent (never again)."""

from __future__ import annotations

import hashlib
import logging
import os
import smtplib
import ssl
import tempfile
from collections.abc import Callable, Iterable
from email.message import Message
from email.policy import compat32
from email.utils import getaddresses
from pathlib import Path
from types import TracebackType

from tracker.errors import DeliveryError
from tracker.remind.render import Rendered
from tracker.settings import Settings

logger = logging.getLogger(__name__)

# SMTP wants CRLF line ends; smtplib sends bytes as they are.
WIRE = compat32.clone(linesep="\r\n")


class TemporaryFailure(DeliveryError):
    """The message could not be delivered now; it stays owed (server down, 4xx)."""


class PermanentFailure(DeliveryError):
    """The server refused the message for good (5xx): recorded, never retried."""


def atomic_write_chunks(path: Path, chunks: Iterable[bytes]) -> bool:
    """Write a file from pieces, atomically as `atomic_write`, and only if its content
    changed (compared by hash, so neither version is held whole); True when it was written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as f:
            for chunk in chunks:
                digest.update(chunk)
                f.write(chunk)
            f.flush()
            os.fsync(f.fileno())
        if path.exists():
            with path.open("rb") as old:
                if hashlib.file_digest(old, "sha256").digest() == digest.digest():
                    Path(tmp).unlink()
                    return False
        os.replace(tmp, path)
        return True
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write(path: Path, data: bytes) -> None:
    """Write a file so readers see the old content or the new, never a half."""
    atomic_write_chunks(path, (data,))


class Mailer:
    """Sends messages for one run; the SMTP connection is opened once and reused."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    def send(self, msg: Message | Rendered) -> None:
        """Deliver one message (built, or ready bytes from `render`), or raise
        TemporaryFailure / PermanentFailure."""
        ready = msg if isinstance(msg, Rendered) else _ready(msg)
        BACKENDS[self.settings.mail.backend](self, ready)

    def close(self) -> None:
        """Say goodbye to the SMTP server, if connected."""
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None

    def connect(self) -> smtplib.SMTP:
        """The open connection, or a new one (TLS and login as configured)."""
        if self.smtp is not None:
            return self.smtp
        m = self.settings.mail
        context = ssl.create_default_context()
        if not m.verify_tls:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        try:
            if m.security == "tls":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    m.host, m.port, timeout=m.timeout_seconds, context=context
                )
            else:
                smtp = smtplib.SMTP(m.host, m.port, timeout=m.timeout_seconds)
                if m.security == "starttls":
                    smtp.starttls(context=context)
            if m.username:
                smtp.login(m.username, m.password)
        except smtplib.SMTPAuthenticationError as e:
            raise PermanentFailure(f"SMTP {m.host}:{m.port}: login refused ({e.smtp_code})") from e
        except (OSError, smtplib.SMTPException) as e:
            raise TemporaryFailure(f"SMTP {m.host}:{m.port}: {type(e).__name__}: {e}") from e
        self.smtp = smtp
        return smtp


def _ready(msg: Message) -> Rendered:
    """A built message flattened for the wire (the test message, a preview)."""
    to = tuple(a for _, a in getaddresses([str(msg["To"])]))
    return Rendered(to, str(msg["Message-ID"]), str(msg["Subject"]), msg.as_bytes(policy=WIRE))


def _send_smtp(mailer: Mailer, msg: Rendered) -> None:
    m = mailer.settings.mail
    for attempt in (1, 2):  # a connection the server dropped between runs is reopened once
        smtp = mailer.connect()
        try:
            refused = smtp.sendmail(m.sender, list(msg.to), msg.data)
        except smtplib.SMTPServerDisconnected as e:
            mailer.smtp = None
            if attempt == 2:
                raise TemporaryFailure(f"SMTP {m.host}:{m.port}: disconnected") from e
            continue
        except smtplib.SMTPRecipientsRefused as e:
            codes = [code for code, _ in e.recipients.values()]
            _raise_for(codes[0] if codes else 550, str(e.recipients))
        except smtplib.SMTPResponseException as e:
            _raise_for(
                e.smtp_code,
                e.smtp_error.decode("utf-8", "replace")
                if isinstance(e.smtp_error, bytes)
                else str(e.smtp_error),
            )
        except (OSError, smtplib.SMTPException) as e:
            mailer.smtp = None
            raise TemporaryFailure(f"SMTP {m.host}:{m.port}: {type(e).__name__}: {e}") from e
        if refused:
            code = next(iter(refused.values()))[0]
            _raise_for(code, str(refused))
        return


def _raise_for(code: int, text: str) -> None:
    if 400 <= code < 500:
        raise TemporaryFailure(f"SMTP {code}: {text}")
    raise PermanentFailure(f"SMTP {code}: {text}")


def _send_outbox(mailer: Mailer, msg: Rendered) -> None:
    """Write the message as `<home>/outbox/<message-id hash>.eml`."""
    name = hashlib.sha256(msg.message_id.encode()).hexdigest()[:24] + ".eml"
    try:
        atomic_write(mailer.settings.home / "outbox" / name, msg.data)
    except OSError as e:
        raise TemporaryFailure(f"outbox: {e}") from e


def _send_log(mailer: Mailer, msg: Rendered) -> None:
    """Dry run: log recipient and subject only."""
    logger.info("reminder (dry run) to=%s subject=%s", ", ".join(msg.to), msg.subject)


BACKENDS: dict[str, Callable[[Mailer, Rendered], None]] = {
    "smtp": _send_smtp,
    "outbox": _send_outbox,
    "log": _send_log,
}
