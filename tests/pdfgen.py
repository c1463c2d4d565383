"""A minimal PDF writer for tests: pages of text lines placed where we say (one or two
columns, a word broken with a hyphen at a line's end), or a page with no text layer at all.

Only what the tests need: the standard Helvetica font (no embedding), WinAnsi encoding,
one content stream per page, a correct cross-reference table.
"""

from __future__ import annotations

import textwrap
import zlib

PAGE_W, PAGE_H = 612, 792
FONT_SIZE = 10
LEADING = 13


def _escape(s: str) -> bytes:
    raw = s.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _stream(lines: list[tuple[float, float, str]]) -> bytes:
    out = [b"BT", f"/F1 {FONT_SIZE} Tf".encode()]
    for x, y, s in lines:
        out.append(f"1 0 0 1 {x:.1f} {y:.1f} Tm".encode())
        out.append(b"(" + _escape(s) + b") Tj")
    out.append(b"ET")
    return b"\n".join(out)


def pdf(pages: list[list[tuple[float, float, str]]], compress: bool = True) -> bytes:
    """A PDF whose pages hold the given (x, y, text) lines; an empty page list item gives
    a page with no text (a scan's page, without its image)."""
    objects: list[bytes] = []
    n_pages = len(pages)
    # 1: catalog, 2: pages, 3: font, then per page: page, content.
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(n_pages))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode())
    objects.append(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    for i, lines in enumerate(pages):
        content = 5 + 2 * i
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {content} 0 R >>".encode()
        )
        body = _stream(lines) if lines else b"q 0 0 0 rg 72 72 468 648 re f Q"
        if compress:
            data = zlib.compress(body)
            head = f"<< /Length {len(data)} /Filter /FlateDecode >>".encode()
        else:
            data, head = body, f"<< /Length {len(body)} >>".encode()
        objects.append(head + b"\nstream\n" + data + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` characters; a long word at a line's end is broken with a
    hyphen where it has at least four letters on each side (as typesetters do)."""
    lines: list[str] = []
    for para in text.split("\n\n"):
        words = para.split()
        cur = ""
        for w in words:
            if not cur:
                cur = w
            elif len(cur) + 1 + len(w) <= width:
                cur += " " + w
            else:
                room = width - len(cur) - 2
                if w.isalpha() and w.islower() and len(w) >= 8 and room >= 4 and len(w) - room >= 4:
                    lines.append(f"{cur} {w[:room]}-")
                    cur = w[room:]
                else:
                    lines.append(cur)
                    cur = w
        if cur:
            lines.append(cur)
        lines.append("")
    return lines


def one_column(text: str, width: int = 90) -> bytes:
    """A one-column page (more pages as needed) of `text`."""
    return pdf(_paginate([(50.0, ln) for ln in _wrap(text, width)]))


def two_columns(text: str, width: int = 44, rows: bool = False) -> bytes:
    """`text` set in two columns: the left column fills first, then the right one. With
    `rows`, the page's content is written line by line across both columns (as some
    producers do), so only a reader that finds the columns reads it in order."""
    lines = _wrap(text, width)
    per_col = (PAGE_H - 120) // LEADING
    pages = []
    for start in range(0, len(lines), 2 * per_col):
        left = lines[start : start + per_col]
        right = lines[start + per_col : start + 2 * per_col]
        page: list[tuple[float, float, str]] = []
        for col, x in ((left, 50.0), (right, 320.0)):
            for i, s in enumerate(col):
                if s:
                    page.append((x, PAGE_H - 60 - i * LEADING, s))
        if rows:
            page.sort(key=lambda t: (-t[1], t[0]))
        pages.append(page)
    return pdf(pages)


def _paginate(lines: list[tuple[float, str]]) -> list[list[tuple[float, float, str]]]:
    per_page = (PAGE_H - 120) // LEADING
    pages = []
    for start in range(0, max(len(lines), 1), per_page):
        chunk = lines[start : start + per_page]
        pages.append([(x, PAGE_H - 60 - i * LEADING, s) for i, (x, s) in enumerate(chunk) if s])
    return pages


def no_text_layer(pages: int = 1) -> bytes:
    """A PDF whose pages hold only drawing (as a scan holds only an image)."""
    return pdf([[] for _ in range(pages)])


def dedent(text: str) -> str:
    """`textwrap.dedent` and strip, for release texts written inline."""
    return textwrap.dedent(text).strip()
