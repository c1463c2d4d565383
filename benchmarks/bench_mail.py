"""Reminder e-mail: 10,000 reminders planned, rendered and delivered over SMTP to a local
aiosmtpd server, against sending the same messages, rendered and flattened beforehand, over
one connection with plain smtplib (the raw rate), in one run.

The server runs in a process of its own, as a mail server does (`--same-process` puts it in
a thread of this one: it then shares the interpreter lock with the sender, and its own work
is counted into whichever side is running).

Usage: python benchmarks/bench_mail.py [--reminders N] [--rounds R] [--same-process]
"""

from __future__ import annotations

import argparse
import multiprocessing
import smtplib
import socket
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiosmtpd.controller import Controller

from benchmarks.corpus import store_deadlines
from tracker.pipeline import Context, owed_messages, send_due_reminders
from tracker.remind.render import render
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


def _serve(port: int, ready: Any, stop: Any, count: Any) -> None:
    sink = Sink()
    server = Controller(sink, hostname="127.0.0.1", port=port)
    server.start()
    ready.set()
    stop.wait()
    count.value = sink.count
    server.stop()


class _Server:
    """The SMTP sink, in a child process (or a thread of this one)."""

    def __init__(self, port: int, same_process: bool) -> None:
        self.same_process = same_process
        if same_process:
            self.sink = Sink()
            self.controller = Controller(self.sink, hostname="127.0.0.1", port=port)
            self.controller.start()
            return
        ctx = multiprocessing.get_context("spawn")
        self.ready, self.stop_event = ctx.Event(), ctx.Event()
        self.count = ctx.Value("i", 0)
        self.proc = ctx.Process(
            target=_serve, args=(port, self.ready, self.stop_event, self.count), daemon=True
        )
        self.proc.start()
        if not self.ready.wait(30):
            raise SystemExit("the SMTP sink did not start")

    def stop(self) -> int:
        if self.same_process:
            self.controller.stop()
            return self.sink.count
        self.stop_event.set()
        self.proc.join(30)
        return int(self.count.value)


def _round(port: int, n: int, tmp: str) -> tuple[float, float, float, float, Any]:
    """One round in a fresh database: the raw send of ready bytes, then the tracker's run.
    Returns both rates, both CPU costs per message (ms) and the tracker's report."""
    settings = load_settings(None, home=str(Path(tmp) / "home"), environ={}).settings
    settings.mail.backend, settings.mail.host, settings.mail.port = "smtp", "127.0.0.1", port
    now = datetime(2026, 1, 10, 14, tzinfo=UTC)
    store = Store(f"sqlite:///{tmp}/tracker.db")
    store.migrate(now)
    # All due in 3 to 6 days: the 7-day reminder is owed for each.
    store_deadlines(store, n, now.date() + timedelta(days=3), now, spread=4)
    ctx = Context(settings, store, load_packs())
    owed = owed_messages(ctx, now)
    # The baseline sends ready bytes: rendered and flattened before the clock starts, so it
    # times the SMTP conversation alone.
    ready = []
    for d in owed:
        m = render(d, settings.mail, now)
        ready.append((m.to[0], m.data))
    start, cpu = time.perf_counter(), time.process_time()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for to, data in ready:
            smtp.sendmail(settings.mail.sender, [to], data)
    raw = len(ready) / (time.perf_counter() - start)
    raw_cpu = (time.process_time() - cpu) / len(ready) * 1000
    start, cpu = time.perf_counter(), time.process_time()
    report = send_due_reminders(ctx, now)
    full = report.sent / (time.perf_counter() - start)
    full_cpu = (time.process_time() - cpu) / max(1, report.sent) * 1000
    store.close()
    return raw, full, raw_cpu, full_cpu, report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reminders", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=1, help="rounds, each in a fresh database")
    ap.add_argument("--same-process", action="store_true")
    a = ap.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = _Server(port, a.same_process)
    results = []
    try:
        for _ in range(a.rounds):
            with tempfile.TemporaryDirectory() as tmp:
                results.append(_round(port, a.reminders, tmp))
    finally:
        received = server.stop()
    where = "a thread of this process" if a.same_process else "its own process"
    sent = sum(r[4].sent for r in results)
    print(f"SMTP sink in {where}; {a.rounds} round(s) of {a.reminders} reminders")
    print(f"sent {sent}, server received {received}")
    for raw, full, raw_cpu, full_cpu, report in results:
        print(
            f"raw send (ready bytes, one connection) {raw:7.1f}/s ({raw_cpu:.2f} ms CPU)   "
            f"plan, render, claim, send, record {full:7.1f}/s ({full_cpu:.2f} ms CPU)   "
            f"ratio {full / raw:6.1%}  [{report.summary()}]"
        )
    ratios = sorted(r[1] / r[0] for r in results)
    print(f"ratio, median of {len(ratios)} round(s)          {ratios[len(ratios) // 2]:8.1%}")


if __name__ == "__main__":
    main()
