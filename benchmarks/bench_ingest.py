"""End-to-end ingest from a folder into SQLite (extract, derive, store), against extraction alone.

Usage: python benchmarks/bench_ingest.py [--docs N]
       python benchmarks/bench_ingest.py --real [--rounds R]
Both are measured in the same process on the same files, so the ratio holds on a busy machine.
`--real` reads the development corpus (`../shared/corpus-dev`, real releases) instead of
generated ones: R rounds, each ingesting all of it into the same database (so procedures'
histories grow), the extraction of the same files timed just before each round.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.corpus import corpus
from tracker.extract import extract
from tracker.pipeline import Context, expand_paths, ingest_paths
from tracker.rules.loader import load_packs
from tracker.settings import load_settings
from tracker.store import Store


def _real(rounds: int) -> None:
    """The development corpus ingested `rounds` times into one database, as a daemon that
    runs for a while sees it: each round's copies carry a line of their own (so none is a
    duplicate of the last), and their extraction alone is timed on the same bytes."""
    from benchmarks.realdata import CORPUS

    originals = expand_paths([CORPUS])
    if not originals:
        raise SystemExit(f"no development corpus at {CORPUS}")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    extract_s = ingest_s = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(None, home=str(Path(tmp) / "home"), environ={}).settings
        store = Store(f"sqlite:///{Path(tmp) / 'tracker.db'}")
        store.migrate(now)
        ctx = Context(settings, store, load_packs())
        for r in range(rounds):
            folder = Path(tmp) / f"round{r:03d}"
            folder.mkdir()
            for f in originals:
                (folder / f.name).write_bytes(f.read_bytes() + f"\n\nRef. {r}\n".encode())
            files = expand_paths([folder])
            start = time.process_time()
            for f in files:
                extract(f.name, f.read_bytes())
            extract_s += time.process_time() - start
            start = time.process_time()
            report = ingest_paths(ctx, files, now)
            ingest_s += time.process_time() - start
        store.close()
    n = len(originals) * rounds
    print(f"real releases {len(originals)} x {rounds} rounds into one database: {report.summary()}")
    print("(CPU time of this process)")
    print(f"extraction alone     {n / extract_s:8.1f} releases/s")
    print(f"ingest end to end    {n / ingest_s:8.1f} releases/s")
    print(f"store and derive / extraction = {(ingest_s - extract_s) / extract_s:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--real", action="store_true", help="the development corpus, not generated")
    ap.add_argument("--rounds", type=int, default=20)
    a = ap.parse_args()
    if a.real:
        _real(a.rounds)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "releases"
        folder.mkdir()
        for i, text in enumerate(corpus(a.docs, seed=11)):
            (folder / f"{i:06d}.txt").write_text(text)
        files = expand_paths([folder])
        start = time.perf_counter()
        for f in files:
            extract(f.name, f.read_bytes())
        extract_s = time.perf_counter() - start
        settings = load_settings(None, home=str(Path(tmp) / "home"), environ={}).settings
        now = datetime(2026, 1, 1, tzinfo=UTC)
        store = Store(f"sqlite:///{Path(tmp) / 'tracker.db'}")
        store.migrate(now)
        ctx = Context(settings, store, load_packs())
        start = time.perf_counter()
        report = ingest_paths(ctx, files, now)
        ingest_s = time.perf_counter() - start
        store.close()
    n = len(files)
    print(f"releases {n}: {report.summary()}")
    print(f"extraction alone     {n / extract_s:8.1f} releases/s")
    print(f"ingest end to end    {n / ingest_s:8.1f} releases/s")
    print(
        f"store share          {(ingest_s - extract_s) / ingest_s:8.1%} of ingest time "
        f"(store/extract = {(ingest_s - extract_s) / extract_s:.2f})"
    )


if __name__ == "__main__":
    main()
