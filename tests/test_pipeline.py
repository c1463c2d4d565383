"""The inbox: each release once, bad ones quarantined with a reason, the batch goes on."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from tracker.pipeline import (
    Context,
    IngestReport,
    ingest_inbox,
    publish_calendar,
    send_due_reminders,
)

from .conftest import FIXTURES

LATER = datetime(2008, 3, 21, 12, 0, tzinfo=UTC)


def _drop(ctx: Context, name: str, data: bytes) -> Path:
    inbox = ctx.folder("inbox")
    path = inbox / name
    path.write_bytes(data)
    old = LATER.timestamp() - 60
    os.utime(path, (old, old))
    return path


def _poll(ctx: Context, now: datetime) -> IngestReport:
    """Two polls of the inbox, the second at `now`: a file is read once it stayed the same
    from one poll to the next."""
    ingest_inbox(ctx, now - timedelta(seconds=30))
    return ingest_inbox(ctx, now)


def test_inbox_batch_isolates_bad_files(ctx: Context) -> None:
    good = (FIXTURES / "releases/eu-negative-opinion-reexamination.txt").read_bytes()
    _drop(ctx, "a-good.txt", good)
    _drop(ctx, "b-empty.txt", b"   \n")
    _drop(ctx, "c-binary.txt", b"\x00\x01\x02PNG")
    _drop(ctx, "d-nodate.txt", b"Acme announces that things happened at some point.")
    _drop(ctx, "e-copy.html", b"<html><body><pre>" + good + b"</pre></body></html>")
    report = _poll(ctx, LATER)
    assert (report.new, report.failed) == (1, 3)
    home = ctx.settings.home
    assert sorted(p.name for p in (home / "inbox/processed").iterdir()) == [
        "a-good.txt",
        "e-copy.html",
    ]
    failed = home / "failed"
    assert (failed / "b-empty.txt.error.txt").read_text().strip().endswith("the file is empty")
    assert "binary" in (failed / "c-binary.txt.error.txt").read_text()
    assert "no dateline" in (failed / "d-nodate.txt.error.txt").read_text()
    assert "d-nodate.txt" in (failed / "d-nodate.txt.error.txt").read_text()
    assert report.duplicate == 1  # the HTML copy has the same text


def test_a_file_still_being_written_waits(ctx: Context) -> None:
    path = ctx.folder("inbox") / "fresh.txt"
    path.write_text("BOSTON, June 2, 2024 - Acme said the PDUFA date is June 28, 2024.")
    os.utime(path, (LATER.timestamp(), LATER.timestamp()))
    assert ingest_inbox(ctx, LATER).new == 0
    assert ingest_inbox(ctx, LATER + timedelta(seconds=5)).new == 1


def test_calendar_and_outbox(ctx: Context) -> None:
    now = datetime(2024, 6, 23, 13, 0, tzinfo=UTC)
    _drop(
        ctx,
        "pdufa.txt",
        b"BOSTON, June 23, 2024 /PRNewswire/ -- Acme Inc. (Nasdaq: ACME) "
        b"said today that the FDA set a PDUFA target action date of June 28, 2024 for "
        b"Zentra(R).",
    )
    assert _poll(ctx, now).new == 1
    ics = publish_calendar(ctx, now).read_text()
    assert "DTSTART;VALUE=DATE:20240628" in ics
    assert send_due_reminders(ctx, now).sent == 1
    assert send_due_reminders(ctx, now + timedelta(hours=1)).sent == 0
    (eml,) = (ctx.settings.home / "outbox").glob("*.eml")
    assert b"Zentra" in eml.read_bytes()


def test_the_calendar_is_built_once_per_change_per_folder(ctx: Context, tmp_path: Path) -> None:
    from tracker.settings import load_settings

    now = datetime(2024, 6, 23, 13, 0, tzinfo=UTC)
    _drop(ctx, "a.txt", b"BOSTON, June 23, 2024 /PRNewswire/ -- Acme Inc. (Nasdaq: ACME) said "
          b"today that the FDA set a PDUFA target action date of June 28, 2024 for Zentra(R).")  # fmt: skip
    _poll(ctx, now)
    path = publish_calendar(ctx, now)
    # A second daemon on the same database and the same (shared) folder: nothing changed, so
    # it does not build; a mark left in the file shows it was not rewritten.
    twin = Context(ctx.settings, ctx.store, ctx.packs)
    path.write_text(path.read_text() + "X-MARK")
    assert publish_calendar(twin, now + timedelta(minutes=5)).read_text().endswith("X-MARK")
    # A daemon with a folder of its own builds its own.
    other = load_settings(None, home=str(tmp_path / "other"), environ={}).settings
    own = publish_calendar(Context(other, ctx.store, ctx.packs), now)
    assert own != path and "DTSTART;VALUE=DATE:20240628" in own.read_text()
    # A change (or a new day) is built once, by whichever daemon comes first.
    moved = date(2024, 7, 1)
    ctx.store.set_deadline_date(ctx.store.deadlines()[0].key, moved, moved, now)
    assert "20240701" in publish_calendar(twin, now + timedelta(minutes=6)).read_text()
    assert not publish_calendar(ctx, now + timedelta(minutes=7)).read_text().endswith("X-MARK")
    # A daemon that died mid-build leaves a claim that runs out; then another builds.
    nxt = now + timedelta(days=1)
    key = f"calendar:{(path.parent / '.folder-id').read_text()}"
    assert ctx.store.take_publication(key, "someone-else's", nxt, 300)
    path.write_text("stale")
    assert publish_calendar(twin, nxt).read_text() == "stale"
    assert "BEGIN:VCALENDAR" in publish_calendar(twin, nxt + timedelta(seconds=301)).read_text()


_FILED = (
    "Zorbex accepted\n\nBOSTON, January 9, 2008 /PRNewswire/ -- Acme Pharma Inc. (Nasdaq: ACME)"
    " today said the FDA accepted its New Drug Application for Zorbex and set a PDUFA target"
    " action date of {goal}.\n"
)


def test_two_releases_of_one_file_name_are_two_releases(ctx: Context) -> None:
    """A second file named like one read before is another release: its restated goal date
    revises the deadline at its key, as any later release's would, and is not numbered as a
    second statement of the first release (which left a duplicate key behind)."""
    _drop(ctx, "release.txt", _FILED.format(goal="July 30, 2008").encode())
    assert _poll(ctx, LATER).new == 1
    later = _FILED.replace("January 9", "March 1").format(goal="October 30, 2008")
    _drop(ctx, "release.txt", later.encode())
    assert _poll(ctx, LATER + timedelta(hours=1)).new == 1
    live = [d for d in ctx.store.deadlines() if d.status == "open"]
    assert [(d.key.rsplit("/", 1)[-1], d.end) for d in live] == [
        ("pdufa-goal-standard", date(2008, 10, 30))
    ]
    names = sorted(r.name for r in ctx.store.releases())
    assert names[0] == "release.txt" and names[1].startswith("release.txt (")
