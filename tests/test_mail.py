"""Reminders through a real SMTP conversation with an in-process aiosmtpd server."""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tracker.pipeline import Context, derive_deadlines, ingest_paths, send_due_reminders
from tracker.settings import RecipientSettings

RELEASE = (
    "BOSTON, June 10, 2024 /PRNewswire/ -- Acme Inc. (Nasdaq: ACME) said today that the "
    "FDA set a PDUFA target action date of June 28, 2024 for Zentra(R).\n"
)
NOW = datetime(2024, 6, 10, 14, tzinfo=UTC)  # 18 days ahead: the 30-day reminder is owed


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    """An aiosmtpd handler that keeps messages, or answers with a chosen error."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.rcpt_reply: str | None = None

    async def handle_RCPT(
        self,
        server: Any,
        session: Any,
        envelope: Any,
        address: str,
        options: Any,
    ) -> str:
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted"


@pytest.fixture
def smtp() -> Iterator[tuple[Controller, Inbox]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def _smtp_ctx(ctx: Context, controller: Controller, **mail: Any) -> Context:
    m = ctx.settings.mail
    m.backend, m.host, m.port, m.timeout_seconds = "smtp", "127.0.0.1", controller.port, 5.0
    for k, v in mail.items():
        setattr(m, k, v)
    return ctx


@pytest.fixture
def acme(ctx: Context, tmp_path: Path) -> Context:
    release = tmp_path / "acme.txt"
    release.write_text(RELEASE)
    ingest_paths(ctx, [release], NOW)
    return ctx


def test_delivery_and_message_structure(acme: Context, smtp: tuple[Controller, Inbox]) -> None:
    controller, inbox = smtp
    ctx = _smtp_ctx(acme, controller, list_unsubscribe_url="https://example.org/unsubscribe")
    report = send_due_reminders(ctx, NOW)
    assert (report.sent, report.failed) == (1, 0)
    (msg,) = inbox.messages
    assert msg["To"] == "deadlines@localhost" and msg["Auto-Submitted"] == "auto-generated"
    assert msg["List-Unsubscribe"] == "<https://example.org/unsubscribe>"
    assert msg["Subject"].startswith(
        "FDA action (goal) date: Zentra: Fri 28 June 2024 (in 18 days)"
    )
    kinds = [p.get_content_type() for p in msg.walk()]
    assert kinds[:4] == ["multipart/mixed", "multipart/alternative", "text/plain", "text/html"]
    ics = next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
    (event,) = icalendar.Calendar.from_ical(ics.get_content()).walk("VEVENT")
    assert str(event["DTSTART"].to_ical(), "ascii") == "20240628"
    assert send_due_reminders(ctx, NOW + timedelta(hours=1)).sent == 0  # never twice


def test_temporary_failure_is_retried_later(acme: Context, smtp: tuple[Controller, Inbox]) -> None:
    controller, inbox = smtp
    ctx = _smtp_ctx(acme, controller)
    inbox.rcpt_reply = "451 4.3.0 try again later"
    assert send_due_reminders(ctx, NOW).deferred == 1
    inbox.rcpt_reply = None
    assert send_due_reminders(ctx, NOW + timedelta(seconds=30)).sent == 0  # still waiting
    assert send_due_reminders(ctx, NOW + timedelta(minutes=5)).sent == 1
    assert len(inbox.messages) == 1


def test_permanent_failure_is_recorded_not_retried(
    acme: Context, smtp: tuple[Controller, Inbox]
) -> None:
    controller, inbox = smtp
    ctx = _smtp_ctx(acme, controller)
    inbox.rcpt_reply = "550 5.1.1 no such user"
    assert send_due_reminders(ctx, NOW).rejected == 1
    inbox.rcpt_reply = None
    assert send_due_reminders(ctx, NOW + timedelta(days=1)).sent == 0
    (row,) = ctx.store.rejected_messages()
    assert "550" in (row.error or "")


def test_server_down_then_back(acme: Context) -> None:
    port = _port()
    ctx = acme
    m = ctx.settings.mail
    m.backend, m.host, m.port, m.timeout_seconds = "smtp", "127.0.0.1", port, 2.0
    assert send_due_reminders(ctx, NOW).deferred == 1  # nobody listens
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert send_due_reminders(ctx, NOW + timedelta(hours=1)).sent == 1
    finally:
        controller.stop()
    assert len(inbox.messages) == 1


def test_a_claim_left_by_a_crash_is_sent_again_with_the_same_id(
    acme: Context, smtp: tuple[Controller, Inbox]
) -> None:
    controller, inbox = smtp
    ctx = _smtp_ctx(acme, controller)
    from tracker.pipeline import owed_messages
    from tracker.remind.render import message_id

    (due,) = owed_messages(ctx, NOW)
    keys = (due.deadline_key, due.kind, due.tag, due.recipient.address)
    assert ctx.store.claim_message(*keys, message_id(due), due.deadlines[0].end, NOW)
    # The process died here, after the claim and before the server accepted the message.
    assert send_due_reminders(ctx, NOW + timedelta(minutes=1)).sent == 0  # the claim is live
    assert send_due_reminders(ctx, NOW + timedelta(minutes=11)).sent == 1  # its lease expired
    assert inbox.messages[0]["Message-ID"] == message_id(due)


def test_an_expired_claim_goes_to_one_run_and_the_old_one_stands_down(acme: Context) -> None:
    keys = ("acme/x/fda/goal", "lead", "7", "ra@example.com")
    store, lease = acme.store, timedelta(seconds=5)
    assert store.claim_messages([(keys, "<m@x>", None)], NOW, lease, "slow") == {keys}
    later = NOW + timedelta(seconds=6)  # the slow run has not confirmed it in time
    assert store.claim_messages([(keys, "<m@x>", None)], later, lease, "fast") == {keys}
    assert store.claim_messages([(keys, "<m@x>", None)], later, lease, "third") == set()
    assert not store.confirm_message(keys, "slow", later)  # it must not send it now
    assert store.confirm_message(keys, "fast", later)
    # Confirming restarts the lease: no one takes it over while it is being sent.
    soon = later + timedelta(seconds=4)
    assert store.confirm_message(keys, "fast", soon)
    assert store.claim_messages([(keys, "<m@x>", None)], soon + lease / 2, lease, "x") == set()


def test_a_run_confirms_only_claims_past_half_their_lease_and_skips_one_taken_over(
    ctx: Context, smtp: tuple[Controller, Inbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Claims younger than half their lease go out unconfirmed (no other run can take one
    before it expires); older ones are confirmed, renewed, and skipped when another run
    took one over after it expired. The clock moves 3 s with every message the server
    takes in; on the third, another run takes over the fourth message's expired claim."""
    from benchmarks.corpus import store_deadlines
    from tracker import pipeline
    from tracker.pipeline import owed_messages

    controller, inbox = smtp
    ctx = _smtp_ctx(ctx, controller)
    ctx.settings.reminders.claim_lease_seconds = 10
    store_deadlines(ctx.store, 10, NOW.date() + timedelta(days=3), NOW, products=1, spread=1)
    owed = owed_messages(ctx, NOW)
    assert len(owed) == 10
    clock = [0.0]
    monkeypatch.setattr(pipeline, "monotonic", lambda: clock[0])
    keys = [(d.deadline_key, d.kind, d.tag, d.recipient.address) for d in owed]
    took = inbox.handle_DATA

    async def data(server: Any, session: Any, envelope: Any) -> str:
        answer = await took(server, session, envelope)
        clock[0] += 3.0
        if len(inbox.messages) == 3:  # the batch's claims are 12 s old: the lease ran out
            clock[0] = 12.0
            taken = ctx.store.claim_messages(
                [(keys[3], "<other@x>", None)], NOW + timedelta(seconds=12),
                timedelta(seconds=10), "another run",
            )  # fmt: skip
            assert taken == {keys[3]}
        return answer

    monkeypatch.setattr(inbox, "handle_DATA", data)
    assert send_due_reminders(ctx, NOW).sent == 9  # all but the one taken over
    assert len(inbox.messages) == 9
    log = ctx.store.reminder_log()
    batch = log[keys[0]].claimed_at
    assert log[keys[1]].claimed_at == batch  # 3 s into a 10 s lease: not confirmed
    assert log[keys[2]].claimed_at == batch + timedelta(seconds=6)  # confirmed, renewed
    assert log[keys[4]].claimed_at == batch + timedelta(seconds=12)  # expired, still ours
    assert [log[k].status for k in keys] == ["sent"] * 3 + ["claimed"] + ["sent"] * 6
    assert log[keys[3]].claim_token == "another run"


