"""End-to-end ingest from a folder into SQLite (extract, derive, store), against extraction alone.

Usage: python benchmarks/bench_ingest.py [--docs N]
Both are measured in the same process on the same files, so the ratio holds on a busy machine.
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--docs", type=int, default=10_000)
    a = ap.parse_args()
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
