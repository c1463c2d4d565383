"""From bytes to clean sentences: decoding, HTML and e-mail bodies, boilerplate, splitting."""

from __future__ import annotations

import email
import email.policy
import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser

from tracker.domain import Sentence
from tracker.errors import ExtractError

# Releases are a few kilobytes; past these we read only the head, and say so.
MAX_BYTES = 2_000_000
MAX_CHARS = 200_000

_MOJIBAKE = re.compile("[ÃÂâ][\u0080-\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]")
_COMPAT = str.maketrans(
    {
        "\u2013": "-",
        "\u2014": "-",
        "\u2011": "-",
        "\u2010": "-",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\u2044": "/",
        "\u2024": ".",
        # Typographic apostrophes, as French releases set them ("d’ici la fin de l’année").
        "\u2019": "'",
        "\u2018": "'",
    }
)


def for_matching(text: str) -> str:
    """The text as the lexicon reads it: dashes as "-", ligatures spelt out."""
    return text if text.isascii() else text.translate(_COMPAT)


_ODD_SPACES = re.compile("[\t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_MULTI_SPACE = re.compile(" {2,}")
_BLOCK_TAGS = (
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "section",
    "article",
    "header",
    "footer",
    "blockquote",
    "pre",
    "td",
    "th",
    "title",
    "dd",
    "dt",
)


@dataclass(frozen=True, slots=True)
class Document:
    """A decoded document: its text and, for e-mail, the header fields we use."""

    text: str
    subject: str | None = None
    date_header: str | None = None
    truncated: bool = False


UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode(data: bytes) -> str:
    """Decode bytes as UTF-8 (or UTF-16 after its byte-order mark), else Windows-1252,
    repairing mojibake where we see it."""
    if data.startswith(UTF16_BOMS):
        return data.decode("utf-16", errors="replace")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if _MOJIBAKE.search(text):
        import ftfy  # only documents that need it pay for the import

        text = ftfy.fix_text(text, normalization="NFC")
    return text


_SKIPPED_TAGS = frozenset(("script", "style", "noscript", "template", "svg"))
_BLOCKS = frozenset(_BLOCK_TAGS) - {"br"}


class _TextOfHtml(HTMLParser):
    """HTML to text in one pass over the markup, without building a tree: each block
    element's start and end is a paragraph break, `<br>` a line break, scripts, styles and
    their like are skipped, comments and declarations dropped, character references
    decoded. Its cost grows with the markup's length whatever its shape (a tree edited in
    place cost time quadratic in the number of paragraphs, and deep nesting more)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping += 1
        elif not self.skipping:
            if tag == "br":
                self.parts.append("\n")
            elif tag in _BLOCKS:
                self.parts.append("\n\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _SKIPPED_TAGS:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif not self.skipping and tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Turn HTML into text, one block element per paragraph."""
    parser = _TextOfHtml()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)


def read_email(data: bytes) -> Document:
    """Read an .eml file: its text body (or HTML body as text), subject and date."""
    msg = email.message_from_bytes(data, policy=email.policy.default)
    body = msg.get_body(preferencelist=("plain", "html"))
    if body is None:
        raise ExtractError("the e-mail has no text or HTML body")
    content = body.get_content()
    if body.get_content_type() == "text/html":
        content = html_to_text(content)
    return Document(
        content,
        subject=" ".join(str(msg.get("subject") or "").split())[:500] or None,
        date_header=str(msg.get("date") or "") or None,
    )


def load(name: str, data: bytes) -> Document:
    """Decode a document by its file name: `.eml`, `.html`/`.htm` or plain text."""
    lower = name.lower()
    cut = len(data) > MAX_BYTES and not lower.endswith(".pdf")  # a cut PDF is unreadable
    data = data[:MAX_BYTES] if cut else data
    if lower.endswith(".eml"):
        doc = read_email(data)
    elif lower.endswith(".pdf"):
        from tracker.extract.pdf import pdf_text

        doc = Document(pdf_text(data))
    else:
        text = decode(data)
        if lower.endswith((".html", ".htm")) or _looks_like_html(text):
            text = html_to_text(text)
        doc = Document(text)
    if len(doc.text) > MAX_CHARS or cut:
        return Document(doc.text[:MAX_CHARS], doc.subject, doc.date_header, truncated=True)
    return doc


def _looks_like_html(text: str) -> bool:
    head = text[:500].lstrip().lower()
    return head.startswith(("<!doctype html", "<html")) or "<body" in head


