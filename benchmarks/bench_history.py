"""Ingest cost against a procedure's history: 1,000 releases into one product's procedures
against 1,000 releases into fresh ones, in the same run, on real documents.

Usage: python benchmarks/bench_history.py [--releases N] [--corpus DIR]

The releases are the development corpus's real documents, read once (never copied into the
repository). For the long-history run every reading is filed under one company and product,
so its procedures (one per region) grow to hundreds of releases; for the fresh run each
reading gets a product of its own. Both runs store and derive exactly the same readings, so
the ratio of their rates is what a long history costs. The goal (issue 12): the long-history
rate is at least 80% of the fresh one.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracker.domain import Extraction
from tracker.extract import extract
from tracker.pipeline import Context, group_by_procedure, ingest_extraction
from tracker.rules.loader import load_packs
from tracker.settings import load_settings
from tracker.store import Store
from tracker.store.releases import Reading

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus-dev" / "corpus"


def _as(x: Extraction, company: str, product: str, n: int) -> Extraction:
    """The same reading, filed under another company and product, as a distinct text."""
    events = tuple(replace(e, product=product) for e in x.events)
    release = replace(x.release, company=company, product=product)
    digest = hashlib.sha256(f"{x.text_sha256}/{n}".encode()).hexdigest()
    return replace(x, release=release, events=events, text_sha256=digest, source=f"r{n}.txt")


class _Run:
    """One store and the releases ingested into it, with the time they took."""

    def __init__(self, readings: list[Extraction], one_product: bool, tmp: Path) -> None:
        self.readings, self.one_product = readings, one_product
        self.now = datetime(2026, 1, 1, tzinfo=UTC)
        settings = load_settings(None, home=str(tmp / "home"), environ={}).settings
        self.store = Store(f"sqlite:///{tmp / ('one' if one_product else 'fresh')}.db")
        self.store.migrate(self.now)
        self.ctx = Context(settings, self.store, load_packs())
        self.cpu = self.wall = 0.0
        self.cpu_per: list[float] = []  # per release

    def ingest(self, first: int, last: int) -> None:
        """Ingest readings first..last-1, timing each (process CPU time and wall time)."""
        for n in range(first, last):
            product = "Benchmab" if self.one_product else f"Fresh{n:05d}"
            y = _as(self.readings[n], "Bench Pharma plc", product, n)
            groups = group_by_procedure(y)
            cpu, wall = time.process_time(), time.perf_counter()
            reading = Reading(y, "bench", f"item-{n}", None, groups)
            ingest_extraction(self.ctx, reading, self.now + timedelta(seconds=n))
            self.cpu_per.append(time.process_time() - cpu)
            self.wall += time.perf_counter() - wall
        self.cpu = sum(self.cpu_per)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--releases", type=int, default=1000)
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--chunk", type=int, default=50, help="releases per turn of each run")
    a = ap.parse_args()
    docs = sorted(a.corpus.glob("*.txt"))
    if not docs:
        sys.exit(f"no releases in {a.corpus}")
    read = [extract(p.name, p.read_bytes()) for p in docs]
    readings = [read[i % len(read)] for i in range(a.releases)]
    with tempfile.TemporaryDirectory() as tmp:
        fresh, one = _Run(readings, False, Path(tmp)), _Run(readings, True, Path(tmp))
        # The two runs take turns, a chunk at a time, so both see the same machine (other
        # work on it comes and goes); each release is timed on the process's CPU clock.
        for first in range(0, a.releases, a.chunk):
            last = min(first + a.chunk, a.releases)
            for run in (fresh, one) if first // a.chunk % 2 == 0 else (one, fresh):
                run.ingest(first, last)
        fresh.store.close()
        one.store.close()
    n = a.releases
    tail = max(1, n // 5)
    print(f"real releases {len(docs)}, ingested {n} each way (store + derive), CPU time")
    print(f"fresh procedures                   {n / fresh.cpu:8.1f} releases/s")
    print(f"one product's history              {n / one.cpu:8.1f} releases/s")
    print(
        f"  its last {tail} (history {n - tail}+)       "
        f"{tail / sum(one.cpu_per[-tail:]):8.1f} releases/s"
    )
    print(f"  its first {tail}                    {tail / sum(one.cpu_per[:tail]):8.1f} releases/s")
    print(f"ratio                              {fresh.cpu / one.cpu:8.2f}  (goal >= 0.80)")
    print(
        f"wall clock: fresh {n / fresh.wall:.1f}/s, one product {n / one.wall:.1f}/s, "
        f"ratio {fresh.wall / one.wall:.2f}"
    )


if __name__ == "__main__":
    main()
