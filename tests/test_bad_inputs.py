"""The inbox under bad input: a table of kinds of bad (or odd) entries, each dropped before
a valid release, run through the daemon's own inbox job twice (a file is read once it stayed
the same from one poll to the next), on SQLite and on PostgreSQL.

For each kind: where the entry ends (failed/, processed/, or left in the inbox for its
writer), the reason given (in `<name>.error.txt` and the quarantine), that the valid
release sorted after it is stored, and that `/healthz`'s verdict stays ok.
"""

from __future__ import annotations

import os
import socket
import stat
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select

from tracker import health
from tracker.pipeline import Context
from tracker.scheduler import run_job, source_step
from tracker.settings import Settings
from tracker.sources.folder import FolderSource
from tracker.store import Store
from tracker.store.tables import DeadlineRow, EventRow, ReleaseRow

from . import pdfgen

RELEASE = (
    "BOSTON, June 2, 2024 -- Acme Biologics, Inc. (Nasdaq: ACMB) said today that the U.S. "
    "Food and Drug Administration has set a PDUFA target action date of June 28, 2031 for "
    "Zentra{tag}."
)


def _release(tag: str = "") -> str:
    return RELEASE.format(tag=tag)


@dataclass
class Case:
    kind: str
    make: Callable[[Path], None]  # makes the entry in the inbox (given the inbox)
    name: str  # the entry's name (os.fsdecode of the bytes for odd names)
    ends: str  # "failed", "processed" or "inbox"
    reason: str | None = None  # words of the reason (failed only)
    check: Callable[[Context, Path], None] | None = None  # more, once both polls ran
    ends_as: str | None = None  # its name where it ends, when that differs


def _write(name: str, data: bytes | str, mtime: float | None = None) -> Callable[[Path], None]:
    def make(inbox: Path) -> None:
        path = inbox / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        if mtime is not None:
            os.utime(path, (mtime, mtime))

    return make


def _eml(headers: str, body: bytes) -> bytes:
    return headers.replace("\n", "\r\n").encode("ascii") + b"\r\n" + body


def _fifo(inbox: Path) -> None:
    os.mkfifo(inbox / "a-pipe.txt")


def _socket(inbox: Path) -> None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    here = os.getcwd()
    os.chdir(inbox)  # a relative path: socket paths are limited to ~100 bytes
    try:
        sock.bind("a-socket.txt")
    finally:
        os.chdir(here)
        sock.close()


def _folder(inbox: Path) -> None:
    (inbox / "a-folder.txt").mkdir()
    (inbox / "a-folder.txt" / "inside.txt").write_text(_release(" inside a folder"))


def _dangling(inbox: Path) -> None:
    (inbox / "a-dangling.txt").symlink_to(inbox.parent / "nowhere.txt")


def _link_out(inbox: Path) -> None:
    secret = inbox.parent / "elsewhere" / "secret.txt"
    secret.parent.mkdir(exist_ok=True)
    secret.write_text(_release(" SECRET-OUTSIDE"))
    (inbox / "a-link.txt").symlink_to(secret)


def _link_in(inbox: Path) -> None:
    (inbox / "a-target.part").write_text(_release(" linked inside"))
    (inbox / "a-link-in.txt").symlink_to(inbox / "a-target.part")


def _hard_link(inbox: Path) -> None:
    other = inbox.parent / "elsewhere-hard.txt"
    other.write_text(_release(" hard-linked"))
    os.link(other, inbox / "a-hard.txt")


def _namesake(inbox: Path) -> None:
    failed = inbox.parent / "failed"
    failed.mkdir(exist_ok=True)
    (failed / "a-dup.txt").write_text("an older failure")
    (inbox / "a-dup.txt").write_bytes(b"")


def _no_nul(ctx: Context, _home: Path) -> None:
    with ctx.store.engine.connect() as conn:
        texts = [r[0] for r in conn.execute(select(EventRow.evidence))]  # type: ignore[call-overload]
    assert texts and all("\x00" not in t for t in texts)


def _title(words: str, longest: int = 500) -> Callable[[Context, Path], None]:
    def check(ctx: Context, _home: Path) -> None:
        titles = [r.title or "" for r in ctx.store.releases()]
        mine = [t for t in titles if words in t]
        assert mine, titles
        assert all("\r" not in t and "\n" not in t and len(t) <= longest for t in mine)

    return check


def _names_bounded(ctx: Context, _home: Path) -> None:
    procs = ctx.store.procedures()
    assert procs and all(len(p.key) <= 400 for p in procs)
    assert all(len(p.product or "") <= 300 and len(p.company or "") <= 300 for p in procs)