def normalise(text: str) -> str:
    """Normalise line ends, odd spaces and compatibility characters, keeping the words."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    escaped = text.count("\\n")
    if escaped > 3 and escaped > text.count("\n"):
        # A page copy that kept its text as a JSON string ("...Limited\\nNeurochem..."):
        # its escapes are its line breaks and quotes.
        text = text.replace("\\n", "\n").replace('\\"', '"').replace("\\t", " ")
    if not text.isascii():
        # NFC, not NFKC: NFKC would turn "EXPAREL™" into "EXPARELTM".
        # Only canonical composition: the document's own characters (dashes included) stay,
        # so evidence is found verbatim; `for_matching` folds them for the patterns.
        text = unicodedata.normalize("NFC", text)
    if "\t" in text or not text.isascii():  # a regex search over 9 KB is far slower
        text = _ODD_SPACES.sub(" ", text)
    if "  " in text:
        text = _MULTI_SPACE.sub(" ", text)
    return text.replace(" \n", "\n").replace("\n ", "\n").strip()


# --- paragraphs and boilerplate --------------------------------------------------------------

_BOILER_HEAD = re.compile(
    r"^(?:about (?!the |this |our |\d)[\w&.,'’\- ]{2,60}|forward[- ]looking statements?.*"
    r"|cautionary (?:note|statement).*|safe harbou?r.*|(?:media|investor|press)? ?contacts?:?"
    r"|(?:for )?(?:further|more) information,? (?:please )?contact:?|contact information:?"
    r"|notes? to editors:?|###|-###-|source:.*|disclaimer:?|important safety information"
    r"|references?:?)$",
    re.IGNORECASE,
)
_BOILER_PARA = re.compile(
    r"^(?:\"?safe harbou?r|this (?:news |press )?release (?:and any oral statements .{0,80})?"
    r"contains? forward[- ]looking|forward[- ]looking statements)",
    re.IGNORECASE,
)


def _is_boiler_para(para: str) -> bool:
    """A safe-harbour paragraph, or a short trademark notice."""
    if _BOILER_PARA.match(para):
        return True
    return len(para) < 300 and "trademark" in para.lower()


def _is_heading(line: str) -> bool:
    return (0 < len(line) < 90 and not line.endswith((".", ",", ";", ":", "?", "!", ")"))) or (
        line.endswith(":") and len(line) < 40
    )


def paragraphs(text: str) -> list[tuple[str, str]]:
    """Split normalised text into paragraphs, each with its section (body, about, legal).

    Hard-wrapped lines are joined; an "About ..." heading starts an about section and a
    forward-looking-statements or contacts heading a legal one, each lasting until the
    next ordinary heading.
    """
    out: list[tuple[str, str]] = []
    section = "body"
    for block in re.split(r"\n\s*\n", text):
        for para in _unwrap(block):
            if out and out[-1][1] == "body" and _DANGLING.search(out[-1][0]):
                # "... application to the Ministry of" + blank line + "Health, Labour and
                # Welfare for ...": a page copy broke the sentence; no paragraph ends so.
                out[-1] = (f"{out[-1][0]} {para}", "body")
                continue
            if _BOILER_HEAD.match(para.rstrip(" :")) or para.startswith("###"):
                section = "about" if para.lower().startswith("about ") else "legal"
                out.append((para, section))
                continue
            if section != "body" and _is_heading(para) and not para.lower().startswith("about "):
                section = "body"
            out.append((para, "legal" if _is_boiler_para(para) else section))
    return out


def _unwrap(block: str) -> list[str]:
    """Join the hard-wrapped lines of a block; short unpunctuated lines stay separate."""
    lines = [line for line in block.split("\n") if line]
    paras: list[str] = []
    current = last = ""
    for line in lines:
        if not current:
            current = last = line
            continue
        prev_ends = current.endswith((".", "!", "?", ":", '"', "”"))
        wrapped = (
            len(current) >= 45
            and not prev_ends
            # Hard-wrapped text is set in lines of a width; a line longer than any wrap
            # width (a paragraph on one line, a headline above one) is a line of its own.
            and len(last) <= _WRAP_WIDTH
            and len(line) <= _WRAP_WIDTH
            and not _BULLET.match(line)
            # A headline and its sub-headline are lines of their own, not a wrapped sentence.
            and not (line[:1].isupper() and _title_like(current) and _title_like(line))
        )
        continues = line[:1].islower() and not prev_ends
        if (wrapped or continues) and not _BOILER_HEAD.match(line):
            current = f"{current} {line}"
        else:
            paras.append(current)
            current = line
        last = line
    if current:
        paras.append(current)
    return paras


_BULLET = re.compile(r"^(?:[•\-*–·▪]|\d+[.)]) ")
# A paragraph that ends in a word no sentence ends with: the page broke it.
_DANGLING = re.compile(
    r"[a-z,]\s(?:of|the|to|and|for|an?|in|with|by|from|at|on|its|their|our|de|du|des|la|le"
    r"|les|à|au|aux|et|pour|par)$"
)
_WRAP_WIDTH = 130


def _title_like(line: str) -> bool:
    """Whether a line is set in title case ("FDA Grants Appeal to Recro for ...")."""
    words = [w for w in line.split() if len(w) > 3 and w[:1].isalpha()]
    return len(words) >= 3 and sum(w[:1].isupper() for w in words) >= 0.7 * len(words)


# --- sentences --------------------------------------------------------------------------------

_ABBREV = frozenset(
    [
        "inc",
        "corp",
        "co",
        "ltd",
        "plc",
        "llc",
        "n.v",
        "nv",
        "s.a",
        "sa",
        "ag",
        "gmbh",
        "no",
        "nos",
        "dr",
        "mr",
        "mrs",
        "ms",
        "prof",
        "st",
        "mt",
        "ft",
        "jr",
        "sr",
        "vs",
        "approx",
        "est",
        "dept",
        "univ",
        "e.g",
        "i.e",
        "etc",
        "al",
        "fig",
        "ref",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
        "u.s",
        "u.k",
        "u.s.a",
        "e.u",
        "n.y",
        "n.j",
        "calif",
        "mass",
        "conn",
        "penn",
        "wash",
        "fla",
        "ga",
        "ill",
        "md",
        "mich",
        "minn",
        "mo",
        "pa",
        "tenn",
        "tex",
        "va",
        "wis",
        "colo",
        "ariz",
        "ore",
        "okla",
        "ind",
        "ky",
        "la",
        "ala",
        "nev",
        "del",
        "d.c",
        "ph.d",
        "m.d",
        "b.v",
        "a.g",
        "s.p.a",
        "s.r.l",
        "p.o",
        "ca",
        "no.",
        "tel",
        "fax",
        "int'l",
        "intl",
        "bros",
        "assn",
        "cie",
        "cia",
    ]
)


_INITIALS = re.compile(r"(?:[a-z]\.)+[a-z]")


def _splitter(lowercase_doc: bool) -> re.Pattern[str]:
    """A sentence-boundary pattern that knows abbreviations and initials by itself.

    Fixed-width look-behinds, one per abbreviation length, keep "Inc.", "N.Y." and "J."
    from ending a sentence; in a normal document the next sentence must not start in
    lower case, in an all-lower-case one it may.
    """
    by_len: dict[int, list[str]] = {}
    for word in _ABBREV:
        by_len.setdefault(len(word), []).append(re.escape(word))
    guards = "".join(
        f"(?<!\\b(?i:{'|'.join(sorted(words))})\\.)" for _, words in sorted(by_len.items())
    )
    guards += r"(?<!\b[A-Za-z]\.)(?<![A-Za-z]\.[A-Za-z]\.)"
    start = r"[\w$€£]" if lowercase_doc else r"(?![a-z])[\w$€£]"
    # The pattern starts with a character class, so the engine skips to candidates fast.
    return re.compile(r"[.!?]" + guards + r"[\"”’')\]]*\s+(?=[\"“‘'(\[]?" + start + ")")


_SPLITTERS = {flag: _splitter(flag) for flag in (False, True)}


def sentences(text: str, normalised: bool = False) -> list[Sentence]:
    """Split a release into sentences, keeping abbreviations and initials together."""
    out: list[Sentence] = []
    lowercase_doc = not any(c.isupper() for c in text[:5000])
    for para, section in paragraphs(text if normalised else normalise(text)):
        # Items run together in one line by a page copy ("... quarter 2023 · On January 6,
        # the FDA approved ... · Eisai has filed ..."): each bullet opens a sentence.
        items = _INLINE_BULLET.split(para) if "·" in para or "•" in para or "▪" in para else [para]
        for item in items:
            for piece in _split_para(item, lowercase_doc):
                piece = piece.strip()
                if piece:
                    out.append(Sentence(len(out), piece, section))
    return out


_INLINE_BULLET = re.compile(r"\s[•·▪]\s+")


_OTHER_ENDS = ("? ", "! ", '" ', "” ", "’ ", ") ", "] ", "' ")


def _split_para(para: str, lowercase_doc: bool) -> list[str]:
    if not any(e in para for e in _OTHER_ENDS):
        return _split_on_full_stops(para, lowercase_doc)  # the common case, at C speed
    pieces: list[str] = []
    start = 0
    for m in _SPLITTERS[lowercase_doc].finditer(para):
        pieces.append(para[start : m.end()].rstrip())
        start = m.end()
    pieces.append(para[start:])
    return pieces


def _split_on_full_stops(para: str, lowercase_doc: bool) -> list[str]:
    """Split at ". " with str.split, then rejoin where the stop ends an abbreviation."""
    parts = para.split(". ")
    out: list[str] = []
    current = parts[0]
    for nxt in parts[1:]:
        if _continues(current, nxt, lowercase_doc):
            current = f"{current}. {nxt}"
        else:
            out.append(current + ".")
            current = nxt
    out.append(current)
    return out


def _continues(before: str, after: str, lowercase_doc: bool) -> bool:
    """True when ". " between these two pieces does not end a sentence."""
    first = after[:1]
    if not (first.isalnum() or first in "\"“‘'([$€£"):
        return True
    if not lowercase_doc and first.islower():
        return True
    word = before[before.rfind(" ") + 1 :].lstrip("(\"“'").lower()
    if word in _ABBREV or (len(word) == 1 and word.isalpha()):
        return True
    return "." in word and _INITIALS.fullmatch(word) is not None