def test_moved_cancelled_and_overdue_notices(acme: Context, tmp_path: Path) -> None:
    ctx = acme
    assert send_due_reminders(ctx, NOW).sent == 1
    moved = tmp_path / "moved.txt"
    moved.write_text(
        RELEASE.replace("June 10", "June 12").replace(
            "set a PDUFA target action date of June 28",
            "extended the PDUFA goal date by three months; the new PDUFA goal date is September 28",
        )
    )
    ingest_paths(ctx, [moved], NOW + timedelta(days=2))
    send_due_reminders(ctx, NOW + timedelta(days=2))
    subjects = sorted(_outbox_subjects(ctx))
    assert any(
        s.startswith(
            "Moved: FDA action (goal) date: Zentra now Sat 28 September 2024 (was Fri 28 June 2024)"
        )
        for s in subjects
    ), subjects
    # The goal date passes with no FDA action in the news: one follow-up, once.
    later = datetime(2024, 9, 30, 14, tzinfo=UTC)
    derive_deadlines(ctx, None, later)
    assert send_due_reminders(ctx, later).sent == 1
    assert send_due_reminders(ctx, later + timedelta(days=1)).sent == 0
    assert any(
        s.startswith("Overdue: FDA action (goal) date: Zentra") for s in _outbox_subjects(ctx)
    )


