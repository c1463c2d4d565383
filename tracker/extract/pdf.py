"""PDF releases: their text layer, in reading order, with line-end hyphens rejoined.

Read with pdfminer.six, whose layout analysis finds the columns of a two-column page
whatever order the producer wrote the text in; its box ordering is weighted towards
columns (`boxes_flow`), which `benchmarks/bench_pdf.py` measured best on releases set in
two columns (README, "PDF releases", compares it with pypdf).
A PDF with no text layer (a scan) cannot be read here and says so.
"""

from __future__ import annotations

import io
import logging
import re

from tracker.errors import ExtractError

# A word broken at a line's end: letters, a hyphen, the line break, lower-case letters.
_BROKEN = re.compile(r"(?<=[^\W\d_]{2})-[ \t]*\n[ \t]*(?=[^\W\d_A-Z]{2})")
MAX_PAGES = 50  # a release is a few pages; pdfminer.six takes about 0.2 s a page
# pdfminer's default is 0.5; -0.5 orders text boxes column by column (measured).
BOXES_FLOW = -0.5


def tidy(raw: str) -> str:
    """The text of a PDF as a text release: form feeds become paragraph breaks, words
    broken with a hyphen at a line's end are whole again."""
    text = raw.replace("\x0c", "\n\n")
    return _BROKEN.sub("", text)


def pdf_text(data: bytes) -> str:
    """The text of a PDF release; ExtractError when it is no PDF, is encrypted, or has no
    text layer."""
    try:
        from pdfminer.high_level import extract_text
        from pdfminer.layout import LAParams
        from pdfminer.pdfparser import PDFSyntaxError
    except ImportError as e:  # pragma: no cover - a dependency of the package
        raise ExtractError("PDF releases need pdfminer.six (pip install pdfminer.six)") from e
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    if not data.lstrip()[:1024].startswith(b"%PDF-"):
        raise ExtractError("not a PDF (no %PDF- header)")
    try:
        raw = extract_text(
            io.BytesIO(data), laparams=LAParams(boxes_flow=BOXES_FLOW), maxpages=MAX_PAGES
        )
    except PDFSyntaxError as e:
        raise ExtractError(f"a damaged PDF: {e}") from e
    except Exception as e:  # pdfminer raises many kinds; all mean "cannot be read"
        raise ExtractError(f"the PDF cannot be read: {type(e).__name__}: {e}") from e
    text = tidy(raw)
    if not text.strip():
        raise ExtractError(
            "a PDF without a text layer (a scanned image?): there is no text to read"
        )
    return text
