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
from tracker.pipeline import Context, group_by_procedure
from tracker.rules.engine import derive
from tracker.rules.loader import load_packs
from tracker.settings import load_settings
from tracker.store import Store

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus-dev" / "corpus"


def _as(x: Extraction, company: str, product: str, n: int) -> Extraction:
    """The same reading, filed under another company and product, as a distinct text."""
    events = tuple(replace(e, product=product) for e in x.events)
    release = replace(x.release, company=company, product=product)
    digest = hashlib.sha256(f"{x.text_sha256}/{n}".encode()).hexdigest()
    return replace(x, release=release, events=events, text_sha256=digest, source=f"r{n}.txt")


def _run(readings: list[Extraction], one_product: bool, tmp: Path) -> float:
    settings = load_settings(None, home=str(tmp / "home"), environ={}).settings
    now = datetime(2026, 1, 1, tzinfo=UTC)
    store = Store(f"sqlite:///{tmp / ('one' if one_product else 'fresh')}.db")
    store.migrate(now)
    ctx = Context(settings, store, load_packs())
    today = now.date()
    start = time.perf_counter()
    for n, x in enumerate(readings):
        product = "Benchmab" if one_product else f"Fresh{n:05d}"
        y = _as(x, "Bench Pharma plc", product, n)
        store.ingest(
            y,
            "bench",
            f"item-{n}",
            None,
            now + timedelta(seconds=n),
            group_by_procedure(y),
            lambda state: derive(state, ctx.packs, today),
        )
    seconds = time.perf_counter() - start
    store.close()
    return len(readings) / seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--releases", type=int, default=1000)
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    a = ap.parse_args()
    docs = sorted(a.corpus.glob("*.txt"))
    if not docs:
        sys.exit(f"no releases in {a.corpus}")
    read = [extract(p.name, p.read_bytes()) for p in docs]
    readings = [read[i % len(read)] for i in range(a.releases)]
    with tempfile.TemporaryDirectory() as tmp:
        fresh = _run(readings, False, Path(tmp))
        one = _run(readings, True, Path(tmp))
    print(f"real releases {len(docs)}, ingested {a.releases} each way (store + derive)")
    print(f"fresh procedures       {fresh:8.1f} releases/s")
    print(f"one product's history  {one:8.1f} releases/s")
    print(f"ratio                  {one / fresh:8.2f}  (goal >= 0.80)")


if __name__ == "__main__":
    main()