def _dates_in_order(ctx: Context, _home: Path) -> None:
    with ctx.store.engine.connect() as conn:
        rows = list(conn.execute(select(DeadlineRow.start, DeadlineRow.end)))  # type: ignore[call-overload]
    assert rows and all(s <= e for s, e in rows)
    assert all(e < date(2100, 1, 1) for _, e in rows)


def _not_stored(words: str) -> Callable[[Context, Path], None]:
    def check(ctx: Context, _home: Path) -> None:
        with ctx.store.engine.connect() as conn:
            texts = [r[0] for r in conn.execute(select(EventRow.evidence))]  # type: ignore[call-overload]
            names = [r[0] for r in conn.execute(select(ReleaseRow.name))]  # type: ignore[call-overload]
        assert not any(words in t for t in texts), texts
        assert not any(words in n for n in names)

    return check


LONG_250 = "a-" + "n" * (250 - len("a-") - len(".txt")) + ".txt"
LONG_255 = "a-" + "n" * (255 - len("a-") - len(".txt")) + ".txt"
FUTURE = datetime.now(UTC).timestamp() + 365 * 86400
NUL_BODY = (
    "BOSTON, June 2, 2024 -- Acme Biologics, Inc. (Nasdaq: ACMB) said today. "
    + "Background sentence about the company. " * 120
    + "The FDA has set a PDUFA target action date of June 28, 2031 for Zen\x00tra nul."
)
LONG_PRODUCT = (
    "BOSTON, June 2, 2024 -- " + "Big" * 120 + " Pharmaceuticals, Inc. (Nasdaq: ACME) said today "
    "that the FDA set a PDUFA target action date of June 28, 2031 for Ultra" + "ra" * 200 + "(R)."
)

