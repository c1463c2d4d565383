"""Robustness of the reader: many generated and mutated inputs through `extract`.

Mutations of the development corpus's real releases (and of the test fixtures) insert,
delete, swap and repeat words and drop in hostile phrases (reversed ranges, absurd offsets,
long runs of "A-A-A-", dashes, ligatures, French dates). Every input must come out without
an exception, within a second, and within the contract: start <= end, ISO dates, evidence
found verbatim in the document (whitespace aside).

Usage: python benchmarks/bench_fuzz.py [--inputs 100000] [--corpus DIR] [--seed N]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.test_extract_properties import FIXTURE_TEXTS, _mutate, check_mutated

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus-dev" / "corpus"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--inputs", type=int, default=100_000)
    ap.add_argument("--corpus", type=Path, default=SHARED)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    texts = list(FIXTURE_TEXTS)
    if a.corpus.is_dir():
        texts += [p.read_text("utf-8", "replace") for p in sorted(a.corpus.glob("*.txt"))]
    rnd = random.Random(a.seed)
    errors = slow = broken = 0
    worst = 0.0
    start = time.perf_counter()
    for n in range(a.inputs):
        text = _mutate(rnd.choice(texts), rnd, rnd.randint(1, 40))
        t0 = time.perf_counter()
        try:
            check_mutated(text)
        except AssertionError as e:
            broken += 1
            if broken <= 5:
                print(f"contract break (input {n}): {e}"[:300])
        except Exception as e:
            errors += 1
            if errors <= 5:
                print(f"exception (input {n}): {type(e).__name__}: {e}"[:300])
        took = time.perf_counter() - t0
        worst = max(worst, took)
        slow += took > 1.0
    total = time.perf_counter() - start
    print(f"inputs {a.inputs} from {len(texts)} documents in {total:.0f} s")
    print(f"exceptions {errors}, over 1 s {slow}, contract breaks {broken}, slowest {worst:.3f} s")
    sys.exit(1 if errors or slow or broken else 0)


if __name__ == "__main__":
    main()
