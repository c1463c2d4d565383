"""Delivery backends: `outbox` (.eml files), `smtp` (a real SMTP conversation), `log` (dry run)."""

from __future__ import annotations

import hashlib
import logging
import os
import smtplib
import tempfile
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

from tracker.errors import DeliveryError
from tracker.settings import Settings

logger = logging.getLogger(__name__)

Backend = Callable[[EmailMessage, Settings], None]


def atomic_write(path: Path, data: bytes) -> None:
    """Write a file so readers see the old content or the new, never a half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def send_outbox(msg: EmailMessage, settings: Settings) -> None:
    """Write the message as `<home>/outbox/<message-id hash>.eml`."""
    name = hashlib.sha256(str(msg["Message-ID"]).encode()).hexdigest()[:24] + ".eml"
    atomic_write(settings.home / "outbox" / name, bytes(msg))


def send_smtp(msg: EmailMessage, settings: Settings) -> None:
    """Deliver through the configured SMTP server."""
    m = settings.mail
    try:
        with smtplib.SMTP(m.smtp_host, m.smtp_port, timeout=30) as smtp:
            if m.smtp_starttls:
                smtp.starttls()
            if m.smtp_username:
                smtp.login(m.smtp_username, m.smtp_password)
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as e:
        raise DeliveryError(f"SMTP {m.smtp_host}:{m.smtp_port}: {e}") from e


def send_log(msg: EmailMessage, settings: Settings) -> None:
    """Dry run: log recipient and subject only."""
    logger.info("reminder (dry run) to=%s subject=%s", msg["To"], msg["Subject"])


BACKENDS: dict[str, Backend] = {"outbox": send_outbox, "smtp": send_smtp, "log": send_log}
