"""Reminder e-mail: 10,000 reminders planned, rendered and delivered over SMTP to a local
aiosmtpd server, against sending the same pre-rendered messages over one connection (the
raw rate), in one run.

Usage: python benchmarks/bench_mail.py [--reminders N]
"""

from __future__ import annotations

import argparse
import smtplib
import socket
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiosmtpd.controller import Controller

from benchmarks.corpus import store_deadlines
from tracker.pipeline import Context, owed_messages, send_due_reminders
from tracker.remind.render import render_message
from tracker.remind.send import WIRE
from tracker.rules.loader import load_packs
from tracker.settings import load_settings
from tracker.store import Store


class Sink:
    """Accepts and counts."""

    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.count += 1
        return "250 OK"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reminders", type=int, default=10_000)
    a = ap.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = Sink()
    server = Controller(sink, hostname="127.0.0.1", port=port)
    server.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            settings = load_settings(None, home=str(Path(tmp) / "home"), environ={}).settings
            settings.mail.backend, settings.mail.host, settings.mail.port = (
                "smtp",
                "127.0.0.1",
                port,
            )
            now = datetime(2026, 1, 10, 14, tzinfo=UTC)
            store = Store(f"sqlite:///{tmp}/tracker.db")
            store.migrate(now)
            # All due in 3 to 6 days: the 7-day reminder is owed for each.
            store_deadlines(store, a.reminders, now.date() + timedelta(days=3), now, spread=4)
            ctx = Context(settings, store, load_packs())
            owed = owed_messages(ctx, now)
            # The baseline sends ready bytes: rendered and flattened before the clock starts,
            # so it times the SMTP conversation alone.
            ready = []
            for d in owed:
                m = render_message(d, settings.mail, now)
                ready.append((str(m["To"]), m.as_bytes(policy=WIRE)))
            start = time.perf_counter()
            with smtplib.SMTP("127.0.0.1", port) as smtp:
                for to, data in ready:
                    smtp.sendmail(settings.mail.sender, [to], data)
            raw = len(ready) / (time.perf_counter() - start)
            start = time.perf_counter()
            report = send_due_reminders(ctx, now)
            full = report.sent / (time.perf_counter() - start)
    finally:
        server.stop()
    print(f"reminders {report.sent} ({report.summary()}), server received {sink.count}")
    print(f"raw send (ready bytes, one connection) {raw:8.1f} messages/s")
    print(f"plan, render, claim, send, record       {full:8.1f} messages/s")
    print(f"ratio                                   {full / raw:8.1%}")


if __name__ == "__main__":
    main()
