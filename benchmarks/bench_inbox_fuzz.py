"""The inbox under a long run of bad input: nothing stuck, nothing silently unread.

Fills an inbox with `--files` entries, generated from a seed: real releases (the development
corpus) mutated byte-wise, cut short, re-encoded (UTF-16, Windows-1252), wrapped in HTML,
e-mail (odd charsets, long headers) or PDF, given odd names (not UTF-8, 250+ bytes,
newlines, unknown suffixes), and entries that are no regular files (FIFOs, links, folders).
Then runs the daemon's inbox job (with the clock stepped 31 s a poll) until nothing changes,
on SQLite, or on PostgreSQL with `--postgres URL`.

Checks: no job run failed; the inbox holds nothing but `*.part` and dot files; every entry
ended in `processed/` or in `failed/` with its reason file; the verdict of `/healthz` is ok.
Prints the counts and the slowest poll; exits 1 on any broken check.

Usage: python benchmarks/bench_inbox_fuzz.py [--files 5000] [--seed 14] [--postgres URL]
       [--corpus DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import time_machine

from tests import pdfgen
from tracker import health
from tracker.pipeline import Context
from tracker.rules.loader import load_packs
from tracker.scheduler import run_job, source_step
from tracker.settings import load_settings
from tracker.sources.folder import FolderSource
from tracker.store import Store

CORPUS = ROOT.parent / "shared" / "corpus-dev" / "corpus"
FALLBACK = (
    "BOSTON, June 2, 2024 -- Acme Biologics, Inc. (Nasdaq: ACMB) said today that the FDA set "
    "a PDUFA target action date of June 28, 2031 for Zentra."
)
SUFFIXES = [".txt", ".html", ".htm", ".eml", ".pdf", ".TXT", ".docx", ".tmp", "", ".part"]


def _mutate(rng: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 12)):
        op = rng.random()
        i = rng.randrange(len(b) + 1)
        if op < 0.3 and b:
            b[min(i, len(b) - 1)] = rng.randrange(256)
        elif op < 0.5:
            b[i:i] = rng.choice([b"\x00", b"\r", b"\xff\xfe", b"(", b"A-" * 500, b"<div>" * 200])
        elif op < 0.7 and b:
            del b[i : i + rng.randint(1, 200)]
        else:
            j = rng.randrange(len(b) + 1)
            b[i:i] = b[j : j + rng.randint(1, 400)]
    return bytes(b)


def _entry(rng: random.Random, inbox: Path, n: int, texts: list[str]) -> None:
    text = rng.choice(texts)
    suffix = rng.choice(SUFFIXES)
    stem = f"f{n:06d}"
    r = rng.random()
    if r < 0.03:
        stem += os.fsdecode(b"-\xff\xfe")
    elif r < 0.05:
        stem += "-" + "n" * rng.randint(230, 250 - len(suffix) - 7)
    elif r < 0.06:
        stem += "-new\nline"
    name = stem + suffix
    path = inbox / name
    kind = rng.random()
    if kind < 0.02:
        os.mkfifo(path)
        return
    if kind < 0.04:
        path.symlink_to(rng.choice([inbox.parent / "nowhere", Path("/etc/hostname")]))
        return
    if kind < 0.05:
        path.mkdir()
        return
    if suffix == ".pdf":
        data = rng.choice(
            [pdfgen.one_column(text), pdfgen.two_columns(text, rows=True), pdfgen.no_text_layer()]
        )
    elif suffix == ".eml":
        charset = rng.choice(["utf-8", "x-bogus", "latin-1", "utf-16"])
        subject = "S" * rng.choice([5, 5000])
        head = f"Subject: {subject}\r\nContent-Type: text/plain; charset={charset}\r\n"
        data = head.encode() + b"\r\n" + text.encode("utf-8")
    elif suffix in (".html", ".htm"):
        data = ("<html><body><p>" + text.replace("\n\n", "</p><p>") + "</p></body></html>").encode()
    else:
        data = rng.choice(
            [
                text.encode("utf-8"),
                text.encode("utf-16"),
                text.encode("cp1252", "replace"),
                b"",
                os.urandom(rng.randint(1, 2000)),
            ]
        )
    if rng.random() < 0.5:
        data = _mutate(rng, data)
    if rng.random() < 0.1:
        data = data[: rng.randrange(len(data) + 1)]
    path.write_bytes(data)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--postgres", default="", help="a PostgreSQL URL (an empty database)")
    ap.add_argument("--corpus", type=Path, default=CORPUS, help="folder of real releases")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    texts = [p.read_text("utf-8") for p in sorted(args.corpus.glob("*.txt"))] or [FALLBACK]
    tmp = Path(tempfile.mkdtemp(prefix="inbox-fuzz-"))
    try:
        settings = load_settings(config=None, home=str(tmp / "home"), environ={}).settings
        inbox = settings.home / "inbox"
        inbox.mkdir(parents=True)
        for n in range(args.files):
            _entry(rng, inbox, n, texts)
        entries = set(os.listdir(inbox))
        store = Store(args.postgres or f"sqlite:///{tmp / 'tracker.db'}")
        store.migrate(datetime.now(UTC))
        ctx = Context(settings, store, load_packs())
        job = source_step(FolderSource("inbox", inbox))
        at = datetime.now(UTC)
        slowest = 0.0
        polls = 0
        before: list[str] | None = None
        while True:
            with time_machine.travel(at, tick=False):
                t = time.perf_counter()
                run_job(ctx, "ingest:inbox", job)
                slowest = max(slowest, time.perf_counter() - t)
            polls += 1
            left = sorted(os.listdir(inbox))
            if left == before or polls > 20:
                break
            before, at = left, at + timedelta(seconds=31)
        verdict = health.check(store, settings, at)
        processed = set(os.listdir(inbox / "processed"))
        failed_dir = settings.home / "failed"
        failed = {p for p in os.listdir(failed_dir) if not p.endswith(".error.txt")}
        reasons = {p for p in os.listdir(failed_dir) if p.endswith(".error.txt")}
        waiting = [p for p in left if p != "processed"]
        writers = [p for p in waiting if p.startswith(".") or p.lower().endswith(".part")]
        stuck = sorted(set(waiting) - set(writers))
        with store.engine.connect() as conn:
            from sqlalchemy import func, select

            from tracker.store.tables import JobRunRow

            bad_runs = conn.execute(
                select(func.count()).select_from(JobRunRow).where(JobRunRow.ok.is_(False))  # type: ignore[attr-defined]
            ).scalar()
        print(f"{args.files} entries, seed {args.seed}, {polls} polls, slowest {slowest:.1f} s")
        print(
            f"processed {len(processed)}, failed {len(failed)} (reason files {len(reasons)}), "
            f"left for their writers {len(writers)}, stuck {len(stuck)}, failed job runs {bad_runs}"
        )
        print(f"health: {verdict.status} {verdict.problems}")
        ok = (
            not stuck
            and bad_runs == 0
            and verdict.ok
            and len(reasons) >= len(failed)
            and len(processed) + len(failed) + len(writers) >= len(entries)
        )
        if stuck:
            print("stuck:", stuck[:20])
        store.close()
        return 0 if ok else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
