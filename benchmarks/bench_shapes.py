"""The reader stays linear on pathological shapes of input (issue 14).

Each shape is fed to `tracker.extract.extract` at 1x, 4x and 16x a base size (16x is the
size at which it was reported, or more: 320 KB of `<p>x</p>`, a 120 KB run of `A-A-A-...` inside a
sentence with "(", 20,000 nested `<div>`s, ...). The cost may grow at most 20x for 16x the
size (linear, with room for noise); the script exits 1 when a shape grows faster, or when
any input takes over `--limit` seconds.

Usage: python benchmarks/bench_shapes.py [--limit 10]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracker.extract import extract

DATELINE = (
    "BOSTON, June 2, 2024 -- Acme Biologics, Inc. (Nasdaq: ACMB) said today that the FDA set "
    "a PDUFA target action date of June 28, 2031 for Zentra.\n\n"
)

# name -> (file name, base count, document for a count)
SHAPES: dict[str, tuple[str, int, Callable[[int], str]]] = {
    "<p>x</p> paragraphs": (
        "a.html",
        2_500,
        lambda n: f"<html><body><p>{DATELINE}</p>" + "<p>x</p>" * n + "</body></html>",
    ),
    "A-A-A run in a sentence with '('": (
        "a.txt",
        3_750,
        lambda n: DATELINE + "The FDA (" + "A-" * n + "A) will decide by June 2031.\n",
    ),
    "nested <div>s": (
        "a.html",
        2_500,
        lambda n: "<html><body>" + "<div>" * n + DATELINE + "</div>" * n + "</body></html>",
    ),
    "one sentence of many acts": (
        "a.txt",
        300,
        lambda n: (
            DATELINE
            + "The FDA approved, the EMA accepted, the CHMP adopted an opinion"
            + ", the FDA approved it in June 2031" * n
            + ".\n"
        ),
    ),
    "a line with no spaces": ("a.txt", 20_000, lambda n: DATELINE + "x" * (10 * n) + "\n"),
    "many short sentences": (
        "a.txt",
        500,
        lambda n: DATELINE + "The FDA will decide by June 2031. " * n + "\n",
    ),
    "unclosed tags": ("a.html", 4_000, lambda n: f"<p>{DATELINE}" + "<b><i><span>x" * n),
    "many parentheses": ("a.txt", 4_000, lambda n: DATELINE + "(" * n + "x" + ")" * n + "\n"),
    "dates in a row": (
        "a.txt",
        500,
        lambda n: DATELINE + "The opinion is due " + "June 28, 2031, " * n + "or later.\n",
    ),
}


def _cost(name: str, doc: str) -> float:
    data = doc.encode("utf-8")
    best = float("inf")
    for _ in range(3):  # CPU time of this process, the best of 3: others' load aside
        start = time.process_time()
        extract(name, data)
        best = min(best, time.process_time() - start)
    return best


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=float, default=10.0, help="seconds any one input may take")
    args = ap.parse_args()
    extract("warm.txt", DATELINE.encode())  # imports and compiled patterns out of the timing
    failed = False
    print("| shape | 1x size | 1x s | 4x / 1x | 16x / 1x | verdict |")
    print("| --- | --- | --- | --- | --- | --- |")
    for shape, (name, base, make) in SHAPES.items():
        costs = [_cost(name, make(base * k)) for k in (1, 4, 16)]
        ratio4, ratio16 = costs[1] / costs[0], costs[2] / costs[0]
        ok = ratio16 <= 20 and max(costs) <= args.limit
        failed |= not ok
        size = len(make(base).encode())
        print(
            f"| {shape} | {size / 1024:.0f} KB | {costs[0]:.3f} | {ratio4:.1f}x | "
            f"{ratio16:.1f}x | {'linear' if ok else 'TOO SLOW'} |"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