CASES = [
    Case("empty file", _write("a-empty.txt", b""), "a-empty.txt", "failed", "the file is empty"),
    Case("only whitespace", _write("a-blank.txt", b" \n\t\n"), "a-blank.txt", "failed", "empty"),
    Case("binary", _write("a-bin.txt", b"\x89PNG\x00\x01\x02"), "a-bin.txt", "failed", "binary"),
    Case(
        "no dateline",
        _write("a-nodate.txt", "Acme did things."),
        "a-nodate.txt",
        "failed",
        "no dateline",
    ),
    Case(
        "e-mail in an unknown charset",
        _write(
            "a-charset.eml",
            _eml("Subject: x\nContent-Type: text/plain; charset=x-bogus\n", _release().encode()),
        ),
        "a-charset.eml",
        "failed",
        "unknown encoding: x-bogus",
    ),
    Case(
        "e-mail without a text body",
        _write(
            "a-nobody.eml",
            _eml("Subject: x\nContent-Type: application/octet-stream\n", b"\x00\x01\x02"),
        ),
        "a-nobody.eml",
        "failed",
        "no text or HTML body",
    ),
    Case(
        "e-mail of garbage",
        _write("a-garbage.eml", b"\x00\x00\xff\xfe"),
        "a-garbage.eml",
        "failed",
        "no dateline",
    ),
    Case(
        "file name not UTF-8",
        _write(os.fsdecode(b"a-bad\xff.txt"), _release(" not-utf8 name")),
        os.fsdecode(b"a-bad\xff.txt"),
        "processed",
    ),
    Case(
        "FIFO named .txt", _fifo, "a-pipe.txt", "failed", "a FIFO (named pipe): only regular files"
    ),
    Case("socket named .txt", _socket, "a-socket.txt", "failed", "a socket: only regular files"),
    Case("folder named .txt", _folder, "a-folder.txt", "failed", "a folder: only regular files"),
    Case("dangling symlink", _dangling, "a-dangling.txt", "failed", "a symbolic link"),
    Case(
        "symlink to a file outside",
        _link_out,
        "a-link.txt",
        "failed",
        "a symbolic link: only regular files",
        check=_not_stored("SECRET-OUTSIDE"),
    ),
    Case("symlink to a file inside", _link_in, "a-link-in.txt", "failed", "a symbolic link"),
    Case("hard link (a regular file)", _hard_link, "a-hard.txt", "processed"),
    Case(
        "unknown suffix",
        _write("a-doc.docx", b"PK\x03\x04"),
        "a-doc.docx",
        "failed",
        "unknown kind of file (.docx)",
    ),
    Case(
        "no suffix",
        _write("a-README", _release()),
        "a-README",
        "failed",
        "unknown kind of file (no suffix)",
    ),
    Case(
        "temporary suffix",
        _write("a-rel.txt.tmp", _release()),
        "a-rel.txt.tmp",
        "failed",
        "unknown kind of file (.tmp)",
    ),
    Case("*.part (being written)", _write("a-rel.txt.part", _release()), "a-rel.txt.part", "inbox"),
    Case("dot file (being written)", _write(".a-rel.txt", _release()), ".a-rel.txt", "inbox"),
    Case(
        "PDF, one column",
        _write("a-one.pdf", pdfgen.one_column(_release(" one-column pdf"))),
        "a-one.pdf",
        "processed",
    ),
    Case(
        "PDF, two columns written by row",
        _write(
            "a-two.pdf",
            pdfgen.two_columns(
                _release(" two-column pdf") + "\n\n" + "More words here. " * 80, rows=True
            ),
        ),
        "a-two.pdf",
        "processed",
    ),
    Case(
        "PDF without a text layer",
        _write("a-scan.pdf", pdfgen.no_text_layer()),
        "a-scan.pdf",
        "failed",
        "without a text layer",
    ),
    Case(
        "damaged PDF",
        _write("a-broken.pdf", b"%PDF-1.4\n1 0 obj garbage"),
        "a-broken.pdf",
        "failed",
        "PDF",
    ),
    Case("text named .pdf", _write("a-fake.pdf", _release()), "a-fake.pdf", "failed", "not a PDF"),
    Case(
        "UTF-16 LE with BOM",
        _write("a-u16le.txt", _release(" utf16le").encode("utf-16")),
        "a-u16le.txt",
        "processed",
    ),
    Case(
        "UTF-16 BE with BOM",
        _write("a-u16be.txt", b"\xfe\xff" + _release(" utf16be").encode("utf-16-be")),
        "a-u16be.txt",
        "processed",
    ),
    Case(
        "UTF-8 with BOM",
        _write("a-bom.txt", b"\xef\xbb\xbf" + _release(" bom").encode()),
        "a-bom.txt",
        "processed",
    ),
    Case(
        "Windows-1252",
        _write("a-1252.txt", _release(" \u2019quoted\u2019 cp1252").encode("cp1252")),
        "a-1252.txt",
        "processed",
    ),
    Case(
        "invalid UTF-8 inside",
        _write("a-badutf.txt", _release(" \xed\xa0").encode("latin-1") + b"\xc3("),
        "a-badutf.txt",
        "processed",
    ),
    Case("250-byte name, failing", _write(LONG_250, b""), LONG_250, "failed", "empty"),
    Case("255-byte name, failing", _write(LONG_255, b""), LONG_255, "failed", "empty"),
    Case("namesake in failed/", _namesake, "a-dup.txt", "failed", "empty", ends_as="a-dup.1.txt"),
    Case(
        "modified in the future",
        _write("a-future.txt", _release(" future"), mtime=FUTURE),
        "a-future.txt",
        "processed",
    ),
    Case(
        "modified in 1970",
        _write("a-1970.txt", _release(" epoch"), mtime=1.0),
        "a-1970.txt",
        "processed",
    ),
    Case(
        "over the size cap",
        _write("a-huge.txt", b"x" * 10_000_001),
        "a-huge.txt",
        "failed",
        "over the 10000000-byte cap",
    ),
    Case(
        "NUL in a sentence", _write("a-nul.txt", NUL_BODY), "a-nul.txt", "processed", check=_no_nul
    ),
    Case(
        "company and product names over 300 characters",
        _write("a-long-names.txt", LONG_PRODUCT),
        "a-long-names.txt",
        "processed",
        check=_names_bounded,
    ),
    Case(
        "Subject with CR/LF",
        _write(
            "a-crlf.eml",
            _eml(
                "Subject: =?utf-8?q?PDUFA=0D=0Aset=0Afor_Zentra?=\nContent-Type: text/plain\n",
                _release(" crlf subject").encode(),
            ),
        ),
        "a-crlf.eml",
        "processed",
        check=_title("PDUFA set for Zentra"),
    ),
    Case(
        "Subject of 5,000 characters",
        _write(
            "a-longsubj.eml",
            _eml(
                f"Subject: LONGSUBJ {'word ' * 1000}\nContent-Type: text/plain\n",
                _release(" long subject").encode(),
            ),
        ),
        "a-longsubj.eml",
        "processed",
        check=_title("LONGSUBJ"),
    ),
    Case(
        "control characters",
        _write("a-ctl.txt", _release(" \x1b[31mred\x1b[0m \x07bell")),
        "a-ctl.txt",
        "processed",
    ),
    Case(
        "HTML with only a script",
        _write(
            "a-script.html", "<html><body><script>var d = 'June 2, 2024';</script></body></html>"
        ),
        "a-script.html",
        "failed",
        "no dateline",
    ),
    Case(
        "HTML left unclosed",
        _write("a-open.html", "<html><body><p>" + _release(" unclosed") + "<div><b>"),
        "a-open.html",
        "processed",
    ),
    Case(
        "name with a newline",
        _write("a-new\nline.txt", _release(" newline name")),
        "a-new\nline.txt",
        "processed",
    ),
    Case(
        "upper-case suffix", _write("a-UPPER.TXT", _release(" upper")), "a-UPPER.TXT", "processed"
    ),
    Case(
        "a range whose second month is earlier",
        _write(
            "a-range.txt",
            _release(" range") + " The CHMP opinion is expected between June 2031 and March.",
        ),
        "a-range.txt",
        "processed",
        check=_dates_in_order,
    ),
    Case(
        "an implausible offset",
        _write("a-offset.txt", _release(" offset") + " The company will respond within 400 years."),
        "a-offset.txt",
        "processed",
        check=_dates_in_order,
    ),
    Case(
        "only a dateline",
        _write("a-dateline.txt", "BOSTON, June 2, 2024 -- Acme Inc. said hello."),
        "a-dateline.txt",
        "processed",
    ),
]


