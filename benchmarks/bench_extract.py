"""Extraction throughput on one core, in-process, against dateparser's search_dates.

Both run in the same process on the same documents, so the ratio is meaningful even on a
busy machine. Usage: python benchmarks/bench_extract.py [--docs N] [--baseline-docs M]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.corpus import corpus
from tracker.extract import extract_text


def _rate(fn, docs: list[str], repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    """Documents per second: the best of `repeat` passes (the least disturbed by the machine)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for d in docs:
            fn(d)
        best = min(best, time.perf_counter() - start)
    return len(docs) / best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--baseline-docs", type=int, default=40)
    a = ap.parse_args()
    docs = corpus(a.docs)
    size = sum(map(len, docs)) / len(docs)
    _rate(lambda d: extract_text("bench.txt", d), docs[:50])  # warm-up: compile regexes
    ours = _rate(lambda d: extract_text("bench.txt", d), docs)
    print(f"documents {len(docs)}, mean size {size / 1000:.1f} KB")
    print(f"tracker.extract      {ours:10.1f} releases/s")
    try:
        from dateparser.search import search_dates
    except ImportError:
        print("dateparser not installed (pip install -e '.[bench]'): no baseline")
        return
    base_docs = docs[: a.baseline_docs]
    search_dates(base_docs[0][:200], languages=["en"])  # warm-up: load language data
    theirs = _rate(lambda d: search_dates(d, languages=["en"]), base_docs, repeat=1)
    print(f"dateparser.search    {theirs:10.1f} releases/s ({len(base_docs)} documents)")
    print(f"ratio                {ours / theirs:10.1f} x")


if __name__ == "__main__":
    main()
