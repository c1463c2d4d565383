"""Which PDF library reads releases better: pypdf or pdfminer.six.

Every release of the development corpus (`../shared/corpus-dev/corpus`) is set as a PDF by
the tests' own writer (`tests/pdfgen.py`): once in one column and once in two columns, with
long words broken by a hyphen at line ends. Each library's text goes through the same
tracker clean-up (`tracker.extract.pdf.tidy`: hyphens at line ends rejoined, lines
unwrapped), and a sentence of the original counts as read when it is found, whitespace
aside, in that text; the two-column score also needs the columns in reading order. Time is
the best of 3 passes over the corpus, one core, in process.

Usage: python benchmarks/bench_pdf.py [--corpus DIR]
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import pdfgen
from tracker.extract.pdf import tidy

SHARED = ROOT.parent / "shared" / "corpus-dev" / "corpus"


def _pypdf(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)


def _pypdf_layout(data: bytes) -> str:
    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(data)).pages
    return "\n".join(p.extract_text(extraction_mode="layout") or "" for p in pages)


def _pdfminer(data: bytes) -> str:
    from pdfminer.high_level import extract_text

    return extract_text(io.BytesIO(data))


def _tracker(data: bytes) -> str:
    from tracker.extract.pdf import pdf_text

    return pdf_text(data)


READERS: dict[str, Callable[[bytes], str]] = {
    "pypdf (plain)": _pypdf,
    "pypdf (layout)": _pypdf_layout,
    "pdfminer.six (defaults)": _pdfminer,
    "pdfminer.six, boxes_flow=-0.5 (the tracker's)": _tracker,
}


def _squash(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def _sentences(text: str) -> list[str]:
    flat = _squash(text.encode("cp1252", "replace").decode("cp1252"))
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", flat) if len(s) > 40]


def score(reader: Callable[[bytes], str], docs: list[tuple[str, bytes]]) -> tuple[float, float]:
    """(share of sentences found, seconds per pass)."""
    found = total = 0
    best = float("inf")
    for _ in range(3):
        found = total = 0
        start = time.perf_counter()
        for original, data in docs:
            got = _squash(tidy(reader(data)))
            for s in _sentences(original):
                total += 1
                found += s in got
        best = min(best, time.perf_counter() - start)
    return found / max(total, 1), best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=SHARED)
    args = ap.parse_args()
    texts = [p.read_text("utf-8") for p in sorted(args.corpus.glob("*.txt"))]
    one = [(t, pdfgen.one_column(t)) for t in texts]
    two = [(t, pdfgen.two_columns(t)) for t in texts]
    rows = [(t, pdfgen.two_columns(t, rows=True)) for t in texts]
    print(f"{len(texts)} releases, {sum(len(d) for _, d in two) / len(two) / 1024:.1f} KB PDFs")
    print(
        "| library | one column: sentences read | two columns, written by column "
        "| two columns, written by row | s per pass (2 col) |"
    )
    print("| --- | --- | --- | --- | --- |")
    for name, reader in READERS.items():
        s1, _ = score(reader, one)
        s2, t2 = score(reader, two)
        s3, _ = score(reader, rows)
        print(f"| {name} | {s1:.1%} | {s2:.1%} | {s3:.1%} | {t2:.2f} |")


if __name__ == "__main__":
    main()