@pytest.fixture(scope="module")
def pg_base() -> Iterator[str | None]:
    """One PostgreSQL database for the module's cases (each case's data is its own)."""
    base = os.environ.get("TRACKER_TEST_POSTGRES_URL", "")
    if not base:
        yield None
        return
    from sqlalchemy import create_engine, text

    name = f"tracker_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.rsplit("/", 1)[0] + f"/{name}"
    store = Store(url)
    store.migrate(datetime.now(UTC))
    store.close()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
@pytest.mark.parametrize("case", CASES, ids=[c.kind for c in CASES])
def test_bad_input(
    case: Case,
    backend: str,
    settings: Settings,
    packs: list,
    tmp_path: Path,
    pg_base: str | None,
) -> None:
    if backend == "postgresql":
        if pg_base is None:
            pytest.skip("TRACKER_TEST_POSTGRES_URL is not set")
        url = pg_base
    else:
        url = f"sqlite:///{tmp_path / 'tracker.db'}"
    store = Store(url)
    store.migrate(datetime.now(UTC))
    ctx = Context(settings, store, packs)
    home = settings.home
    inbox = home / "inbox"
    inbox.mkdir(parents=True)
    case.make(inbox)
    valid = f"zz-valid-{uuid.uuid4().hex[:8]}.txt"
    (inbox / valid).write_text(_release(f" valid after {case.kind}"))
    # The daemon's own job, twice: a file is complete once it stayed the same across polls.
    source = FolderSource("inbox", inbox)
    job = source_step(source)
    start = datetime.now(UTC)
    try:
        with time_machine.travel(start, tick=False):
            run_job(ctx, "ingest:inbox", job)
        with time_machine.travel(start + timedelta(seconds=31), tick=False):
            run_job(ctx, "ingest:inbox", job)
            verdict = health.check(store, settings, datetime.now(UTC))

        where = {
            "failed": home / "failed",
            "processed": inbox / "processed",
            "inbox": inbox,
        }[case.ends]
        ends_as = case.ends_as or case.name
        assert os.path.lexists(where / ends_as), sorted(os.listdir(where) if where.exists() else [])
        if case.ends != "inbox":
            assert not os.path.lexists(inbox / case.name)
        if case.ends == "failed":
            assert case.reason
            reasons = [p.read_text("utf-8") for p in (home / "failed").glob("*.error.txt")]
            assert any(case.reason in r for r in reasons), reasons
            assert all(len(os.fsencode(p.name)) <= 255 for p in (home / "failed").iterdir())
            assert any(case.reason in q.reason for q in store.quarantined("inbox"))
        assert (inbox / "processed" / valid).exists()
        assert any(r.name == valid for r in store.releases(limit=1000))
        if case.check:
            case.check(ctx, home)
        assert verdict.ok, verdict.problems
        assert verdict.jobs["ingest:inbox"]["failing_runs"] == 0
    finally:
        store.close()


def test_the_table_covers_at_least_forty_kinds() -> None:
    assert len({c.kind for c in CASES}) >= 40


def test_a_socket_mode_is_named() -> None:
    from tracker.sources.folder import _kind

    assert _kind(stat.S_IFSOCK) == "a socket"
