"""Extraction speed on real releases, in one process, against dateparser's search_dates.

The documents are the development corpus (`../shared/corpus-dev/corpus`, real releases
rewritten in our words). Both readers run on one core in the same process on the same
decoded texts, so the ratio holds on a busy machine where absolute numbers drift. Also:
`tracker extract` over a folder of N releases as a user runs it (start-up included), and
the cost of a release repeated 64 times against 64 times its own cost (linearity).

Usage: python benchmarks/bench_extract.py [--corpus DIR] [--rounds 20] [--folder 5000]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracker.extract import extract_text, text

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpus-dev" / "corpus"


def _best(fn, docs: list[str], rounds: int) -> float:  # type: ignore[no-untyped-def]
    """Seconds for one pass over `docs`: the best of `rounds` (the least disturbed)."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for d in docs:
            fn(d)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", type=Path, default=SHARED)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--folder", type=int, default=5000, help="releases for the CLI run (0: skip)")
    a = ap.parse_args()
    files = sorted(p for p in a.corpus.iterdir() if p.suffix in (".txt", ".html", ".htm"))
    if not files:
        sys.exit(f"no releases in {a.corpus}")
    docs = [text.load(p.name, p.read_bytes()).text for p in files]
    size = sum(map(len, docs)) / len(docs)
    ours = len(docs) / _best(lambda d: extract_text("b.txt", d), docs, a.rounds)
    print(f"documents {len(docs)} real releases, mean size {size / 1000:.1f} KB")
    print(f"tracker.extract        {ours:9.0f} releases/s (one core)")
    try:
        from dateparser.search import search_dates
    except ImportError:
        print("dateparser not installed (pip install -e '.[bench]'): no baseline")
    else:
        search_dates(docs[0][:200], languages=["en"])  # load its language data first
        theirs = len(docs) / _best(lambda d: search_dates(d, languages=["en"]), docs, 1)
        print(f"dateparser.search      {theirs:9.1f} releases/s (same documents)")
        print(f"ratio                  {ours / theirs:9.1f} x")
    # Linearity: one release 64 times over against 64 times the release.
    one = max(docs, key=len)
    t1 = _best(lambda d: extract_text("b.txt", d), [one], a.rounds)
    t64 = _best(lambda d: extract_text("b.txt", d), ["\n\n".join([one] * 64)], 3)
    print(f"64x one release        {t64 / t1:9.1f} times its cost (linear: at most 64)")
    if a.folder:
        with tempfile.TemporaryDirectory() as tmp:
            for n in range(a.folder):
                src = files[n % len(files)]
                shutil.copyfile(src, Path(tmp) / f"{n:05d}_{src.name}")
            cmd = [sys.executable, str(ROOT / "run.py"), "extract", "--format", "jsonl", tmp]
            start = time.perf_counter()
            out = subprocess.run(cmd, capture_output=True, check=True).stdout
            took = time.perf_counter() - start
        lines = out.count(b"\n")
        rate = a.folder / took
        print(f"tracker extract folder {rate:9.0f} releases/s ({lines} lines, with start-up)")


if __name__ == "__main__":
    main()