def _outbox_subjects(ctx: Context) -> list[str]:
    out = []
    for f in (ctx.settings.home / "outbox").glob("*.eml"):
        out.append(email.message_from_bytes(f.read_bytes(), policy=email.policy.default)["Subject"])
    return out


def test_recipients_filters_and_digests(acme: Context) -> None:
    ctx = acme
    ctx.settings.recipients = [
        RecipientSettings(address="fda@example.org", authorities=["FDA"], mode="daily"),
        RecipientSettings(address="eu@example.org", authorities=["EMA"]),
        RecipientSettings(
            address="ra@example.org",
            products=["zentra"],
            days_before=[7],
            send_at="09:00",
            timezone="Europe/Amsterdam",
        ),
    ]
    report = send_due_reminders(ctx, NOW)
    assert report.sent == 1  # the FDA digest; ra@ wants 7 days ahead only, eu@ nothing
    (subject,) = _outbox_subjects(ctx)
    assert subject.startswith("1 regulatory deadline coming up (next: Fri 28 June 2024)")
    # 21 June 2024, 09:00 in Amsterdam is 07:00 UTC: the 7-day reminder to ra@.
    assert send_due_reminders(ctx, datetime(2024, 6, 21, 6, 59, tzinfo=UTC)).sent == 0
    assert send_due_reminders(ctx, datetime(2024, 6, 21, 7, 0, tzinfo=UTC)).sent == 1
    # That day's digest for fda@ at 08:00 in New York (12:00 UTC), one per day.
    assert send_due_reminders(ctx, datetime(2024, 6, 21, 12, 0, tzinfo=UTC)).sent == 1
    assert send_due_reminders(ctx, datetime(2024, 6, 21, 18, 0, tzinfo=UTC)).sent == 0


def test_invalid_addresses_are_refused() -> None:
    from tracker.errors import ConfigError
    from tracker.remind.render import address

    for bad in ("no-at-sign", "a@b\r\nBcc: x@y", " padded@example.org"):
        with pytest.raises(ConfigError):
            address(bad)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_starttls_and_login(acme: Context, certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = Inbox()

    def authenticator(
        server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"s3cret"
        return AuthResult(success=ok)

    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=_port(),
        tls_context=context,
        require_starttls=True,
        authenticator=authenticator,
        auth_require_tls=True,
    )
    controller.start()
    try:
        ctx = _smtp_ctx(
            acme,
            controller,
            security="starttls",
            username="tracker",
            password="s3cret",
            verify_tls=False,
        )
        assert send_due_reminders(ctx, NOW).sent == 1
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
